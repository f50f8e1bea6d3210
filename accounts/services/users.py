"""Users' use cases: create, update, (de)activate, soft delete, restore, delete for good."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import defaults
from accounts.exceptions import UserIsDeleted, UserNotDeleted, VersionMismatch
from accounts.models import AccountSettings, Branch, User, UserType
from accounts.services.validation import (
    PROFILE_FIELDS,
    UPDATABLE_FIELDS,
    Actor,
    NewUser,
    UserChange,
    _check_unique,
    _clean_email,
    _clean_language,
    _clean_name,
    _clean_text,
    _clean_time_zone,
    _clean_username,
    _column_values,
    _save_unique,
    _validated_password,
)

# Creating ------------------------------------------------------------------------------------


def create_user(
    data: NewUser,
    *,
    actor: Actor,
    password_validators: list | None = None,
    and_then: Callable[[User], object] | None = None,
) -> User:
    """Create a user, applying the defaults rule (accounts.defaults) to what is not given.

    A password goes through ``password_validators`` (default: AUTH_PASSWORD_VALIDATORS).
    ``and_then(user)`` runs in the creating transaction (e.g. to log the creation with it).
    The password is hashed before that transaction begins: a deliberately slow hash must not
    hold a database lock (SQLite's is the whole database's).
    """
    account = AccountSettings.load()
    branches = list(data.branches)
    resolved = defaults.resolve(
        time_zone=_clean_time_zone(data.time_zone) if data.time_zone else None,
        user_type=data.user_type,
        branches=branches,
        account=account,
    )
    user = User(
        username=_clean_username(data.username),
        email=_clean_email(data.email),
        email_type=_clean_text("email_type", data.email_type)[:20],
        email_primary=data.email_primary,
        first_name=_clean_name("first_name", data.first_name),
        last_name=_clean_name("last_name", data.last_name),
        time_zone=resolved.time_zone,
        time_zone_inherited=resolved.time_zone_inherited,
        user_type=resolved.user_type,
        user_type_inherited=resolved.user_type_inherited,
        language=_clean_language(data.language) or account.default_language,
        is_active=data.is_active,
        locale=_clean_language(data.locale, "locale"),
        external_id=_clean_text("external_id", data.external_id),
        **{name: _clean_text(name, data.profile.get(name)) for name in PROFILE_FIELDS},
        source=data.source,
        is_staff=data.is_staff,
        is_superuser=data.is_superuser,
    )
    # Refuse a taken username or email before paying for the password hash.
    _check_unique(user.username, user.email, exclude_pk=None)
    if data.password:
        user.set_password(_validated_password(data.password, user, password_validators))
    else:
        user.set_unusable_password()
    with transaction.atomic():
        _save_unique(user, username=user.username, email=user.email, precheck=False)
        if branches:
            user.branches.set(branches)
        if and_then is not None:
            and_then(user)
    return user


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


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _joined(locked: bool) -> AbstractContextManager:
    """The transaction a write runs in: the caller's, when it locked the user (all or nothing
    with it), else one of its own."""
    if locked and not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("locked=True outside a transaction")
    return nullcontext() if locked else transaction.atomic()


def _apply_change(user: User, name: str, value: Any) -> bool:
    """Set one field on ``user``; returns whether it changed. Validation happens here."""
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
    elif name == "is_active" and value != user.is_active:
        user.status_changed_at = timezone.now()
    if getattr(user, name) == value:
        return False
    setattr(user, name, value)
    return True


def _assign_branches(user: User, branches: Sequence[Branch]) -> bool:
    current = list(user.branches.all())
    if {b.pk for b in current} == {b.pk for b in branches}:
        return False
    if not current and branches:
        # First branch: inherited values follow the branch's defaults (accounts.defaults).
        account = AccountSettings.load()
        if user.time_zone_inherited:
            user.time_zone = defaults.default_time_zone(branches, account)
        if user.user_type_inherited:
            user.user_type = defaults.default_user_type(branches, account)
    user.branches.set(branches)
    return True


def update_user(
    user: User,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    expected_version: int | None = None,
    password_validators: list | None = None,
    locked: bool = False,
) -> UserChange:
    """Change some of a user's fields at once, all or nothing.

    ``changes`` maps field names (``UPDATABLE_FIELDS``) to new values; a password is validated
    and hashed. ``expected_version`` guards a read-modify-write (SCIM ``If-Match``).
    ``locked``: the caller read ``user`` under a row lock in its transaction, which this joins
    (else it is re-read so, in a transaction of its own).
    """
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"Not updatable: {sorted(unknown)}")
    with _joined(locked):
        if not locked:
            user = _locked(user)
        if user.is_deleted:
            raise UserIsDeleted(user.username)
        if expected_version is not None and expected_version != user.version:
            raise VersionMismatch(expected_version, user.version)
        before = _column_values(user)
        changed = [
            name
            for name, value in changes.items()
            if name not in {"branches", "password"} and _apply_change(user, name, value)
        ]
        if "branches" in changes and _assign_branches(user, list(changes["branches"])):
            changed.append("branches")
        if changes.get("password"):
            user.set_password(_validated_password(changes["password"], user, password_validators))
            changed.append("password")
        if changed:
            _save_unique(
                user,
                username=user.username if "username" in changed else None,
                email=user.email if "email" in changed else None,
                # Only the columns that changed (those set alongside included, such as the
                # time of a status change): a full-row UPDATE cost a PUT a fifth of its time.
                columns=[name for name, value in before.items() if getattr(user, name) != value],
            )
    return UserChange(user=user, changed=tuple(changed))


def deactivate_user(user: User, *, actor: Actor) -> UserChange:
    """Make the user inactive: still listed and readable, but unable to sign in."""
    return update_user(user, {"is_active": False}, actor=actor)


def reactivate_user(user: User, *, actor: Actor) -> UserChange:
    return update_user(user, {"is_active": True}, actor=actor)


def soft_delete_user(user: User, *, actor: Actor, locked: bool = False) -> User:
    """Hide the user everywhere but the deleted-users view; it keeps its username and email.

    ``locked``: as for ``update_user``.
    """
    with _joined(locked):
        if not locked:
            user = _locked(user)
        if user.is_deleted:
            return user
        user.deleted_at = timezone.now()
        user.save(update_fields=["deleted_at"])
    return user


def restore_user(user: User, *, actor: Actor) -> User:
    with transaction.atomic():
        user = _locked(user)
        if not user.is_deleted:
            return user
        user.deleted_at = None
        user.save(update_fields=["deleted_at"])
    return user


def permanently_delete_user(user: User, *, actor: Actor) -> None:
    """Delete a soft-deleted user for good, freeing its username and email."""
    with transaction.atomic():
        user = _locked(user)
        if not user.is_deleted:
            raise UserNotDeleted(user.username)
        user.delete()


def deleted_users_matching(
    *,
    usernames: Iterable[str] = (),
    emails: Iterable[str] = (),
    ids: Iterable[int] = (),
    deleted_before: dt.datetime | None = None,
) -> tuple[list[User], list[User]]:
    """Select users for permanent deletion: returns (deletable, refused because not deleted)."""
    found: dict[int, User] = {}
    for username in usernames:
        found.update({u.pk: u for u in User.objects.with_username(username)})
    for email in emails:
        found.update({u.pk: u for u in User.objects.with_email(email)})
    found.update({u.pk: u for u in User.objects.filter(pk__in=list(ids))})
    if deleted_before is not None:
        found.update(
            {u.pk: u for u in User.objects.soft_deleted().filter(deleted_at__lt=deleted_before)}
        )
    users = sorted(found.values(), key=lambda u: u.pk)
    return [u for u in users if u.is_deleted], [u for u in users if not u.is_deleted]
