"""Users' use cases: create, update, (de)activate (deleting: ``accounts.services.deletion``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import defaults
from accounts.exceptions import (
    GroupVersionMismatch,
    SuperAdminNotAssignable,
    UserIsDeleted,
    VersionMismatch,
)
from accounts.models import AccountSettings, Branch, EventType, Group, User, UserType
from accounts.services import audit, custom_fields, passwords
from accounts.services.validation import (
    CONTACT_LISTS,
    PROFILE_FIELDS,
    UPDATABLE_FIELDS,
    Actor,
    Checks,
    NewUser,
    UserChange,
    _clean_email,
    _clean_language,
    _clean_list,
    _clean_name,
    _clean_text,
    _clean_time_zone,
    _clean_username,
    _column_values,
    _save_unique,
    check_unique,
)
from accounts.transactions import write_transaction

# Creating ------------------------------------------------------------------------------------


def create_user(
    data: NewUser,
    *,
    actor: Actor,
    password_validators: list | None = None,
    note: str = "",
) -> User:
    """Create a user, applying the defaults rule (accounts.defaults) to what is not given.

    A password goes through ``password_validators`` (default: AUTH_PASSWORD_VALIDATORS).
    ``note`` is recorded with the event (what a client sent that was not kept).
    The password is hashed before the transaction begins: a deliberately slow hash must not
    hold a database lock (SQLite's is the whole database's).
    """
    account = AccountSettings.load()
    branches = list(data.branches)
    # Every field is checked before anything is refused: a person sees all problems at once.
    check = Checks()
    resolved = defaults.resolve(
        time_zone=check(_clean_time_zone, data.time_zone) if data.time_zone else None,
        user_type=data.user_type,
        branches=branches,
        account=account,
    )
    check(_check_user_type, resolved.user_type, actor)
    user = User(
        username=check(_clean_username, data.username, fallback=""),
        email=check(_clean_email, data.email),
        email_type=check(_clean_text, "email_type", data.email_type, fallback="")[:20],
        email_primary=data.email_primary,
        first_name=check(_clean_name, "first_name", data.first_name, fallback=""),
        last_name=check(_clean_name, "last_name", data.last_name, fallback=""),
        time_zone=resolved.time_zone,
        time_zone_inherited=resolved.time_zone_inherited,
        user_type=resolved.user_type,
        user_type_inherited=resolved.user_type_inherited,
        language=check(_clean_language, data.language) or account.default_language,
        is_active=data.is_active,
        locale=check(_clean_language, data.locale, "locale", fallback=""),
        external_id=check(_clean_text, "external_id", data.external_id, fallback=""),
        **{
            name: check(_clean_text, name, data.profile.get(name), fallback="")
            for name in PROFILE_FIELDS
        },
        **{
            name: check(_clean_list, name, getattr(data, name), fallback=[])
            for name in CONTACT_LISTS
        },
        custom_fields=check(custom_fields.clean_values, data.custom_fields, user=None, fallback={}),
        source=data.source,
        is_staff=data.is_staff,
        is_superuser=data.is_superuser,
    )
    # Refuse a taken username or email before paying for the password hash.
    check(check_unique, user.username, user.email, exclude_pk=None)
    check.raise_any()
    if data.password:
        user.set_password(passwords.validated_password(data.password, user, password_validators))
    else:
        user.set_unusable_password()
    with write_transaction():
        _save_unique(user, username=user.username, email=user.email, precheck=False)
        if branches:
            user.branches.set(branches)
        audit.record(
            EventType.USER_CREATED,
            actor=actor,
            user=user,
            changes=_created(user, branches, password=bool(data.password)),
            detail=note,
        )
    return user


def _created(user: User, branches: Sequence[Branch], *, password: bool) -> list[dict[str, Any]]:
    """What a new user was given, as changes from nothing (empty values left out)."""
    values = {name: getattr(user, name) for name in _CREATED_FIELDS}
    values["branches"] = [branch.name for branch in branches]
    given = [
        audit.change(name, None, value)
        for name, value in values.items()
        if value not in (None, "", [], {})
    ]
    return [*given, audit.change("password", None, None)] if password else given


# The fields a creation records, in the order a person reads a user.
_CREATED_FIELDS = (
    "username",
    "email",
    "email_type",
    "email_primary",
    "first_name",
    "last_name",
    "display_name",
    "external_id",
    "is_active",
    "time_zone",
    "user_type",
    "language",
    "locale",
    *sorted(PROFILE_FIELDS - {"display_name"}),
    *CONTACT_LISTS,
    "custom_fields",
)


def create_superuser(*, username: str, email: str, password: str | None, actor: Actor) -> User:
    """A SuperAdmin with back-office access, as ``manage.py createsuperuser`` makes."""
    return create_user(
        NewUser(
            username=username,
            email=email,
            password=password,
            user_type=UserType.objects.get(name=UserType.SUPER_ADMIN),
            is_staff=True,
            is_superuser=True,
        ),
        actor=actor,
    )


# Rules ----------------------------------------------------------------------------------------


def _check_user_type(user_type: UserType | None, actor: Actor) -> None:
    """SuperAdmin is assigned only by those who may (``Actor.may_assign_super_admin``)."""
    if user_type is not None and user_type.is_protected and not actor.may_assign_super_admin:
        raise SuperAdminNotAssignable(user_type.name)


def require_version(record: User | Group, expected_versions: Collection[int] | None) -> None:
    """A read-modify-write's precondition (SCIM If-Match, RFC 7644 §3.14): the user or group,
    read under lock, is still at one of the versions its writer saw; None asks nothing."""
    if expected_versions is None or record.version in expected_versions:
        return
    if isinstance(record, Group):
        raise GroupVersionMismatch(expected_versions, record.version)
    raise VersionMismatch(expected_versions, record.version)


# Changing -------------------------------------------------------------------------------------


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _write(locked: bool) -> AbstractContextManager:
    """The transaction a change runs in (see the package's docstring): the caller's, joined
    without a savepoint, when it locked the user; else an atomic block of its own."""
    if not locked:
        return write_transaction()
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("locked=True outside a transaction")
    return transaction.atomic(savepoint=False)


def _apply_change(user: User, name: str, value: Any) -> tuple[bool, Any]:
    """Set one field on ``user``; returns whether it changed, and its value before.
    Validation happens here."""
    if name == "username":
        value = _clean_username(value)
    elif name == "email":
        value = _clean_email(value)
    elif name in {"first_name", "last_name"}:
        value = _clean_name(name, value)
    elif name == "time_zone":
        value = _clean_time_zone(value)
        user.time_zone_inherited = False
    elif name == "user_type":
        user.user_type_inherited = False
    elif name in {"language", "locale"}:
        value = _clean_language(value, name)
    elif name == "email_type":
        value = _clean_text(name, value)[:20]
    elif name == "external_id" or name in PROFILE_FIELDS:
        value = _clean_text(name, value)
    elif name in CONTACT_LISTS:
        value = _clean_list(name, value)
    elif name == "custom_fields":
        value = custom_fields.clean_values(value, user=user)
    elif name == "is_active" and value != user.is_active:
        user.status_changed_at = timezone.now()
    before = getattr(user, name)
    if before == value:
        return False, before
    setattr(user, name, value)
    return True, before


def _assign_branches(user: User, branches: Sequence[Branch]) -> list[Branch] | None:
    """Set the user's branches; returns those it had before, or None if nothing changed."""
    current = list(user.branches.all())
    if {b.pk for b in current} == {b.pk for b in branches}:
        return None
    if not current and branches:
        # First branch: inherited values follow the branch's defaults (accounts.defaults).
        account = AccountSettings.load()
        if user.time_zone_inherited:
            user.time_zone = defaults.default_time_zone(branches, account)
        if user.user_type_inherited:
            user.user_type = defaults.default_user_type(branches, account)
    user.branches.set(branches)
    return current


def update_user(
    user: User,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    password_validators: list | None = None,
    locked: bool = False,
    event_type: str = EventType.USER_UPDATED,
    note: str = "",
) -> UserChange:
    """Change some of a user's fields at once, all or nothing, and record it.

    ``changes`` maps field names (``UPDATABLE_FIELDS``) to new values; a password (or a
    ``passwords.HashedPassword``) is validated, and recorded by name only.
    ``locked``: see the package's docstring.
    ``event_type`` names the write in the trail (a SCIM PUT is ``user.replaced``); a write
    that only (de)activates is recorded as that, whoever asked. ``note`` is recorded with it.
    """
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"Not updatable: {sorted(unknown)}")
    if isinstance(changes.get("password"), str) and changes["password"] and not locked:
        # Hashed before the transaction opens (accounts.services.passwords); a caller that
        # locked the user first passes it hashed (passwords.hash_password).
        changes = {**changes, "password": passwords.hash_password(changes["password"])}
    with _write(locked):
        if not locked:
            user = _locked(user)
        if user.is_deleted:
            raise UserIsDeleted(user.username)
        if "user_type" in changes:
            _check_user_type(changes["user_type"], actor)
        before = _column_values(user)
        trail = _apply_changes(user, changes, actor, password_validators)
        changed = tuple(item["field"] for item in trail)
        if changed:
            _save_unique(
                user,
                username=user.username if "username" in changed else None,
                email=user.email if "email" in changed else None,
                precheck=False,  # checked with the other fields (_apply_changes)
                # Only the columns that changed (those set alongside included, such as the
                # time of a status change): a full-row UPDATE is a measurable part of a PUT
                # (docs/performance.md).
                columns=[name for name, value in before.items() if getattr(user, name) != value],
            )
            if "password" in changed:
                passwords.password_changed(changes["password"], user, password_validators)
        if changed == ("is_active",):
            event_type = (
                EventType.USER_REACTIVATED if user.is_active else EventType.USER_DEACTIVATED
            )
        audit.record(
            event_type,
            actor=actor,
            user=user,
            changes=trail,
            detail="; ".join(part for part in (note, "" if changed else "no change") if part),
        )
    return UserChange(user=user, changed=changed)


