"""Provisioning use cases: the SCIM switch and token, and users as an IdP changes them.

Each use case runs in one transaction and writes its ``ProvisioningEvent`` inside it; a refused
request is rolled back whole and then recorded as refused. Users are only ever changed through
``accounts.services``. Errors are the domain's own (``accounts.exceptions`` and
``ProvisioningError``) or, for SCIM wire-format problems, ``ScimError``; the API translates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from accounts import services as accounts
from accounts.exceptions import AccountError, VersionMismatch
from accounts.models import Branch, User, UserSource, UserType
from provisioning import queries, tokens
from provisioning.models import EventType, Outcome, ProvisioningEvent, ScimSettings
from provisioning.scim import patch as scim_patch
from provisioning.scim.constants import LMS_USER_SCHEMA
from provisioning.scim.errors import Mutability, ScimError
from provisioning.scim.parsing import ScimUser, parse_user
from provisioning.scim.representation import UserView, user_resource

Actor = accounts.Actor

# How often, at most, a token's last use is written (a write per request would be wasteful).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

# Portal field -> SCIM attribute name, for the provisioning log's list of changed attributes.
SCIM_NAMES = {
    "username": "userName",
    "email": "emails",
    "email_type": "emails.type",
    "email_primary": "emails.primary",
    "first_name": "name.givenName",
    "last_name": "name.familyName",
    "display_name": "displayName",
    "external_id": "externalId",
    "is_active": "active",
    "password": "password",
    "time_zone": "timezone",
    "user_type": "userType",
    "language": "preferredLanguage",
    "locale": "locale",
    "branches": "branch",
    "employee_number": "employeeNumber",
    "cost_center": "costCenter",
    "organization": "organization",
    "division": "division",
    "department": "department",
    "manager_ref": "manager",
}


class ProvisioningError(Exception):
    """A provisioning request the portal refuses for a reason of its own."""


class UnknownUserType(ProvisioningError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"Unknown userType {name!r}; known user types: {', '.join(known)}.")


class ProtectedUserTypeAssignment(ProvisioningError):
    """SuperAdmin is granted in the portal by its superusers, never by an IdP."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"userType {name!r} cannot be assigned by provisioning; grant it in the portal."
        )


class UnknownBranch(ProvisioningError):
    def __init__(self, name: str) -> None:
        super().__init__(f"No branch is named {name!r}; create it in the portal first.")


# The SCIM switch and token ------------------------------------------------------------------


@dataclass(frozen=True)
class ScimClient:
    """The authenticated caller of the SCIM API (an IdP holding the token)."""

    token_prefix: str
    is_authenticated = True

    @property
    def actor(self) -> Actor:
        return Actor(label=f"scim:token {self.token_prefix}")


def _record(
    event_type: str,
    *,
    actor: Actor,
    user: User | None = None,
    label: str = "",
    changed: Sequence[str] = (),
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
) -> ProvisioningEvent:
    return ProvisioningEvent.objects.create(
        event_type=event_type,
        outcome=outcome,
        actor_label=actor.label[:200],
        target_user=user if user is not None and user.pk else None,
        target_label=(label or (user.username if user else ""))[:255],
        changed=list(changed),
        detail=detail,
    )


def set_scim_enabled(enabled: bool, *, actor: Actor) -> ScimSettings:
    with transaction.atomic():
        scim = ScimSettings.objects.select_for_update().get(pk=ScimSettings.load().pk)
        if scim.enabled != enabled:
            scim.enabled = enabled
            scim.save(update_fields=["enabled"])
            _record(EventType.SCIM_ENABLED if enabled else EventType.SCIM_DISABLED, actor=actor)
    return scim


def rotate_scim_token(*, actor: Actor, grace: dt.timedelta | None = None) -> str:
    """Issue a new token and return it (the only time it is ever visible).

    The previous token stops working at once, or after ``grace`` (zero-downtime rotation: the
    IdP admin pastes the new token while the old one still works).
    """
    new = tokens.generate_token()
    with transaction.atomic():
        scim = ScimSettings.objects.select_for_update().get(pk=ScimSettings.load().pk)
        keep_previous = bool(grace) and scim.has_token
        scim.previous_token_prefix = scim.token_prefix if keep_previous else ""
        scim.previous_token_hash = scim.token_hash if keep_previous else ""
        scim.previous_valid_until = timezone.now() + grace if keep_previous else None
        scim.token_prefix, scim.token_hash = new.prefix, new.hash
        scim.token_created_at = timezone.now()
        scim.save()
        detail = f"new token {new.prefix}" + (
            f"; previous valid for {grace}" if keep_previous else ""
        )
        _record(EventType.TOKEN_ROTATED, actor=actor, detail=detail)
    return new.token


