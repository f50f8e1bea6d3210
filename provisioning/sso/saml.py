"""python3-saml's view of the portal: its settings dict, request data and SP metadata.

The portal is a SAML 2.0 service provider (SP) for one identity provider (IdP). Settings are
strict: signed assertions are required, deprecated algorithms (SHA-1) refused, and no
RequestedAuthnContext is sent (Okta answers a request for PasswordProtectedTransport with an
error when the user signs in with MFA or a passwordless factor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from provisioning.sso import certificates

if TYPE_CHECKING:
    from provisioning.models import SsoSettings

METADATA_MEDIA_TYPE = "application/samlmetadata+xml"

SECURITY: dict[str, Any] = {
    "authnRequestsSigned": False,
    "wantAssertionsSigned": True,
    # Okta signs the assertion by default and the response only on request; the assertion's
    # signature is what carries the user's identity (SAML Profiles §4.1.3.5).
    "wantMessagesSigned": False,
    "wantAssertionsEncrypted": False,
    "wantNameIdEncrypted": False,
    "wantNameId": True,
    "wantAttributeStatement": True,
    "allowRepeatAttributeName": False,
    "rejectDeprecatedAlgorithm": True,
    "requestedAuthnContext": False,
    # The SP's URLs come from PUBLIC_URL or a host Django checked against ALLOWED_HOSTS, and an
    # intranet portal may well be at a single-label host (http://lms/); the IdP's URLs are
    # validated by the settings form.
    "allowSingleLabelDomains": True,
    "signatureAlgorithm": OneLogin_Saml2_Constants.RSA_SHA256,
    "digestAlgorithm": OneLogin_Saml2_Constants.SHA256,
}


@dataclass(frozen=True)
class SpEndpoints:
    """What the IdP admin enters: absolute URLs of this portal as a SAML SP."""

    entity_id: str
    acs_url: str
    metadata_url: str


def absolute_url(request: HttpRequest, path: str) -> str:
    """``path`` (from ``reverse``) on PUBLIC_URL, or else on the request's own address."""
    if settings.PUBLIC_URL:
        prefix = get_script_prefix().rstrip("/")
        return settings.PUBLIC_URL + path.removeprefix(prefix)
    return request.build_absolute_uri(path)


def sp_endpoints(request: HttpRequest) -> SpEndpoints:
    """The SP entity ID is the metadata URL: unique, stable, and where its metadata lives."""
    metadata_url = absolute_url(request, reverse("sso:metadata"))
    return SpEndpoints(
        entity_id=metadata_url,
        acs_url=absolute_url(request, reverse("sso:acs")),
        metadata_url=metadata_url,
    )


def request_data(request: HttpRequest) -> dict[str, Any]:
    """The request as python3-saml reads it, to compare with Destination and Recipient.

    With PUBLIC_URL set, scheme and host come from it (the address the IdP was given, also
    behind a proxy); otherwise from the request, https as ``request.is_secure()`` says.
    """
    if settings.PUBLIC_URL:
        public = urlsplit(settings.PUBLIC_URL)
        https, host, script_name = public.scheme == "https", public.netloc, public.path
    else:
        https, host = request.is_secure(), request.get_host()
        script_name = request.META.get("SCRIPT_NAME", "")
    return {
        "https": "on" if https else "off",
        "http_host": host,
        "script_name": script_name,
        "path_info": request.path_info,
        "get_data": request.GET.dict(),
        "post_data": request.POST.dict(),
    }


def sp_settings(sp: SpEndpoints) -> dict[str, Any]:
    return {
        "entityId": sp.entity_id,
        "assertionConsumerService": {
            "url": sp.acs_url,
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
        },
        "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED,
    }


def idp_settings(sso: SsoSettings) -> dict[str, Any]:
    """The IdP part: its certificate(s) when given, else the fingerprint of the one it embeds."""
    idp: dict[str, Any] = {
        "entityId": sso.idp_entity_id,
        "singleSignOnService": {
            "url": sso.idp_sso_url,
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        },
    }
    if sso.idp_slo_url:
        idp["singleLogoutService"] = {
            "url": sso.idp_slo_url,
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        }
    if sso.idp_certificate:
        bodies = [certificates.der_base64(c) for c in _certificates(sso)]
        if len(bodies) == 1:
            idp["x509cert"] = bodies[0]
        else:
            idp["x509certMulti"] = {"signing": bodies}
    else:
        idp["certFingerprint"] = sso.idp_cert_fingerprint
        idp["certFingerprintAlgorithm"] = sso.idp_cert_fingerprint_algorithm
    return idp


def _certificates(sso: SsoSettings) -> list:
    return certificates.parse_certificates(sso.idp_certificate)


def saml_settings(sso: SsoSettings, sp: SpEndpoints) -> dict[str, Any]:
    """The whole python3-saml settings dict, strict (SAML responses are validated fully)."""
    return {
        "strict": True,
        "debug": False,
        "sp": sp_settings(sp),
        "idp": idp_settings(sso),
        "security": dict(SECURITY),
    }


def authn_request(sso: SsoSettings, sp: SpEndpoints, data: dict[str, Any]) -> tuple[str, str]:
    """An AuthnRequest (SAML Core §3.4.1) by HTTP-Redirect: (redirect URL, request ID)."""
    auth = OneLogin_Saml2_Auth(data, saml_settings(sso, sp))
    url = auth.login(set_nameid_policy=True)
    return url, auth.get_last_request_id()


class InvalidSpMetadata(RuntimeError):
    """The SP metadata python3-saml built fails its own schema check (a bug, not input)."""


def sp_metadata(sp: SpEndpoints) -> str:
    """SAML 2.0 SP metadata (SAML Metadata §2.4.4), checked against the metadata schema."""
    saml = OneLogin_Saml2_Settings(
        {"strict": True, "sp": sp_settings(sp), "security": dict(SECURITY)},
        sp_validation_only=True,
    )
    xml = saml.get_sp_metadata()
    xml = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    errors = saml.validate_metadata(xml)
    if errors:
        raise InvalidSpMetadata(", ".join(errors))
    return xml
