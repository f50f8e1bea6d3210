"""SAML single sign-on over HTTP: sign-in, the ACS, SP metadata, and the settings section
(Account & Settings → Single sign-on).

Thin: each view reads the request, calls ``provisioning.sso_services`` and renders. The ACS is
CSRF-exempt because the IdP posts it from another site; the SAML response is its own proof
(signature, audience, recipient, our request's ID, single use).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import portal_admin_required
from provisioning import sso_services
from provisioning.forms import SsoSettingsForm
from provisioning.models import SamlPurpose, SsoSettings
from provisioning.services import Actor
from provisioning.sso import saml

# Holds the secret binding an AuthnRequest to the browser that sent it (HTTPS only): it must
# travel with the IdP's cross-site POST, hence SameSite=None, which browsers allow only Secure.
# The __Host- prefix makes browsers refuse it from a sibling subdomain or over plain HTTP.
BINDING_COOKIE = "__Host-lms_saml_request"
# Sessions made by SSO are checked like password ones (active, not deleted) on each request.
SESSION_BACKEND = "accounts.backends.UsernameOrEmailBackend"
MAX_NEXT_LENGTH = 2000  # SamlRequest.next_url


def sso_section(request: HttpRequest) -> dict:
    """Context of the Single Sign-On (SSO) section of Account & Settings."""
    sso = SsoSettings.load()
    return {
        "sso": sso,
        "sso_form": SsoSettingsForm.for_settings(sso),
        "sp": saml.sp_endpoints(request),
        "scim_waits_for_sso_check": sso_services.scim_waits_for_sso_check(),
        "sso_needs_https": (
            "" if sso_services.https_sign_in_possible() else sso_services.PLAIN_HTTP_REFUSAL
        ),
    }


class PortalLoginView(LoginView):
    """Django's sign-in page, offering "Sign in with SSO" when SSO is on."""

    template_name = "portal/login.html"

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(**kwargs) | {
            "sso_offered": SsoSettings.load().sign_in_offered
        }


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _safe_next(request: HttpRequest, url: str) -> str:
    """A page of this portal to go to after signing in, or "" (no open redirect)."""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # Only a path: redirect() would try to reverse a bare word as a view name.
    is_path = url.startswith("/")
    return url if is_path and allowed and len(url) <= MAX_NEXT_LENGTH else ""


def _begin(request: HttpRequest, purpose: str, *, next_url: str = "") -> HttpResponse:
    """Redirect to the IdP with a fresh AuthnRequest (SAML Bindings §3.4, HTTP-Redirect)."""
    actor = Actor.for_request(request) if purpose == SamlPurpose.CHECK else None
    try:
        start = sso_services.begin_saml_login(
            purpose,
            sp=saml.sp_endpoints(request),
            request_data=saml.request_data(request),
            actor=actor,
            next_url=next_url,
            # The public scheme (PUBLIC_URL, else the request's): behind a TLS proxy the
            # browser is on https even when this process sees http.
            bind_browser=saml.request_data(request)["https"] == "on",
        )
    except sso_services.SsoUnavailable as error:
        context = {"kind": sso_services.RefusalKind.UNAVAILABLE, "message": str(error)}
        return render(request, "portal/sso/refused.html", context, status=404)
    response = HttpResponseRedirect(start.redirect_url)
    if start.browser_secret:
        _bind_browser(response, start.browser_secret)
    return response


def _bind_browser(response: HttpResponse, secret: str) -> None:
    response.set_cookie(
        BINDING_COOKIE,
        secret,
        max_age=int(sso_services.REQUEST_LIFETIME.total_seconds()),
        path="/",  # required by the __Host- prefix
        secure=True,
        httponly=True,
        samesite="None",
    )


@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """GET /sso/saml/login/: SP-initiated sign-in; ``?check=1``: the configuration check."""
    if request.GET.get("check"):
        return start_check(request)
    return _begin(
        request, SamlPurpose.LOGIN, next_url=_safe_next(request, request.GET.get("next", ""))
    )


@portal_admin_required
def start_check(request: HttpRequest) -> HttpResponse:
    return _begin(request, SamlPurpose.CHECK)


@csrf_exempt
@never_cache
@require_POST
def acs(request: HttpRequest) -> HttpResponse:
    """POST /sso/saml/acs/: the Assertion Consumer Service (SAML Bindings §3.5, HTTP-POST)."""
    try:
        value = request.POST.get("SAMLResponse")
    except RequestDataTooBig:
        # Django would answer its bare 400 page and log an ERROR with a traceback for each
        # such request (a lever for flooding the log); its one WARNING line for a 413 stays.
        refusal = sso_services.Refusal(
            sso_services.RefusalKind.INVALID_RESPONSE,
            "The sign-in response is too large to be a SAML response.",
        )
        return _refused(request, refusal, status=413)
    context = sso_services.AcsContext(
        sp=saml.sp_endpoints(request),
        request_data=saml.request_data(request),
        browser_secret=request.COOKIES.get(BINDING_COOKIE, ""),
        client=_client(request),
    )
    outcome = sso_services.consume_saml_response(value, context=context)
    if outcome.report is not None:
        response = render(request, "portal/sso/check_report.html", {"report": outcome.report})
    elif outcome.user is not None:
        auth_login(request, outcome.user, backend=SESSION_BACKEND)
        response = redirect(_safe_next(request, outcome.next_url) or "portal:home")
    else:
        assert outcome.refusal is not None  # an outcome is a report, a user or a refusal
        response = _refused(request, outcome.refusal)
    response.delete_cookie(BINDING_COOKIE, path="/", samesite="None")
    return response


def _refused(
    request: HttpRequest, refusal: sso_services.Refusal, *, status: int | None = None
) -> HttpResponse:
    if status is None:
        status = 400 if refusal.kind == sso_services.RefusalKind.INVALID_RESPONSE else 403
    context = {"kind": refusal.kind, "message": refusal.message}
    return render(request, "portal/sso/refused.html", context, status=status)


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """GET /sso/saml/metadata/: this portal's SP metadata, for the IdP admin to import."""
    xml = saml.sp_metadata(saml.sp_endpoints(request))
    response = HttpResponse(xml, content_type=saml.METADATA_MEDIA_TYPE)
    response["Content-Disposition"] = 'inline; filename="lms-sp-metadata.xml"'
    return response


@never_cache  # the settings as they are now
@portal_admin_required
def sso_settings(request: HttpRequest) -> HttpResponse:
    """Account & Settings → Single sign-on: GET shows the section; POST is the form's two
    buttons, "Save" and "Save and check your configuration"."""
    if request.method != "POST":
        return render(request, "portal/settings/sso.html", sso_section(request))
    form = SsoSettingsForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "The SSO settings were not saved: correct the fields marked below.")
        context = sso_section(request) | {"sso_form": form}
        return render(request, "portal/settings/sso.html", context, status=400)
    sso_services.save_sso_settings(form.settings_data(), actor=Actor.for_request(request))
    if request.POST.get("action") == "check":
        return _begin(request, SamlPurpose.CHECK)
    messages.success(request, "SSO settings saved.")
    return redirect("portal:settings-sso")