# What authenticating a request reads of the SCIM settings: plain values, in a read compiled
# once per process (queries.Prepared), since every SCIM request runs it. Nothing is cached:
# disabling provisioning or rotating the token takes effect at the next request, everywhere.
_TOKEN_STATE = queries.Prepared(
    lambda _: ScimSettings.objects.values(
        "pk",
        "enabled",
        "token_prefix",
        "token_hash",
        "previous_token_prefix",
        "previous_token_hash",
        "previous_valid_until",
        "last_used_at",
    )[:1]
)


def authenticate_scim_token(token: str) -> ScimClient | None:
    """The SCIM client holding ``token``, or None (also when provisioning is disabled)."""
    scim = next(iter(_TOKEN_STATE.rows()), None)
    if scim is None or not scim["enabled"]:
        return None
    now = timezone.now()
    if tokens.matches(token, scim["token_hash"]):
        prefix = scim["token_prefix"]
    elif (
        scim["previous_valid_until"]
        and scim["previous_valid_until"] > now
        and tokens.matches(token, scim["previous_token_hash"])
    ):
        prefix = scim["previous_token_prefix"]
    else:
        return None
    if scim["last_used_at"] is None or now - scim["last_used_at"] > LAST_USED_RESOLUTION:
        ScimSettings.objects.filter(pk=scim["pk"]).update(last_used_at=now)
    return ScimClient(token_prefix=prefix)


# Users as the IdP sees them -----------------------------------------------------------------


@cache
def idp_password_validators() -> list:
    """Validators for passwords an IdP pushes (settings.SCIM_PASSWORD_VALIDATORS).

    Built once per process, as Django does for its own list: building them loads the common-
    passwords list, which cost 15-20 ms, about half of a PUT.
    """
    return password_validation.get_password_validators(settings.SCIM_PASSWORD_VALIDATORS)


@receiver(setting_changed)
def _forget_idp_password_validators(*, setting: str, **kwargs: Any) -> None:
    if setting == "SCIM_PASSWORD_VALIDATORS":
        idp_password_validators.cache_clear()


def canonical_values() -> dict[str, list[str]]:
    """Values the portal knows for SCIM attributes it resolves by name (for /Schemas)."""
    return {
        "userType": [t.name for t in UserType.objects.all() if not t.is_protected],
        "branch": list(Branch.objects.filter(is_active=True).values_list("name", flat=True)),
    }


def _user_type(name: str) -> UserType:
    user_type = UserType.objects.filter(name__iexact=name.strip()).first()
    if user_type is None:
        raise UnknownUserType(name, list(UserType.objects.values_list("name", flat=True)))
    if user_type.is_protected:
        raise ProtectedUserTypeAssignment(user_type.name)
    return user_type


def _branch_named(name: str) -> Branch:
    branch = Branch.objects.filter(name__iexact=name.strip()).first()
    if branch is None:
        raise UnknownBranch(name)
    return branch


def _language(preferred: str | None) -> str:
    """preferredLanguage may be an Accept-Language list (RFC 7643 §4.1.1): keep the first tag."""
    return (preferred or "").split(",")[0].split(";")[0].strip()


def _profile(attrs: ScimUser) -> dict[str, str]:
    return {name: attrs.enterprise.get(name, "") for name in accounts.PROFILE_FIELDS} | {
        "display_name": attrs.display_name or ""
    }


@dataclass
class _Subject:
    """Whom a write is about, as far as known when it is refused."""

    label: str
    user: User | None = None

    def is_(self, user: User) -> None:
        self.label, self.user = user.username, user


@contextmanager
def _refusals_recorded(event_type: str, *, actor: Actor, subject: _Subject) -> Iterator[None]:
    """Record a refused request after its transaction rolled back, then let the error go on."""
    try:
        yield
    except (AccountError, ProvisioningError, ScimError) as error:
        error.provisioning_event_recorded = True
        _record(
            event_type,
            actor=actor,
            user=subject.user,
            label=subject.label,
            outcome=Outcome.REFUSED,
            detail=str(error),
        )
        raise


# HTTP method of a SCIM write -> the event that records it.
WRITE_EVENTS = {
    "POST": EventType.USER_CREATED,
    "PUT": EventType.USER_REPLACED,
    "PATCH": EventType.USER_UPDATED,
    "DELETE": EventType.USER_DELETED,
}


