"""Users as an IdP provisions them: create, replace, patch, delete, and purge.

Each use case runs in one transaction and writes its ``ProvisioningEvent`` inside it; a refused
request is rolled back whole and then recorded as refused. Users are only ever changed through
``accounts.services``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver

from accounts import services as accounts
from accounts.exceptions import VersionMismatch
from accounts.models import Branch, User, UserSource, UserType
from accounts.services import Actor
from provisioning import queries
from provisioning.models import EventType, ProvisioningEvent
from provisioning.scim import patch as scim_patch
from provisioning.scim import registry
from provisioning.scim.constants import LMS_USER_SCHEMA
from provisioning.scim.errors import Mutability
from provisioning.scim.parsing import ScimUser, parse_user
from provisioning.scim.representation import UserView, user_resource
from provisioning.services.events import (
    ProvisioningError,
    Subject,
    record_event,
    refusals_recorded,
)

# Portal field -> SCIM attribute name, for the provisioning log's list of changed attributes.
SCIM_NAMES = registry.names_by_field()


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


def _named(model: type[UserType] | type[Branch], name: str) -> Any:
    """The row of ``model`` with this name (case-insensitive), if any. A name longer than the
    column holds names none, and is not asked for: on SQLite, iexact is a LIKE, and a pattern
    of some 50,000 characters is an error ("LIKE or GLOB pattern too complex")."""
    name = name.strip()
    if len(name) > model._meta.get_field("name").max_length:
        return None
    return model.objects.filter(name__iexact=name).first()


def _quoted(name: str) -> str:
    return name if len(name) <= 100 else f"{name[:100]}..."


def _user_type(name: str) -> UserType:
    user_type = _named(UserType, name)
    if user_type is None:
        raise UnknownUserType(_quoted(name), list(UserType.objects.values_list("name", flat=True)))
    if user_type.is_protected:
        raise ProtectedUserTypeAssignment(user_type.name)
    return user_type


def _branch_named(name: str) -> Branch:
    branch = _named(Branch, name)
    if branch is None:
        raise UnknownBranch(_quoted(name))
    return branch


def _language(preferred: str | None) -> str:
    """preferredLanguage may be an Accept-Language list (RFC 7643 §4.1.1): keep the first tag."""
    return (preferred or "").split(",")[0].split(";")[0].strip()


def _payload_label(payload: Any) -> str:
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            if str(key).lower() == "username" and isinstance(value, str):
                return value
    return ""


def provision_user(payload: Any, *, actor: Actor) -> User:
    """RFC 7644 §3.3: create a user from a SCIM payload, defaults applied to what is absent."""
    subject = Subject(label=_payload_label(payload))
    with refusals_recorded(EventType.USER_CREATED, actor=actor, subject=subject):
        attrs = parse_user(payload)
        changed = _created_attributes(attrs)
        return accounts.create_user(
            _new_user(attrs),
            actor=actor,
            password_validators=idp_password_validators(),
            and_then=lambda user: record_event(
                EventType.USER_CREATED, actor=actor, user=user, changed=changed
            ),
        )


def _created_attributes(attrs: ScimUser) -> list[str]:
    """SCIM names of the attributes a create sets, for the provisioning log (never values)."""
    return [registry.scim_name(storage) for storage, value in attrs.items() if value != ""]


def _client_owned(attrs: ScimUser) -> dict[str, Any]:
    """The fields the IdP owns outright (the registry's): what it sends, or what an absent
    one is cleared to."""
    owned = {name: attrs.get(name, cleared) for name, cleared in registry.client_owned().items()}
    owned["language"] = _language(owned["language"])
    return owned


def _new_user(attrs: ScimUser) -> accounts.NewUser:
    owned = _client_owned(attrs)
    profile = {name: owned.pop(name) for name in accounts.PROFILE_FIELDS}
    return accounts.NewUser(
        **owned,
        password=attrs.get("password"),
        time_zone=attrs.get("time_zone") or None,
        is_active=attrs.get("is_active", True),
        user_type=_user_type(attrs["user_type__name"]) if attrs.get("user_type__name") else None,
        branches=[_branch_named(attrs["branches"])] if attrs.get("branches") else [],
        source=UserSource.SCIM,
        profile=profile,
    )


def _replacement(user: User, current: UserView, attrs: ScimUser) -> dict[str, Any]:
    """RFC 7644 §3.5.1 replace semantics, as the portal applies them.

    Client-owned optional attributes that are absent (email included) are cleared. Absent
    ``active`` and ``password`` keep the current status and password; absent time zone, user
    type and branch keep the current values (the portal requires them, or its admin set them).
    ``current`` is the user's SCIM view: a user type or branch named as it already shows is
    no change, and costs no lookup.
    """
    changes: dict[str, Any] = _client_owned(attrs)
    time_zone, type_name = attrs.get("time_zone"), attrs.get("user_type__name")
    optional = {
        "is_active": attrs.get("is_active"),
        "password": attrs.get("password"),
        # A time zone or user type sent back unchanged (a PATCH always carries them) is not
        # "given": it stays inherited, so a first branch still brings its defaults
        # (accounts.defaults). update_user would otherwise mark it explicit.
        "time_zone": None if time_zone == user.time_zone else time_zone,
        "user_type": (
            _user_type(type_name)
            if type_name and not _unchanged_type(type_name, current["user_type__name"])
            else None
        ),
    }
    changes.update({k: v for k, v in optional.items() if v is not None})
    branch_name = attrs.get("branches")
    if branch_name and not _same_name(branch_name, current["branches"]):
        branch = _branch_named(branch_name)
        if branch not in user.branches.all():
            changes["branches"] = [branch]
    return changes


def _same_name(given: str, current: str) -> bool:
    """Names of user types and branches compare case-insensitively (as ``name__iexact``)."""
    return given.strip().casefold() == current.casefold()


def _unchanged_type(given: str, current: str) -> bool:
    """The user type the user has, named again: no lookup. SuperAdmin is looked up (and so
    refused) even then: provisioning never changes a SuperAdmin, as it never makes one."""
    return _same_name(given, current) and not _same_name(given, UserType.SUPER_ADMIN)


def _update(
    user: User,
    changes: dict[str, Any],
    *,
    actor: Actor,
    event_type: str,
) -> User:
    """Apply ``changes`` to ``user`` (read under lock) and log it, in the caller's transaction."""
    change = accounts.update_user(
        user,
        changes,
        actor=actor,
        password_validators=idp_password_validators(),
        locked=True,
    )
    if change.changed == ("is_active",):
        event_type = (
            EventType.USER_REACTIVATED if change.user.is_active else EventType.USER_DEACTIVATED
        )
    # A write that changes nothing is still an accepted write: it is logged, with no names.
    record_event(
        event_type,
        actor=actor,
        user=change.user,
        changed=[SCIM_NAMES.get(name, name) for name in change.changed],
        detail="" if change.changed else "no change",
    )
    return change.user


@contextmanager
def _locked_write(
    event_type: str, scim_id: str, *, actor: Actor, expected_versions: Collection[int] | None
) -> Iterator[tuple[User, UserView]]:
    """A write to the visible user with this SCIM id: one transaction, the user and its view
    read under a row lock held until it ends, a refusal recorded (naming the user once it is
    known) after it rolled back. ``expected_versions`` (SCIM If-Match, RFC 7644 §3.14): the
    write goes ahead only if the user is at one of them."""
    subject = Subject(label=scim_id)
    with refusals_recorded(event_type, actor=actor, subject=subject), transaction.atomic():
        user, view = queries.lock_user(scim_id)
        subject.is_(user)
        if expected_versions is not None and user.version not in expected_versions:
            raise VersionMismatch(expected_versions, user.version)
        yield user, view


def replace_user(
    scim_id: str,
    payload: Any,
    *,
    actor: Actor,
    expected_versions: Collection[int] | None = None,
) -> User:
    """RFC 7644 §3.5.1 (PUT): replace the user's attributes; never creates."""
    with _locked_write(
        EventType.USER_REPLACED, scim_id, actor=actor, expected_versions=expected_versions
    ) as (user, current):
        return _update(
            user,
            _replacement(user, current, parse_user(payload)),
            actor=actor,
            event_type=EventType.USER_REPLACED,
        )


def patch_user(
    scim_id: str,
    payload: Any,
    *,
    actor: Actor,
    expected_versions: Collection[int] | None = None,
) -> User:
    """RFC 7644 §3.5.2 (PATCH): apply the operations to the current resource, all or nothing.

    The patch applies to the user as it is under the row lock: two concurrent PATCHes are
    applied one after the other, neither loses the other's change.
    """
    with _locked_write(
        EventType.USER_UPDATED, scim_id, actor=actor, expected_versions=expected_versions
    ) as (user, view):
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
        )


