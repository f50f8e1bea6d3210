"""Provisioning pages: the SCIM section of Account & Settings, and the log (the audit trail of
every path: portal, back office, SCIM, SSO, commands).

Account & Settings is composed above this app (``lms.settings_page``): this module gives its
sections' context, and its handlers are given the whole page to render as ``render_page``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import AuditEvent, CustomField, Source
from accounts.permissions import portal_admin_required
from provisioning import services, sso_services
from provisioning.forms import (
    CustomFieldsProvisioningForm,
    EventFilterForm,
    RotateTokenForm,
    ScimEnableForm,
)
from provisioning.models import ScimSettings
from provisioning.scim.constants import LMS_USER_SCHEMA
from provisioning.sso_views import sso_section

PER_PAGE = 50


def scim_base_url(request: HttpRequest) -> str:
    """What the IdP admin pastes: absolute, from PUBLIC_URL or else the request itself."""
    root = settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    return f"{root}/api/scim2"


def settings_sections(request: HttpRequest) -> dict:
    """Context of the provisioning app's sections of Account & Settings: SSO, and SCIM beside
    it (the SCIM section shows whether SSO has been checked)."""
    scim = ScimSettings.load()
    return (
        sso_section(request)
        | new_token_once(request)
        | {
            "scim": scim,
            "scim_base_url": scim_base_url(request),
            "scim_form": ScimEnableForm(initial={"enabled": scim.enabled}),
            "custom_fields_form": CustomFieldsProvisioningForm(
                initial={"custom_fields_enabled": scim.custom_fields_enabled}
            ),
            "lms_schema": LMS_USER_SCHEMA,
            "custom_fields_keys": list(CustomField.objects.values_list("key", flat=True)),
            "rotate_form": RotateTokenForm(),
            "now": timezone.now(),
        }
    )


def _actor(request: HttpRequest) -> services.Actor:
    return services.Actor.for_request(request)


@require_POST
@portal_admin_required
def set_scim_enabled(request: HttpRequest) -> HttpResponse:
    form = ScimEnableForm(request.POST)
    enabled = form.is_valid() and form.cleaned_data["enabled"]
    if enabled and not ScimSettings.load().enabled and sso_services.scim_waits_for_sso_check():
        messages.error(
            request,
            "SCIM provisioning was not enabled: provisioned users sign in with SSO, so first run "
            "“Save and check your configuration” in Single Sign-On (SSO) and see it pass.",
        )
        return redirect("portal:settings")
    services.set_scim_enabled(enabled, actor=_actor(request))
    messages.success(request, f"SCIM provisioning {'enabled' if enabled else 'disabled'}.")
    if enabled and not ScimSettings.load().has_token:
        messages.warning(request, "Generate an API token for your identity provider.")
    return redirect("portal:settings")


@require_POST
@portal_admin_required
def set_custom_fields_provisioning(request: HttpRequest) -> HttpResponse:
    form = CustomFieldsProvisioningForm(request.POST)
    enabled = form.is_valid() and form.cleaned_data["custom_fields_enabled"]
    services.set_custom_fields_provisioning(enabled, actor=_actor(request))
    state = "now provisioned over SCIM" if enabled else "no longer provisioned over SCIM"
    messages.success(request, f"Custom user fields are {state}.")
    return redirect(reverse("portal:settings") + "#scim")


# Where a new token waits for the page that shows it, in the admin's session: only from the
# rotation's POST to the GET it redirects to, which takes it out (shown once).
NEW_TOKEN = "scim_new_token"


@portal_admin_required
def rotate_token(request: HttpRequest) -> HttpResponse:
    """POST: issue a new token and redirect to the page that shows it once (POST/redirect/GET:
    reloading that page rotates nothing). GET (an address typed in): the page."""
    if request.method != "POST":
        return redirect(reverse("portal:settings") + "#scim")
    form = RotateTokenForm(request.POST)
    minutes = form.cleaned_data["grace_minutes"] if form.is_valid() else 0
    grace = dt.timedelta(minutes=minutes) if minutes else None
    token = services.rotate_scim_token(actor=_actor(request), grace=grace)
    request.session[NEW_TOKEN] = {"token": token, "grace_minutes": minutes}
    return redirect(reverse("portal:settings") + "#scim")


def new_token_once(request: HttpRequest) -> dict:
    """The token a rotation just issued, taken out of the session: shown by one page only."""
    issued = request.session.pop(NEW_TOKEN, None)
    if not issued:
        return {}
    return {"new_token": issued["token"], "grace_minutes": issued["grace_minutes"]}


@portal_admin_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["source"]:
            events = events.filter(source=data["source"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["action"]:
            events = events.filter(event_type=data["action"])
        if data["user"]:
            events = events.filter(
                Q(target_label__icontains=data["user"])
                | Q(target_user__username__icontains=data["user"])
            )
    page = Paginator(events.order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "portal/events/list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@portal_admin_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent.objects.select_related("target_user"), pk=pk)
    return render(
        request, "portal/events/detail.html", {"event": event, "changes": _shown_changes(event)}
    )


def _shown(value: object) -> object:
    return ", ".join(map(str, value)) if isinstance(value, list) else value


def _shown_changes(event: AuditEvent) -> list[dict]:
    """The event's changed fields, named as its source names them (a SCIM write by its SCIM
    attributes), with their values before and after (none for a password)."""
    names = services.SCIM_NAMES if event.source == Source.SCIM else {}
    return [
        {
            "field": names.get(item["field"], item["field"]),
            "has_values": "before" in item or "after" in item,
            "before": _shown(item.get("before")),
            "after": _shown(item.get("after")),
        }
        for item in event.changes
    ]
