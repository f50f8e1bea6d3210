"""Users as an IdP provisions them: create, replace, patch and delete.

Users are only ever changed through ``accounts.services``, whose use cases record each change
in the audit trail; a write here reads the user under lock and hands it to them
(``locked=True``), so the read, the change and its row commit or roll back together. A refused
write is recorded once, by the API, after its rollback (``events.record_refused_write``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.signals import setting_changed
from django.dispatch import receiver

from accounts import services as accounts
from accounts.models import Branch, EventType, User, UserSource, UserType
from accounts.services import Actor
from accounts.transactions import write_transaction
from provisioning import queries
from provisioning.scim import custom as scim_custom
from provisioning.scim import patch as scim_patch
from provisioning.scim import registry
from provisioning.scim.attributes import Attribute
from provisioning.scim.constants import LMS_USER_SCHEMA
from provisioning.scim.errors import Mutability
from provisioning.scim.parsing import ScimUser, ignored_attributes, parse_user
from provisioning.scim.representation import UserView, user_resource
from provisioning.services.events import ProvisioningError

# Portal field -> SCIM attribute name, for showing a SCIM write's changed fields.
SCIM_NAMES = registry.names_by_field()


class UnknownUserType(ProvisioningError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"Unknown userType {name!r}; known user types: {', '.join(known)}.")


class UnknownBranch(ProvisioningError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"No active branch is named {name!r}; create or activate it in the portal first."
        )


@cache
def idp_password_validators() -> list:
    """Validators for passwords an IdP pushes (settings.SCIM_PASSWORD_VALIDATORS).

    Built once per process, as Django does for its own list: building them loads the common-
    passwords list, which would be a large part of each PUT (docs/performance.md).
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


def _quoted(name: str) -> str:
    return name if len(name) <= 100 else f"{name[:100]}..."


def _user_type(name: str) -> UserType:
    user_type = accounts.user_type_named(name)
    if user_type is None:
        raise UnknownUserType(_quoted(name), list(UserType.objects.values_list("name", flat=True)))
    return user_type  # SuperAdmin is refused by accounts (an IdP never assigns it)


def _branch_named(name: str) -> Branch:
    branch = accounts.branch_named(name)
    if branch is None:
        raise UnknownBranch(_quoted(name))
    return branch


def _language(preferred: str | None) -> str:
    """preferredLanguage may be an Accept-Language list (RFC 7643 §4.1.1): keep the first tag."""
    return (preferred or "").split(",")[0].split(";")[0].strip()


def provision_user(payload: Any, *, actor: Actor, custom: tuple[Attribute, ...] = ()) -> User:
    """RFC 7644 §3.3: create a user from a SCIM payload, defaults applied to what is absent.
    ``custom``: the custom user fields the API exposes (``scim.custom``; none: untouched)."""
    new_user = _new_user(parse_user(payload))
    if custom:
        new_user = replace(new_user, custom_fields=scim_custom.values_in(payload, custom))
    return accounts.create_user(
        new_user,
        actor=actor,
        password_validators=idp_password_validators(),
        note=_ignored_note(payload, custom),
    )


def _ignored_note(payload: Any, custom: tuple[Attribute, ...] = ()) -> str:
    """What the event says of the attributes a body held that are not kept."""
    ignored = ignored_attributes(payload, custom)
    return f"Ignored (not kept here): {', '.join(ignored)}" if ignored else ""


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


class UserWrite(NamedTuple):
    """A write's outcome: the user as saved, and its SCIM view as a GET would now read it."""

    user: User
    view: UserView


def _update(
    user: User,
    view: UserView,
    changes: dict[str, Any],
    *,
    actor: Actor,
    event_type: str,
    note: str = "",
) -> UserWrite:
    """Apply ``changes`` to ``user`` (read under lock, ``view`` with it), in the caller's
    transaction. A write that changes nothing is still an accepted write, and recorded so."""
    change = accounts.update_user(
        user,
        changes,
        actor=actor,
        password_validators=idp_password_validators(),
        locked=True,
        event_type=event_type,
        note=note,
    )
    return UserWrite(change.user, queries.view_after_write(change.user, view, change.changed))


@contextmanager
def _locked_write(
    scim_id: str, *, expected_versions: Collection[int] | None
) -> Iterator[tuple[User, UserView]]:
    """A write to the visible user with this SCIM id: one transaction, the user and its view
    read under a row lock held until it ends. ``expected_versions`` (SCIM If-Match, RFC 7644
    §3.14): the write goes ahead only if the user is at one of them."""
    with write_transaction():
        user, view = queries.lock_user(scim_id)
        accounts.require_version(user, expected_versions)
        yield user, view


def replace_user(
    scim_id: str,
    payload: Any,
    *,
    actor: Actor,
    expected_versions: Collection[int] | None = None,
    custom: tuple[Attribute, ...] = (),
) -> UserWrite:
    """RFC 7644 §3.5.1 (PUT): replace the user's attributes; never creates. The custom user
    fields (``custom``) are replaced too: one left out is cleared."""
    # What needs no user is done before the lock (SQLite's is the whole database's): reading
    # the body, and hashing a new password.
    attrs, note = parse_user(payload), _ignored_note(payload, custom)
    custom_values = scim_custom.values_in(payload, custom) if custom else None
    password = _hashed(attrs.get("password"))
    with _locked_write(scim_id, expected_versions=expected_versions) as (user, current):
        changes = _with_password(_replacement(user, current, attrs), password)
        if custom_values is not None:
            changes["custom_fields"] = custom_values
        return _update(
            user, current, changes, actor=actor, event_type=EventType.USER_REPLACED, note=note
        )


def patch_user(
    scim_id: str,
    payload: Any,
    *,
    actor: Actor,
    expected_versions: Collection[int] | None = None,
    custom: tuple[Attribute, ...] = (),
) -> UserWrite:
    """RFC 7644 §3.5.2 (PATCH): apply the operations to the current resource, all or nothing.

    The patch applies to the user as it is under the row lock: two concurrent PATCHes are
    applied one after the other, neither loses the other's change.
    """
    operations = scim_patch.parse_patch_request(payload)
    password = _hashed(scim_patch.password_set_by(operations))  # before the lock, as a PUT's
    with _locked_write(scim_id, expected_versions=expected_versions) as (user, view):
        current = user_resource(view, base_url="", custom=custom)
        patched = scim_patch.apply_patch(current, operations, custom=custom)
        _refuse_removing_required(current, patched)
        changes = _with_password(_replacement(user, view, parse_user(patched)), password)
        if custom:
            changes["custom_fields"] = scim_custom.values_in(patched, custom)
        if _branch(current) and not _branch(patched):
            changes["branches"] = []
        return _update(
            user,
            view,
            changes,
            actor=actor,
            event_type=EventType.USER_UPDATED,
        )


def _hashed(password: str | None) -> accounts.HashedPassword | None:
    """A password a write sets, hashed ahead of its transaction (the hash is slow)."""
    return accounts.hash_password(password) if isinstance(password, str) and password else None


def _with_password(
    changes: dict[str, Any], password: accounts.HashedPassword | None
) -> dict[str, Any]:
    """``changes`` with their password as hashed ahead, when it is that one (else it is hashed
    in the transaction, as a password found only there must be)."""
    if password is not None and changes.get("password") == password.raw:
        changes["password"] = password
    return changes


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
    with _locked_write(scim_id, expected_versions=expected_versions) as (user, _):
        accounts.soft_delete_user(user, actor=actor, locked=True)
