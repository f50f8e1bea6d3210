"""The portal's home (/): an overview for portal administrators, their own profile for others.

Composed here, above both apps (STYLE.md rule 21): the overview shows accounts' figures (users,
groups, the audit trail) beside provisioning's state (SCIM, SSO). Every figure comes from a
fixed number of queries, however many users and events there are (tests/lms/test_home.py pins
the count).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.models import AuditEvent, Group, GroupManager, Outcome, User, UserSource
from accounts.permissions import is_portal_admin
from provisioning.models import ScimSettings, SsoSettings

# How many of the latest audit events the overview lists, and how far back it counts refusals.
LATEST_EVENTS = 5
REFUSALS_WINDOW = dt.timedelta(hours=24)

_ALIVE = Q(deleted_at__isnull=True)
# Each figure of the users block as a condition on the users table: one aggregate reads them all.
# The sources count the users the Users list shows (soft-deleted ones excluded), as its links do.
USER_FIGURES = {
    "active": _ALIVE & Q(is_active=True),
    "inactive": _ALIVE & Q(is_active=False),
    "deleted": ~_ALIVE,
    **{source: _ALIVE & Q(source=source) for source in UserSource.values},
}


class SourceFigure(NamedTuple):
    source: str
    label: str
    users: int


class SignedInRequest(HttpRequest):
    """A request ``login_required`` let through: its user is a portal user (django-stubs'
    documented way of typing an authenticated request)."""

    user: User


# Live figures, or a person's own details: never from a cache (nor from Back after signing out).
@never_cache
@login_required
def home(request: SignedInRequest) -> HttpResponse:
    if is_portal_admin(request.user):
        return render(request, "portal/home.html", overview())
    return render(request, "portal/profile.html", profile(request.user))


def overview() -> dict:
    """The administrator's overview: each block's context."""
    return user_figures() | group_figures() | activity() | provisioning_status()


def user_figures() -> dict:
    users = User.objects.aggregate(
        **{name: Count("pk", filter=condition) for name, condition in USER_FIGURES.items()}
    )
    by_source = [SourceFigure(value, label, users[value]) for value, label in UserSource.choices]
    return {"users": users, "users_by_source": by_source}


def group_figures() -> dict:
    groups = Group.objects.aggregate(
        total=Count("pk"), by_scim=Count("pk", filter=Q(managed_by=GroupManager.SCIM))
    )
    return {"groups": groups}


def activity() -> dict:
    """The latest audit events, and the refused ones of the last 24 hours."""
    since = timezone.now() - REFUSALS_WINDOW
    latest = AuditEvent.objects.order_by("-created_at", "-pk").only(
        "created_at", "event_type", "outcome", "source", "actor_label", "target_label"
    )[:LATEST_EVENTS]
    refused = AuditEvent.objects.filter(outcome=Outcome.REFUSED, created_at__gte=since)
    return {
        "latest_events": list(latest),
        "refused_recently": refused.count(),
        "refused_outcome": Outcome.REFUSED,
    }


def provisioning_status() -> dict:
    """SCIM's and SSO's state, read only: a row not written yet reads as its defaults (off), so
    opening the overview never writes."""
    return {
        "scim": ScimSettings.objects.first() or ScimSettings(),
        "sso": SsoSettings.objects.first() or SsoSettings(),
    }


def profile(user: User) -> dict:
    """A signed-in user's own details: ``user`` is the request's, never one named by the URL."""
    return {
        "profile": user,
        "branches": user.branches.all(),
        "groups": user.member_of.order_by("name", "pk"),
    }
