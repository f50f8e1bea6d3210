"""User types, branches and the account's defaults."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.exceptions import InvalidField, ProtectedUserType
from accounts.models import AccountSettings, Branch, UserType, available_time_zones
from accounts.services.validation import Actor, _clean_language, _clean_time_zone


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
