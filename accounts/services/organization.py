"""User types, branches and the account's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.text import slugify

from accounts.exceptions import InvalidField, ProtectedUserType
from accounts.models import AccountSettings, Branch, EventType, UserType, available_time_zones
from accounts.services import audit
from accounts.services.validation import Actor, _clean_language, _clean_time_zone
from accounts.transactions import write_transaction

# Finding by name ------------------------------------------------------------------------------


def _named(queryset: models.QuerySet, name: str) -> Any:
    """The row with this name (case-insensitive, surrounding spaces ignored), if any. A name
    longer than the column holds names none, and is not asked for: on SQLite, iexact is a
    LIKE, and a pattern of some 50,000 characters is an error ("LIKE or GLOB pattern too
    complex")."""
    name = name.strip()
    if len(name) > queryset.model._meta.get_field("name").max_length:
        return None
    return queryset.filter(name__iexact=name).first()


def user_type_named(name: str) -> UserType | None:
    """The user type an outside system (SCIM, SSO) names, if any."""
    return _named(UserType.objects.all(), name)


def branch_named(name: str) -> Branch | None:
    """The branch an outside system (SCIM, SSO) names, if any: active branches only, since an
    inactive one takes no new members from outside (the portal's own pages list them all)."""
    return _named(Branch.objects.filter(is_active=True), name)


# User types ---------------------------------------------------------------------------------


def create_user_type(*, name: str, role: str, actor: Actor) -> UserType:
    with write_transaction():
        user_type = UserType.objects.create(name=name, role=role)
        audit.record(
            EventType.USER_TYPE_CREATED,
            actor=actor,
            label=name,
            changes=audit.changes_of({}, {"name": name, "role": role}),
        )
    return user_type


def update_user_type(user_type: UserType, *, name: str, role: str, actor: Actor) -> UserType:
    if user_type.is_protected:
        raise ProtectedUserType(user_type.name)
    with write_transaction():
        user_type = UserType.objects.select_for_update().get(pk=user_type.pk)
        before = {"name": user_type.name, "role": user_type.role}
        user_type.name, user_type.role = name, role
        user_type.save()
        audit.record(
            EventType.USER_TYPE_UPDATED,
            actor=actor,
            label=user_type.name,
            changes=audit.changes_of(before, {"name": name, "role": role}),
        )
    return user_type


def delete_user_type(user_type: UserType, *, actor: Actor) -> None:
    if user_type.is_protected:
        raise ProtectedUserType(user_type.name)
    with write_transaction():
        user_type = UserType.objects.select_for_update().get(pk=user_type.pk)
        user_type.delete()
        audit.record(EventType.USER_TYPE_DELETED, actor=actor, label=user_type.name)


# Branches and account defaults -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BranchData:
    name: str
    slug: str
    default_time_zone: str = ""
    default_user_type: UserType | None = None
    is_active: bool = True


_BRANCH_FIELDS = ("name", "slug", "default_time_zone", "default_user_type", "is_active")


def _branch_values(branch: Branch) -> dict[str, Any]:
    return {name: getattr(branch, name) for name in _BRANCH_FIELDS}


def _apply_branch(branch: Branch, data: BranchData) -> Branch:
    name = (data.name or "").strip()
    if not name:
        raise InvalidField("name", "A branch needs a name.")
    # An address not given is made from the name ("North Europe" -> "north-europe").
    slug = (data.slug or "").strip() or slugify(name)
    if not slug:
        raise InvalidField("slug", "Give the branch a short address: letters, digits and -.")
    others = Branch.objects.exclude(pk=branch.pk)
    if others.filter(name__iexact=name).exists():
        raise InvalidField("name", f"A branch named {name!r} already exists.")
    if others.filter(slug=slug).exists():
        raise InvalidField("slug", f"The address {slug!r} is taken by another branch.")
    if data.default_time_zone and data.default_time_zone not in available_time_zones():
        raise InvalidField(
            "default_time_zone",
            f"{data.default_time_zone!r} is not an IANA time zone name (e.g. Europe/Athens).",
        )
    branch.name, branch.slug = name, slug
    branch.default_time_zone = data.default_time_zone
    branch.default_user_type = data.default_user_type
    branch.is_active = data.is_active
    branch.save()
    return branch


def create_branch(data: BranchData, *, actor: Actor) -> Branch:
    with write_transaction():
        branch = _apply_branch(Branch(), data)
        audit.record(
            EventType.BRANCH_CREATED,
            actor=actor,
            label=branch.name,
            changes=audit.changes_of({}, _branch_values(branch)),
        )
    return branch


def update_branch(branch: Branch, data: BranchData, *, actor: Actor) -> Branch:
    with write_transaction():
        branch = Branch.objects.select_for_update().get(pk=branch.pk)
        before = _branch_values(branch)
        branch = _apply_branch(branch, data)
        audit.record(
            EventType.BRANCH_UPDATED,
            actor=actor,
            label=branch.name,
            changes=audit.changes_of(before, _branch_values(branch)),
        )
    return branch


_ACCOUNT_FIELDS = ("default_time_zone", "default_language", "default_user_type")


def update_account_settings(
    *,
    actor: Actor,
    default_time_zone: str | None = None,
    default_language: str | None = None,
    default_user_type: UserType | None = None,
) -> AccountSettings:
    """Change account-wide defaults; existing users keep their values (accounts.defaults)."""
    with write_transaction():
        account = AccountSettings.objects.select_for_update().get(pk=AccountSettings.load().pk)
        before = {name: getattr(account, name) for name in _ACCOUNT_FIELDS}
        if default_time_zone is not None:
            account.default_time_zone = _clean_time_zone(default_time_zone)
        if default_language is not None:
            account.default_language = _clean_language(default_language) or "en"
        if default_user_type is not None:
            account.default_user_type = default_user_type
        account.save()
        audit.record(
            EventType.ACCOUNT_SETTINGS_UPDATED,
            actor=actor,
            label="Account settings",
            changes=audit.changes_of(
                before, {name: getattr(account, name) for name in _ACCOUNT_FIELDS}
            ),
        )
    return account