def record_refused_write(method: str, error: Exception, *, actor: Actor, label: str) -> None:
    """Log a write refused before any use case ran (unparsable body, unknown id, ...)."""
    if method in WRITE_EVENTS and not getattr(error, "provisioning_event_recorded", False):
        _record(
            WRITE_EVENTS[method],
            actor=actor,
            label=label,
            outcome=Outcome.REFUSED,
            detail=str(error),
        )


def _payload_label(payload: Any) -> str:
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            if str(key).lower() == "username" and isinstance(value, str):
                return value
    return ""


def provision_user(payload: Any, *, actor: Actor) -> User:
    """RFC 7644 §3.3: create a user from a SCIM payload, defaults applied to what is absent."""
    subject = _Subject(label=_payload_label(payload))
    with _refusals_recorded(EventType.USER_CREATED, actor=actor, subject=subject):
        attrs = parse_user(payload)
        changed = _created_attributes(attrs)
        return accounts.create_user(
            _new_user(attrs),
            actor=actor,
            password_validators=idp_password_validators(),
            and_then=lambda user: _record(
                EventType.USER_CREATED, actor=actor, user=user, changed=changed
            ),
        )


def _created_attributes(attrs: ScimUser) -> list[str]:
    """SCIM names of the attributes a create sets, for the provisioning log (never values)."""
    given = {
        **_new_user_fields(attrs),
        **_profile(attrs),
        "user_type": attrs.user_type,
        "branches": attrs.branch,
    }
    return [SCIM_NAMES[name] for name, value in given.items() if value]


def _new_user_fields(attrs: ScimUser) -> dict[str, Any]:
    return {
        "username": attrs.user_name,
        "email": attrs.email,
        "email_type": "work" if attrs.email_type is None else attrs.email_type,
        "email_primary": True if attrs.email_primary is None else attrs.email_primary,
        "first_name": attrs.given_name or "",
        "last_name": attrs.family_name or "",
        "password": attrs.password,
        "time_zone": attrs.timezone or None,
        "language": _language(attrs.preferred_language),
        "locale": attrs.locale or "",
        "external_id": attrs.external_id or "",
        "is_active": True if attrs.active is None else attrs.active,
    }


def _new_user(attrs: ScimUser) -> accounts.NewUser:
    return accounts.NewUser(
        **_new_user_fields(attrs),
        user_type=_user_type(attrs.user_type) if attrs.user_type else None,
        branches=[_branch_named(attrs.branch)] if attrs.branch else [],
        source=UserSource.SCIM,
        profile=_profile(attrs),
    )


def _replacement(user: User, current: UserView, attrs: ScimUser) -> dict[str, Any]:
    """RFC 7644 §3.5.1 replace semantics, as the portal applies them.

    Client-owned optional attributes that are absent (email included) are cleared. Absent
    ``active`` and ``password`` keep the current status and password; absent time zone, user
    type and branch keep the current values (the portal requires them, or its admin set them).
    ``current`` is the user's SCIM view: a user type or branch named as it already shows is
    no change, and costs no lookup.
    """
    changes: dict[str, Any] = {
        "username": attrs.user_name,
        "email": attrs.email,
        "email_type": "work" if attrs.email_type is None else attrs.email_type,
        "email_primary": True if attrs.email_primary is None else attrs.email_primary,
        "first_name": attrs.given_name or "",
        "last_name": attrs.family_name or "",
        "external_id": attrs.external_id or "",
        "language": _language(attrs.preferred_language),
        "locale": attrs.locale or "",
        **_profile(attrs),
    }
    optional = {
        "is_active": attrs.active,
        "password": attrs.password,
        # A time zone or user type sent back unchanged (a PATCH always carries them) is not
        # "given": it stays inherited, so a first branch still brings its defaults
        # (accounts.defaults). update_user would otherwise mark it explicit.
        "time_zone": None if attrs.timezone == user.time_zone else attrs.timezone,
        "user_type": (
            _user_type(attrs.user_type)
            if attrs.user_type and not _same_name(attrs.user_type, current.user_type)
            else None
        ),
    }
    changes.update({k: v for k, v in optional.items() if v is not None})
    if attrs.branch and not _same_name(attrs.branch, current.branch):
        branch = _branch_named(attrs.branch)
        if branch not in user.branches.all():
            changes["branches"] = [branch]
    return changes


