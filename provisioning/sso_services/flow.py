"""SP-initiated sign-in and the ACS: AuthnRequests remembered, responses validated and used.

What a SAML response is worth is decided by the pure validator (``provisioning.sso.check``);
this module adds what needs the database: the requests we sent (``SamlRequest``, single use,
``REQUEST_LIFETIME``) and the assertions already accepted (``SamlAssertionId``). A response's
purpose, sign-in or configuration check, is the one of the request it answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import Outcome, Source, User
from accounts.transactions import write_transaction
from provisioning.models import (
    EventType,
    SamlAssertionId,
    SamlPurpose,
    SamlRequest,
    SsoSettings,
)
from provisioning.services import Actor, record_event
from provisioning.sso import check, report, saml
from provisioning.sso.report import CheckReport
from provisioning.sso.steps import Refused, Step
from provisioning.sso_services.configuration import SETTINGS_LABEL, attribute_mapping
from provisioning.sso_services.users import (
    Refusal,
    RefusalKind,
    SignInRefused,
    profile_notes,
    sign_in_with_saml,
)

logger = logging.getLogger("provisioning.sso")

# How long a user may take at the IdP (password, MFA) before the request expires.
REQUEST_LIFETIME = dt.timedelta(minutes=10)


class SsoUnavailable(Exception):
    """SSO cannot start: not configured, or sign-in turned off. ``str()`` is for people."""


# SP-initiated sign-in ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginStart:
    redirect_url: str
    # The value for the browser-binding cookie ("" when the request is not bound: plain HTTP).
    browser_secret: str = ""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


PLAIN_HTTP_REFUSAL = (
    "Single sign-on is off until the portal's public address (PUBLIC_URL) is https: over plain "
    "HTTP a sign-in cannot be tied to the browser that started it."
)


def https_sign_in_possible() -> bool:
    """In production, SSO needs PUBLIC_URL on https: the sign-in is bound to the browser that
    started it by a cookie browsers send cross-site only over https (a response posted from
    another browser, login CSRF, is refused). The embedded mode, for trying the portal out,
    also runs on plain HTTP, without that binding (README)."""
    return not settings.PRODUCTION or settings.PUBLIC_URL.lower().startswith("https://")


def begin_saml_login(
    purpose: str,
    *,
    sp: saml.SpEndpoints,
    request_data: dict[str, Any],
    actor: Actor | None = None,
    next_url: str = "",
    bind_browser: bool = False,
) -> LoginStart:
    """Send the user to the IdP with an AuthnRequest, remembered until its response comes."""
    if not https_sign_in_possible():
        raise SsoUnavailable(PLAIN_HTTP_REFUSAL)
    sso = SsoSettings.load()
    if not sso.is_configured:
        raise SsoUnavailable("Single sign-on is not configured for this portal.")
    if purpose == SamlPurpose.LOGIN and not sso.enabled:
        raise SsoUnavailable("Single sign-on is turned off for this portal.")
    url, request_id = saml.authn_request(sso, sp, request_data)
    secret = secrets.token_urlsafe(32) if bind_browser else ""
    with write_transaction():
        SamlRequest.objects.filter(created_at__lt=timezone.now() - REQUEST_LIFETIME).delete()
        SamlRequest.objects.create(
            request_id=request_id,
            purpose=purpose,
            actor_label=actor.label[:200] if actor else "",
            next_url=next_url,
            browser_binding=_digest(secret) if secret else "",
        )
    return LoginStart(redirect_url=url, browser_secret=secret)


# The ACS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcsOutcome:
    """What the ACS does next: show a check report, sign a user in, or explain a refusal."""

    purpose: str = ""
    report: CheckReport | None = None
    user: User | None = None
    refusal: Refusal | None = None
    next_url: str = ""


@dataclass(frozen=True)
class AcsContext:
    """Where the response arrived: this portal's SP addresses, the request, the client."""

    sp: saml.SpEndpoints
    request_data: dict[str, Any]
    browser_secret: str = ""
    client: str = ""


def consume_saml_response(saml_response: str | None, *, context: AcsContext) -> AcsOutcome:
    """The ACS (SAML Profiles §4.1.4.3): validate the response fully, then act on its purpose.

    The purpose (sign-in or configuration check) is the one of the request it answers; a
    response that answers none is refused whole.
    """
    try:
        decoded = check.decode_response(saml_response)
        saml_request = _request_answered(decoded.in_response_to)
    except Refused as refused:
        _log_refused(refused, context, request_id="")
        return AcsOutcome(refusal=Refusal(RefusalKind.INVALID_RESPONSE, refused.message))
    if saml_request.purpose == SamlPurpose.CHECK:
        return _finish_check(decoded, saml_request, context)
    return _finish_login(decoded, saml_request, context)


def _request_answered(in_response_to: str | None) -> SamlRequest:
    if not in_response_to:
        raise Refused(
            Step.REQUEST,
            "This response was not asked for (no InResponseTo): sign-ins must start from this "
            "portal's sign-in page.",
        )
    saml_request = SamlRequest.objects.filter(request_id=in_response_to).first()
    if saml_request is None:
        raise Refused(
            Step.REQUEST,
            "This response answers a sign-in request this portal did not send (or one that "
            "has expired and been forgotten). Start the sign-in again.",
        )
    return saml_request


