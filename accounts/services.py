"""Use cases for accounts: one function per use case, each atomic, each taking the actor.

Every path that creates or changes a user goes through here: the SCIM API, the portal's
pages, SSO, management commands and the back office. Invalid input raises the typed errors of
``accounts.exceptions``; the database constraints back up the uniqueness checks, so a race
ends with one winner and the same typed error for the loser.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import defaults
from accounts.exceptions import (
    EmailInUse,
    InvalidField,
    InvalidPassword,
    ProtectedUserType,
    UserIsDeleted,
    UsernameInUse,
    UserNotDeleted,
    VersionMismatch,
)
from accounts.models import (
    MAX_USERNAME_LENGTH,
    AccountSettings,
    Branch,
    User,
    UserSource,
    UserType,
    available_time_zones,
)

# BCP 47 language tags as IdPs send them ("en", "en-US"; Entra and some apps use "en_US").
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")

# Free-text profile fields: trimmed, at most 255 characters, may be empty.
PROFILE_FIELDS = frozenset(
    {
        "display_name",
        "employee_number",
        "organization",
        "division",
        "department",
        "cost_center",
        "manager_ref",
    }
)

UPDATABLE_FIELDS = PROFILE_FIELDS | frozenset(
    {
        "username",
        "email",
        "first_name",
        "last_name",
        "time_zone",
        "user_type",
        "language",
        "locale",
        "external_id",
        "branches",
        "is_active",
        "email_type",
        "email_primary",
        "password",
    }
)


@dataclass(frozen=True)
class Actor:
    """Who does something: shown in the provisioning log, never a secret."""

    label: str
    user: User | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(label=f"system:{name}")

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(label=f"user:{user.username}", user=user)


@dataclass(frozen=True, kw_only=True)
class NewUser:
    username: str
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    password: str | None = None
    time_zone: str | None = None
    user_type: UserType | None = None
    language: str | None = None
    branches: Sequence[Branch] = ()
    is_active: bool = True
    external_id: str = ""
    source: str = UserSource.MANUAL
    is_staff: bool = False
    is_superuser: bool = False
    locale: str = ""
    email_type: str = "work"
    email_primary: bool = True
    profile: Mapping[str, str] = field(default_factory=dict)  # PROFILE_FIELDS


@dataclass(frozen=True)
class UserChange:
    """The outcome of an update: the user as saved and the names of the fields that changed."""

    user: User
    changed: tuple[str, ...] = field(default=())


# Validation -----------------------------------------------------------------------------------


def _clean_username(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidField("username", "A username is required.")
    if len(value) > MAX_USERNAME_LENGTH:
        raise InvalidField("username", f"A username has at most {MAX_USERNAME_LENGTH} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidField("username", "A username cannot contain control characters.")
    return value


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidField("email", f"{value!r} is not a valid email address.") from None
    # validate_email takes up to 320 characters; the column holds fewer (PostgreSQL refuses more).
    if len(value) > _max_length("email"):
        raise InvalidField(
            "email", f"An email address has at most {_max_length('email')} characters."
        )
    return value


def _clean_name(field_name: str, value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > 150:
        raise InvalidField(field_name, "A name has at most 150 characters.")
    return value


def _clean_time_zone(value: str) -> str:
    if value not in available_time_zones():
        raise InvalidField(
            "time_zone", f"{value!r} is not an IANA time zone name (e.g. Europe/Athens)."
        )
    return value


def _clean_language(value: str | None, field_name: str = "language") -> str:
    value = (value or "").strip()
    if value and not _LANGUAGE_TAG.match(value):
        raise InvalidField(field_name, f"{value!r} is not a language tag (e.g. en or en-US).")
    if len(value) > _max_length(field_name):
        raise InvalidField(
            field_name, f"A language tag has at most {_max_length(field_name)} characters."
        )
    return value


def _max_length(field_name: str) -> int:
    return User._meta.get_field(field_name).max_length


def _clean_text(field_name: str, value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > 255:
        raise InvalidField(
            field_name, f"{field_name.replace('_', ' ')} has at most 255 characters."
        )
    return value


def _validated_password(password: str, user: User, validators: list | None) -> str:
    try:
        password_validation.validate_password(password, user, password_validators=validators)
    except ValidationError as error:
        raise InvalidPassword(list(error.messages)) from None
    return password


# Uniqueness -----------------------------------------------------------------------------------


def _check_unique(username: str | None, email: str | None, *, exclude_pk: int | None) -> None:
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if username is not None:
        holder = others.with_username(username).only("deleted_at").first()
        if holder is not None:
            raise UsernameInUse(username, held_by_deleted_user=holder.is_deleted)
    if email:
        holder = others.with_email(email).only("deleted_at").first()
        if holder is not None:
            raise EmailInUse(email, held_by_deleted_user=holder.is_deleted)


def _save_unique(
    user: User,
    *,
    username: str | None,
    email: str | None,
    precheck: bool = True,
    columns: Sequence[str] | None = None,
) -> None:
    """Save (only ``columns``, if given), turning a lost race on a unique value into the same
    typed error as the check."""
    update_fields = None if columns is None else [_FIELD_OF_COLUMN[name] for name in columns]
    if username is None and email is None:
        user.save(update_fields=update_fields)  # no unique value changes: no race to lose
        return
    if precheck:
        _check_unique(username, email, exclude_pk=user.pk)
    try:
        with transaction.atomic():
            user.save(update_fields=update_fields)
    except IntegrityError:
        # Another transaction committed the same value between our check and our write.
        _check_unique(username, email, exclude_pk=user.pk)
        raise


# Use cases ------------------------------------------------------------------------------------


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


# A user's columns by attribute name (user_type_id), and the field each belongs to.
_FIELD_OF_COLUMN = {field.attname: field.name for field in User._meta.concrete_fields}


def _column_values(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in _FIELD_OF_COLUMN}


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


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
    # A caller that locked the user runs this in its own transaction: all or nothing with it.
    with nullcontext() if locked else transaction.atomic():
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


def soft_delete_user(user: User, *, actor: Actor) -> User:
    """Hide the user everywhere but the deleted-users view; it keeps its username and email."""
    with transaction.atomic():
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


def update_user_type(user_type: UserType, *, name: str, role: str, actor: Actor) -> UserType:
    if user_type.is_protected:
        raise ProtectedUserType(user_type.name)
    user_type.name, user_type.role = name, role
    user_type.save()
    return user_type


def delete_user_type(user_type: UserType, *, actor: Actor) -> None:
    if user_type.is_protected:
        raise ProtectedUserType(user_type.name)
    user_type.delete()


# Branches and account defaults -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BranchData:
    name: str
    slug: str
    default_time_zone: str = ""
    default_user_type: UserType | None = None
    is_active: bool = True


def _apply_branch(branch: Branch, data: BranchData) -> Branch:
    name = (data.name or "").strip()
    if not name:
        raise InvalidField("name", "A branch needs a name.")
    others = Branch.objects.exclude(pk=branch.pk)
    if others.filter(name__iexact=name).exists():
        raise InvalidField("name", f"A branch named {name!r} already exists.")
    if others.filter(slug=data.slug).exists():
        raise InvalidField("slug", f"The address {data.slug!r} is taken by another branch.")
    if data.default_time_zone and data.default_time_zone not in available_time_zones():
        raise InvalidField(
            "default_time_zone",
            f"{data.default_time_zone!r} is not an IANA time zone name (e.g. Europe/Athens).",
        )
    branch.name, branch.slug = name, data.slug
    branch.default_time_zone = data.default_time_zone
    branch.default_user_type = data.default_user_type
    branch.is_active = data.is_active
    branch.save()
    return branch


def create_branch(data: BranchData, *, actor: Actor) -> Branch:
    with transaction.atomic():
        return _apply_branch(Branch(), data)


def update_branch(branch: Branch, data: BranchData, *, actor: Actor) -> Branch:
    with transaction.atomic():
        return _apply_branch(Branch.objects.select_for_update().get(pk=branch.pk), data)


def update_account_settings(
    *,
    actor: Actor,
    default_time_zone: str | None = None,
    default_language: str | None = None,
    default_user_type: UserType | None = None,
) -> AccountSettings:
    """Change account-wide defaults; existing users keep their values (accounts.defaults)."""
    with transaction.atomic():
        account = AccountSettings.objects.select_for_update().get(pk=AccountSettings.load().pk)
        if default_time_zone is not None:
            account.default_time_zone = _clean_time_zone(default_time_zone)
        if default_language is not None:
            account.default_language = _clean_language(default_language) or "en"
        if default_user_type is not None:
            account.default_user_type = default_user_type
        account.save()
    return account
