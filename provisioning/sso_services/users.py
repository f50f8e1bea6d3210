"""Signing in the user a verified assertion names: found by TargetedId, profile synced.

Users are only created or changed through ``accounts.services``, which record each sign-in's
changes in the audit trail in their transaction (actor ``sso:saml``, source SSO, the client's
address); each refusal is logged and recorded as a refused SSO sign-in. An IdP never makes
anyone SuperAdmin: that user type, if sent, is ignored, and the check says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, NoReturn

from django.db.models import TextChoices

from accounts import services as accounts
from accounts.exceptions import AccountError, EmailInUse
from accounts.models import Outcome, Source, User, UserSource, available_time_zones
from provisioning.models import EventType, SsoSettings
from provisioning.services import Actor, record_event
from provisioning.sso import check, report
from provisioning.sso_services.configuration import attribute_mapping

logger = logging.getLogger("provisioning.sso")
SSO_ACTOR = Actor(label="sso:saml", source=Source.SSO)


class RefusalKind(TextChoices):
    INVALID_RESPONSE = "invalid_response", "The sign-in response was refused"
    UNAVAILABLE = "unavailable", "Single sign-on is not available"
    UNKNOWN_USER = "unknown_user", "No such user in this portal"
    INACTIVE_USER = "inactive_user", "Your account is inactive"
    BACK_OFFICE = "back_office", "Back-office accounts do not use single sign-on"
    DELETED_USER = "deleted_user", "Your account has been deleted"
    EMAIL_IN_USE = "email_in_use", "Your email address belongs to another user"
    INVALID_PROFILE = "invalid_profile", "Your profile could not be accepted"


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    message: str


class SignInRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


_DELETED = "This account has been deleted from the portal, so it cannot sign in."
_INACTIVE = "This account is inactive, so it cannot sign in."
_BACK_OFFICE = "This is a back-office account: it signs in with its password, not with SSO."


def sign_in_with_saml(attributes: check.Attributes, *, client: str = "") -> User:
    """The portal user a verified assertion names (by TargetedId), its profile synced.

    Unknown users are refused unless ``create_unknown_users`` is on; inactive and deleted
    users are refused. Raises ``SignInRefused`` with a sentence for the person signing in.
    """
    sso = SsoSettings.load()
    mapping = attribute_mapping(sso)
    missing = report.missing_required(attributes, mapping)
    if missing:
        _refuse(RefusalKind.INVALID_RESPONSE, "", _missing_message(missing), client=client)
    if not sso.enabled:
        _refuse(RefusalKind.UNAVAILABLE, "", "Single sign-on is turned off.", client=client)
    usernames = report.attribute_values(
        attributes, mapping.username, ignore_namespace=mapping.ignore_namespace
    )
    if len(set(usernames)) > 1:
        # Taking the first would sign in whichever account the IdP happened to list first.
        _refuse(
            RefusalKind.INVALID_PROFILE,
            "",
            f"The identity provider sent {len(set(usernames))} values for the username "
            f"attribute {mapping.username!r}; it must send one. A portal administrator can run "
            "“Save and check your configuration” to see what it sends.",
            client=client,
        )
    profile = report.profile(attributes, mapping)
    user = User.objects.with_username(profile.username).first()
    if user is None:
        return _create_from_profile(profile, sso, client=client)
    if user.is_deleted:
        _refuse(RefusalKind.DELETED_USER, profile.username, _DELETED, user=user, client=client)
    if user.is_staff or user.is_superuser:
        # Back-office accounts sign in with their password only: an IdP (or whoever
        # configures SSO) must not be able to become them.
        _refuse(RefusalKind.BACK_OFFICE, profile.username, _BACK_OFFICE, user=user, client=client)
    if not user.is_active:
        _refuse(RefusalKind.INACTIVE_USER, profile.username, _INACTIVE, user=user, client=client)
    return _sync_profile(user, profile, client=client)


def _missing_message(missing: list[str]) -> str:
    return (
        f"The identity provider did not send the required attributes {', '.join(missing)}. "
        "A portal administrator can run “Save and check your configuration” to see what it sends."
    )


def _refuse(
    kind: RefusalKind,
    username: str,
    message: str,
    *,
    user: User | None = None,
    client: str = "",
) -> NoReturn:
    """Log and record a refused sign-in, then raise it (SignInRefused)."""
    logger.warning(
        "SSO sign-in refused (%s) for %r: %r [client %s]", kind.value, username, message, client
    )
    if username:
        record_event(
            EventType.SSO_SIGN_IN,
            actor=SSO_ACTOR.at(client),
            user=user,
            label=username,
            outcome=Outcome.REFUSED,
            detail=f"{kind.label}: {message}",
        )
    raise SignInRefused(Refusal(kind, message))


def _email_refusal(error: EmailInUse, profile: report.SamlProfile, client: str) -> NoReturn:
    whose = "a deleted user" if error.held_by_deleted_user else "another user"
    _refuse(
        RefusalKind.EMAIL_IN_USE,
        profile.username,
        f"Your identity provider says your email address is {error.value}, but in this portal "
        f"that address belongs to {whose}, and an email address can belong to one user only. "
        "Ask a portal administrator to free it"
        + (" (restore or permanently delete that user)." if error.held_by_deleted_user else "."),
        client=client,
    )


def _sync_profile(user: User, profile: report.SamlProfile, *, client: str) -> User:
    """The IdP is the source of truth for the mapped attributes: copy them on each sign-in."""
    changes = _profile_changes(profile)
    _log_ignored(profile, changes)
    if "branches" in changes:
        # The IdP names one branch the user belongs to; branches given in the portal stay.
        current = list(user.branches.all())
        changes["branches"] = list({b.pk: b for b in [*current, *changes["branches"]]}.values())
    try:
        # Recorded as the sign-in it is, with what it changed (nothing, most often).
        change = accounts.update_user(
            user, changes, actor=SSO_ACTOR.at(client), event_type=EventType.SSO_SIGN_IN
        )
    except EmailInUse as error:
        _email_refusal(error, profile, client)
    except AccountError as error:
        _refuse(RefusalKind.INVALID_PROFILE, profile.username, str(error), user=user, client=client)
    logger.info("SSO sign-in of %r [client %s]", change.user.username, client)
    return change.user


def _create_from_profile(profile: report.SamlProfile, sso: SsoSettings, *, client: str) -> User:
    """First sign-in of an unknown user: created with the portal's defaults, if allowed."""
    if not sso.create_unknown_users:
        _refuse(
            RefusalKind.UNKNOWN_USER,
            profile.username,
            f"There is no user {profile.username!r} in this portal. Ask a portal "
            "administrator to add you (or to have your identity provider provision you).",
            client=client,
        )
    changes = _profile_changes(profile)
    _log_ignored(profile, changes)
    new_user = accounts.NewUser(
        username=profile.username,
        email=changes["email"],
        first_name=changes["first_name"],
        last_name=changes["last_name"],
        time_zone=changes.get("time_zone"),
        user_type=changes.get("user_type"),
        branches=changes.get("branches", []),
        source=UserSource.SSO,
    )
    try:
        user = accounts.create_user(new_user, actor=SSO_ACTOR.at(client))
    except EmailInUse as error:
        _email_refusal(error, profile, client)
    except AccountError as error:
        _refuse(RefusalKind.INVALID_PROFILE, profile.username, str(error), client=client)
    logger.info("SSO sign-in created user %r [client %s]", user.username, client)
    return user


