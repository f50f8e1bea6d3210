"""Provisioning pages: Account & Settings → SCIM provisioning (enable, the API token, custom
fields), and the log (the audit trail of every path: portal, back office, SCIM, SSO, commands).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.models import CustomField
from accounts.permissions import portal_admin_required
from provisioning import services, sso_services
from provisioning.forms import (
    CustomFieldsProvisioningForm,
    RotateTokenForm,
    ScimEnableForm,
)
from provisioning.models import OAuthClient, ScimSettings, SsoSettings
from provisioning.scim.constants import LMS_USER_SCHEMA


def scim_base_url(request: HttpRequest) -> str:
    """What the IdP admin pastes: absolute, from PUBLIC_URL or else the request itself."""
    root = settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    return f"{root}/api/scim2"


def scim_section(request: HttpRequest) -> dict:
    """Context of Account & Settings → SCIM provisioning, with whether SSO has been checked
    (provisioned users sign in with it)."""
    scim = ScimSettings.load()
    return new_token_once(request) | {
        "scim": scim,
        "sso": SsoSettings.load(),
        "scim_waits_for_sso_check": sso_services.scim_waits_for_sso_check(),
        "scim_base_url": scim_base_url(request),
        "scim_form": ScimEnableForm(initial={"enabled": scim.enabled}),
        "custom_fields_form": CustomFieldsProvisioningForm(
            initial={"custom_fields_enabled": scim.custom_fields_enabled}
        ),
        "lms_schema": LMS_USER_SCHEMA,
        "custom_fields_keys": list(CustomField.objects.values_list("key", flat=True)),
        "rotate_form": RotateTokenForm(),
        "oauth_client_count": OAuthClient.objects.count(),
        "now": timezone.now(),
    }


@never_cache  # it may show a new SCIM token, once
@portal_admin_required
def scim_settings(request: HttpRequest) -> HttpResponse:
    """Account & Settings → SCIM provisioning: GET shows the section; POST saves whether
    provisioning is enabled."""
    if request.method == "POST":
        return set_scim_enabled(request)
    return render(request, "portal/settings/scim.html", scim_section(request))


def _actor(request: HttpRequest) -> services.Actor:
    return services.Actor.for_request(request)


def set_scim_enabled(request: HttpRequest) -> HttpResponse:
    form = ScimEnableForm(request.POST)
    enabled = form.is_valid() and form.cleaned_data["enabled"]
    if enabled and not ScimSettings.load().enabled and sso_services.scim_waits_for_sso_check():
        messages.error(
            request,
            "SCIM provisioning was not enabled: provisioned users sign in with SSO, so first run "
            "“Save and check your configuration” in Single Sign-On (SSO) and see it pass.",
        )
        return redirect("portal:settings-scim")
    services.set_scim_enabled(enabled, actor=_actor(request))
    messages.success(request, f"SCIM provisioning {'enabled' if enabled else 'disabled'}.")
    if enabled and not ScimSettings.load().has_token:
        messages.warning(request, "Generate an API token for your identity provider.")
    return redirect("portal:settings-scim")


@portal_admin_required
def set_custom_fields_provisioning(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":  # the address typed in: the section it belongs to
        return redirect("portal:settings-scim")
    form = CustomFieldsProvisioningForm(request.POST)
    enabled = form.is_valid() and form.cleaned_data["custom_fields_enabled"]
    services.set_custom_fields_provisioning(enabled, actor=_actor(request))
    state = "now provisioned over SCIM" if enabled else "no longer provisioned over SCIM"
    messages.success(request, f"Custom user fields are {state}.")
    return redirect("portal:settings-scim")


# Where a new token waits for the page that shows it, in the admin's session: only from the
# rotation's POST to the GET it redirects to, which takes it out (shown once).
NEW_TOKEN = "scim_new_token"


@portal_admin_required
def rotate_token(request: HttpRequest) -> HttpResponse:
    """POST: issue a new token and redirect to the page that shows it once (POST/redirect/GET:
    reloading that page rotates nothing). GET (an address typed in): the page."""
    if request.method != "POST":
        return redirect("portal:settings-scim")
    form = RotateTokenForm(request.POST)
    minutes = form.cleaned_data["grace_minutes"] if form.is_valid() else 0
    grace = dt.timedelta(minutes=minutes) if minutes else None
    token = services.rotate_scim_token(actor=_actor(request), grace=grace)
    request.session[NEW_TOKEN] = {"token": token, "grace_minutes": minutes}
    return redirect("portal:settings-scim")


def new_token_once(request: HttpRequest) -> dict:
    """The token a rotation just issued, taken out of the session: shown by one page only."""
    issued = request.session.pop(NEW_TOKEN, None)
    if not issued:
        return {}
    return {"new_token": issued["token"], "grace_minutes": issued["grace_minutes"]}