def _same_name(given: str, current: str) -> bool:
    """Names of user types and branches compare case-insensitively (as ``name__iexact``)."""
    return given.strip().casefold() == current.casefold()


def _update(
    user: User,
    changes: dict[str, Any],
    *,
    actor: Actor,
    event_type: str,
    expected_version: int | None,
) -> User:
    """Apply ``changes`` to ``user`` (read under lock) and log it, in the caller's transaction."""
    change = accounts.update_user(
        user,
        changes,
        actor=actor,
        expected_version=expected_version,
        password_validators=idp_password_validators(),
        locked=True,
    )
    if change.changed == ("is_active",):
        event_type = (
            EventType.USER_REACTIVATED if change.user.is_active else EventType.USER_DEACTIVATED
        )
    # A write that changes nothing is still an accepted write: it is logged, with no names.
    _record(
        event_type,
        actor=actor,
        user=change.user,
        changed=[SCIM_NAMES.get(name, name) for name in change.changed],
        detail="" if change.changed else "no change",
    )
    return change.user


def replace_user(
    scim_id: str, payload: Any, *, actor: Actor, expected_version: int | None = None
) -> User:
    """RFC 7644 §3.5.1 (PUT): replace the user's attributes; never creates."""
    subject = _Subject(label=scim_id)
    with (
        _refusals_recorded(EventType.USER_REPLACED, actor=actor, subject=subject),
        transaction.atomic(),
    ):
        user, current = queries.lock_user(scim_id)
        subject.is_(user)
        return _update(
            user,
            _replacement(user, current, parse_user(payload)),
            actor=actor,
            event_type=EventType.USER_REPLACED,
            expected_version=expected_version,
        )


def patch_user(
    scim_id: str, payload: Any, *, actor: Actor, expected_version: int | None = None
) -> User:
    """RFC 7644 §3.5.2 (PATCH): apply the operations to the current resource, all or nothing."""
    subject = _Subject(label=scim_id)
    with (
        _refusals_recorded(EventType.USER_UPDATED, actor=actor, subject=subject),
        transaction.atomic(),
    ):
        # The patch applies to the user as it is under the row lock: two concurrent PATCHes
        # are applied one after the other, neither loses the other's change.
        user, view = queries.lock_user(scim_id)
        subject.is_(user)
        operations = scim_patch.parse_patch_request(payload)
        current = user_resource(view, base_url="")
        patched = scim_patch.apply_patch(current, operations)
        _refuse_removing_required(current, patched)
        changes = _replacement(user, view, parse_user(patched))
        if _branch(current) and not _branch(patched):
            changes["branches"] = []
        return _update(
            user,
            changes,
            actor=actor,
            event_type=EventType.USER_UPDATED,
            expected_version=expected_version,
        )


# The portal cannot leave these unassigned (RFC 7644 §3.5.2.2: removing a required attribute
# is a mutability error).
REQUIRED_ATTRIBUTES = ("active", "timezone", "userType")


def _refuse_removing_required(current: Mapping[str, Any], patched: Mapping[str, Any]) -> None:
    for name in REQUIRED_ATTRIBUTES:
        if name in current and name not in patched:
            raise Mutability(f"{name} is required and cannot be removed; replace it instead.")


def _branch(resource: Mapping[str, Any]) -> str:
    return resource.get(LMS_USER_SCHEMA, {}).get("branch", "")


def delete_user(scim_id: str, *, actor: Actor, expected_version: int | None = None) -> None:
    """RFC 7644 §3.6: a soft delete; the user keeps its email until permanently deleted."""
    subject = _Subject(label=scim_id)
    with (
        _refusals_recorded(EventType.USER_DELETED, actor=actor, subject=subject),
        transaction.atomic(),
    ):
        user, _ = queries.lock_user(scim_id)
        subject.is_(user)
        if expected_version is not None and expected_version != user.version:
            raise VersionMismatch(expected_version, user.version)
        accounts.soft_delete_user(user, actor=actor)
        _record(EventType.USER_DELETED, actor=actor, user=user)


def purge_user(user: User, *, actor: Actor) -> None:
    """Permanently delete a soft-deleted user, freeing its username and email.

    Its personal data leaves the provisioning log too: earlier events keep what happened but
    name the user only by its opaque SCIM id.
    """
    label = f"purged user {user.scim_id}"
    with transaction.atomic():
        ProvisioningEvent.objects.filter(target_user=user).update(target_label=label)
        accounts.permanently_delete_user(user, actor=actor)
        _record(EventType.USER_PURGED, actor=actor, label=label)