def _profile_changes(profile: report.SamlProfile) -> dict[str, Any]:
    """Portal fields from the profile; optional ones only when sent and known to the portal."""
    changes: dict[str, Any] = {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "email": profile.email,
    }
    if profile.time_zone in available_time_zones():
        changes["time_zone"] = profile.time_zone
    if profile.user_type:
        user_type = accounts.user_type_named(profile.user_type)
        # SuperAdmin is granted in the portal only: an IdP's claim to it is ignored (and
        # noted), so the user still signs in, with the user type they have.
        if user_type is not None and not user_type.is_protected:
            changes["user_type"] = user_type
    if profile.branch:
        branch = accounts.branch_named(profile.branch)
        if branch is not None:
            changes["branches"] = [branch]
    return changes


def profile_notes(profile: report.SamlProfile) -> tuple[str, ...]:
    """What the check should point out: optional values the portal would ignore."""
    return _ignored(profile, _profile_changes(profile))


def _ignored(profile: report.SamlProfile, changes: dict[str, Any]) -> tuple[str, ...]:
    sent = (
        ("time zone", "time_zone", profile.time_zone),
        ("user type", "user_type", profile.user_type),
        ("branch", "branches", profile.branch),
    )
    return tuple(
        _ignored_note(label, value) for label, key, value in sent if value and key not in changes
    )


def _ignored_note(label: str, value: str) -> str:
    user_type = accounts.user_type_named(value) if label == "user type" else None
    if user_type is not None and user_type.is_protected:
        return (
            f"The user type {value!r} is granted only in the portal, by a SuperAdmin; "
            "it would be ignored."
        )
    return f"The {label} {value!r} is not known to this portal; it would be ignored."


def _log_ignored(profile: report.SamlProfile, changes: dict[str, Any]) -> None:
    for note in _ignored(profile, changes):
        logger.warning("SSO sign-in of %r: %s", profile.username, note)