def _claim(saml_request: SamlRequest, browser_secret: str) -> None:
    """Use the request up, once: a second response to it is a replay."""
    now = timezone.now()
    claimed = SamlRequest.objects.filter(pk=saml_request.pk, consumed_at__isnull=True).update(
        consumed_at=now
    )
    if not claimed:
        raise Refused(
            Step.REQUEST,
            "This sign-in request has already been answered: the response was replayed.",
        )
    if saml_request.created_at < now - REQUEST_LIFETIME:
        raise Refused(
            Step.REQUEST,
            "This sign-in took too long and its request expired. Start the sign-in again.",
        )
    if saml_request.browser_binding and not hmac.compare_digest(
        saml_request.browser_binding, _digest(browser_secret)
    ):
        raise Refused(
            Step.REQUEST,
            "This response came back to a different browser than the one that started the sign-in.",
        )


def _validated(
    decoded: check.DecodedResponse, saml_request: SamlRequest, context: AcsContext
) -> check.VerifiedAssertion:
    """Steps 2-10: our request, the full validation, then the assertion ID is used up."""
    _claim(saml_request, context.browser_secret)
    sso = SsoSettings.load()
    if not sso.is_configured:
        raise Refused(Step.REQUEST, "Single sign-on is not configured.")
    now = timezone.now()
    expect = check.Expectations(
        saml_settings=saml.saml_settings(sso, context.sp),
        request_data=context.request_data,
        request_id=saml_request.request_id,
        acs_url=context.sp.acs_url,
        now=now,
    )
    assertion = check.verify(decoded, expect)
    _remember(assertion, now)
    return assertion


def _remember(assertion: check.VerifiedAssertion, now: dt.datetime) -> None:
    """SAML Profiles §4.1.4.5: an assertion ID is accepted once while it could be valid."""
    try:
        with write_transaction():
            SamlAssertionId.objects.filter(expires_at__lt=now).delete()
            SamlAssertionId.objects.create(
                assertion_id=assertion.assertion_id, expires_at=assertion.expires_at
            )
    except IntegrityError:
        raise Refused(
            Step.REPLAY, "This assertion has already been used: refused as a replay."
        ) from None


def _log_refused(refused: Refused, context: AcsContext, *, request_id: str) -> None:
    logger.warning(
        # %r: the detail quotes unsigned fields of the response, which must not forge lines.
        "SAML response refused at step %s (code %s): %r %r [request %s, client %s]",
        refused.step.value,
        refused.code,
        refused.message,
        refused.detail,
        request_id or "-",
        context.client or "-",
    )


# "Save and check your configuration" ---------------------------------------------------------


def _finish_check(
    decoded: check.DecodedResponse, saml_request: SamlRequest, context: AcsContext
) -> AcsOutcome:
    """Check mode: nobody is signed in; the report says what came and what each step found."""
    mapping = attribute_mapping(SsoSettings.load())
    try:
        assertion = _validated(decoded, saml_request, context)
    except Refused as refused:
        _log_refused(refused, context, request_id=saml_request.request_id)
        attributes = check.unverified_attributes(decoded.xml)
        result = report.refused_report(refused, attributes, mapping)
        if refused.step == Step.REQUEST:
            # Not an answer to the admin's check (used up, or from another browser): anyone
            # could post it, so it must not overwrite the recorded outcome of the check.
            return AcsOutcome(purpose=SamlPurpose.CHECK, report=result)
    else:
        profile = report.profile(assertion.attributes, mapping)
        result = report.verified_report(assertion, mapping, notes=profile_notes(profile))
    record_sso_check(result, actor=_check_actor(saml_request, context))
    return AcsOutcome(purpose=SamlPurpose.CHECK, report=result)


def _check_actor(saml_request: SamlRequest, context: AcsContext) -> Actor:
    """Who ran the check: the portal admin who started it, in the browser it answers."""
    if not saml_request.actor_label:
        return Actor(label="sso:check", source=Source.SSO).at(context.client)
    return Actor(label=saml_request.actor_label, source=Source.PORTAL).at(context.client)


def record_sso_check(result: CheckReport, *, actor: Actor) -> SsoSettings:
    """Remember the check's outcome on the settings and in the provisioning log."""
    with write_transaction():
        sso = SsoSettings.objects.select_for_update().get(pk=SsoSettings.load().pk)
        sso.checked_at, sso.check_passed = timezone.now(), result.passed
        sso.save(update_fields=["checked_at", "check_passed", "updated_at"])
        record_event(
            EventType.SSO_CHECKED,
            actor=actor,
            label=SETTINGS_LABEL,
            outcome=Outcome.SUCCESS if result.passed else Outcome.REFUSED,
            detail=result.summary(),
        )
    logger.info("SSO configuration check by %s: %s", actor.label, result.summary())
    return sso


# Sign-in -------------------------------------------------------------------------------------


def _finish_login(
    decoded: check.DecodedResponse, saml_request: SamlRequest, context: AcsContext
) -> AcsOutcome:
    try:
        assertion = _validated(decoded, saml_request, context)
    except Refused as refused:
        _log_refused(refused, context, request_id=saml_request.request_id)
        return AcsOutcome(
            purpose=SamlPurpose.LOGIN,
            refusal=Refusal(RefusalKind.INVALID_RESPONSE, refused.message),
        )
    try:
        user = sign_in_with_saml(assertion.attributes, client=context.client)
    except SignInRefused as error:
        return AcsOutcome(purpose=SamlPurpose.LOGIN, refusal=error.refusal)
    return AcsOutcome(purpose=SamlPurpose.LOGIN, user=user, next_url=saml_request.next_url)