# The portal cannot leave these unassigned (RFC 7644 §3.5.2.2: removing a required attribute
# is a mutability error).
REQUIRED_ATTRIBUTES = registry.required_kept()


def _refuse_removing_required(current: Mapping[str, Any], patched: Mapping[str, Any]) -> None:
    for name in REQUIRED_ATTRIBUTES:
        if name in current and name not in patched:
            raise Mutability(f"{name} is required and cannot be removed; replace it instead.")


def _branch(resource: Mapping[str, Any]) -> str:
    return resource.get(LMS_USER_SCHEMA, {}).get("branch", "")


def delete_user(
    scim_id: str, *, actor: Actor, expected_versions: Collection[int] | None = None
) -> None:
    """RFC 7644 §3.6: a soft delete; the user keeps its email until permanently deleted."""
    with _locked_write(
        EventType.USER_DELETED, scim_id, actor=actor, expected_versions=expected_versions
    ) as (user, _):
        accounts.soft_delete_user(user, actor=actor, locked=True)
        record_event(EventType.USER_DELETED, actor=actor, user=user)


def purge_user(user: User, *, actor: Actor) -> None:
    """Permanently delete a soft-deleted user, freeing its username and email.

    Its personal data leaves the provisioning log too: earlier events keep what happened but
    name the user only by its opaque SCIM id.
    """
    label = f"purged user {user.scim_id}"
    with transaction.atomic():
        ProvisioningEvent.objects.filter(target_user=user).update(target_label=label)
        accounts.permanently_delete_user(user, actor=actor)
        record_event(EventType.USER_PURGED, actor=actor, label=label)
