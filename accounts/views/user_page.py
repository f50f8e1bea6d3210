"""A user's page: its profile, status and since when, who created it, its latest changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.db.models.functions import Lower
from django.forms.utils import pretty_name
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import idp
from accounts.forms import LANGUAGES, UserForm
from accounts.models import AuditEvent, CustomField, EventType, Group, Outcome, User
from accounts.permissions import may_change_user, portal_admin_required

RECENT_CHANGES = 5  # the user's latest events on its page; the provisioning log has them all

# The writes that change whether a user is active: the (de)activations, and a write of several
# fields at once (an IdP's PUT) that changes ``is_active`` among them.
STATUS_CHANGES = Q(event_type__in=[EventType.USER_DEACTIVATED, EventType.USER_REACTIVATED]) | Q(
    event_type__in=[EventType.USER_UPDATED, EventType.USER_REPLACED],
    changes__icontains='"is_active"',
)
# The user's fields as its page names them in the trail's changes (else as the form does, else
# by their names: "phone_numbers" is "Phone numbers").
FIELD_LABELS = {"is_active": "Status", "external_id": "External ID", "manager_ref": "Manager"}


@dataclass(frozen=True)
class Status:
    """What the user is now (active, inactive or deleted), since when, and the event that
    made it so (None when the trail does not say: it is as it was created)."""

    label: str
    since: dt.datetime
    event: AuditEvent | None


def _field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    field = UserForm.base_fields.get(name)
    return str(field.label) if field and field.label else pretty_name(name)


def _creation(user: User) -> AuditEvent | None:
    """The event that created the user: who made it (a portal admin, an IdP's SCIM token...)."""
    events = user.audit_events.filter(event_type=EventType.USER_CREATED, outcome=Outcome.SUCCESS)
    return events.order_by("created_at", "pk").first()


def _status(user: User, creation: AuditEvent | None) -> Status:
    """The user's status and since when, from the latest event that set it."""
    label = "Deleted" if user.is_deleted else "Active" if user.is_active else "Inactive"
    which = Q(event_type=EventType.USER_DELETED) if user.is_deleted else STATUS_CHANGES
    events = user.audit_events.filter(which, outcome=Outcome.SUCCESS)
    event = events.order_by("-created_at", "-pk").first()
    if event is not None:
        return Status(label, event.created_at, event)
    since = user.deleted_at or (creation.created_at if creation else user.created_at)
    return Status(label, since, None)


def _recent_changes(user: User) -> list[dict]:
    """The user's latest events, newest first, with the fields each changed by label (a
    creation sets them all: none are listed)."""
    events = user.audit_events.order_by("-created_at", "-pk")[:RECENT_CHANGES]
    return [
        {
            "event": event,
            "fields": []
            if event.event_type == EventType.USER_CREATED
            else [_field_label(name) for name in event.changed],
        }
        for event in events
    ]


def _profile(user: User, idp_fields: frozenset[str]) -> list[tuple[str, object, bool]]:
    """The user's profile as its page lists it: what is set, by the form's labels, each with
    whether its IdP overwrites it (``idp_fields``)."""
    languages = dict(LANGUAGES)
    rows: list[tuple[str, object, str]] = [
        ("Name", user.get_full_name(), "first_name"),
        ("Email", user.email or "", "email"),
        ("Time zone", user.time_zone, "time_zone"),
        ("Language", languages.get(user.language, user.language), "language"),
        ("Locale", user.locale, "locale"),
        *((_field_label(name), getattr(user, name), name) for name in UserForm.PROFILE),
        ("Manager (identity provider's id)", user.manager_ref, "manager_ref"),
        ("Manager's name", user.manager_display_name, "manager_display_name"),
    ]
    return [(label, value, name in idp_fields) for label, value, name in rows if value]


def _shown_value(value: object) -> object:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else value


def _custom_values(user: User) -> list[tuple[str, object]]:
    """Every custom field by label, with the user's value ("" when it holds none)."""
    return [
        (field.label, _shown_value(user.custom_fields.get(field.key)))
        for field in CustomField.objects.all()
    ]


@portal_admin_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Any user's page, deleted ones included; the actions the admin may take on it."""
    groups = Group.objects.order_by(Lower("name"), "pk")
    users = User.objects.select_related("user_type").prefetch_related(
        "branches", Prefetch("member_of", queryset=groups)
    )
    user = get_object_or_404(users, pk=pk)
    creation = _creation(user)
    idp_fields = idp.managed_fields(user)
    context = {
        "subject": user,
        "may_change": may_change_user(request.user, user),
        "status": _status(user, creation),
        "creation": creation,
        "idp_fields": idp_fields,
        "profile": _profile(user, idp_fields),
        "custom_values": _custom_values(user),
        "changes": _recent_changes(user),
    }
    return render(request, "portal/users/detail.html", context)