def _apply_changes(
    user: User, changes: Mapping[str, Any], actor: Actor, password_validators: list | None
) -> list[dict[str, Any]]:
    """Apply ``changes`` to ``user`` (unsaved); the trail's entries for those that changed."""
    trail = []
    check = Checks()  # every field checked before anything is refused
    for name, value in changes.items():
        if name not in {"branches", "password"}:
            changed, before = check(_apply_change, user, name, value, fallback=(False, None))
            if changed:
                trail.append(audit.change(name, before, getattr(user, name)))
    changed_values = {item["field"] for item in trail}
    unique = {name: getattr(user, name) for name in ("username", "email") if name in changed_values}
    if unique:
        check(check_unique, unique.get("username"), unique.get("email"), exclude_pk=user.pk)
    check.raise_any()
    if "branches" in changes:
        trail += _branches_changed(user, list(changes["branches"]), actor)
    if changes.get("password"):
        passwords.set_password(user, changes["password"], password_validators)
        trail.append(audit.change("password", None, None))
    return trail


def _branches_changed(user: User, branches: list[Branch], actor: Actor) -> list[dict[str, Any]]:
    """Assign ``branches``; the trail's entries: the branches, and the inherited time zone
    and user type a first branch brings (accounts.defaults)."""
    zone, type_id = user.time_zone, user.user_type_id
    before = _assign_branches(user, branches)
    if before is None:
        return []
    trail = [audit.change("branches", [b.name for b in before], [b.name for b in branches])]
    if user.time_zone != zone:
        trail.append(audit.change("time_zone", zone, user.time_zone))
    if user.user_type_id != type_id:
        _check_user_type(user.user_type, actor)
        # Read only here: a user type a first branch replaces is rarely already loaded.
        trail.append(audit.change("user_type", UserType.objects.get(pk=type_id), user.user_type))
    return trail


def deactivate_user(user: User, *, actor: Actor) -> UserChange:
    """Make the user inactive: still listed and readable, but unable to sign in."""
    return update_user(user, {"is_active": False}, actor=actor)


def reactivate_user(user: User, *, actor: Actor) -> UserChange:
    return update_user(user, {"is_active": True}, actor=actor)
