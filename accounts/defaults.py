"""The default-resolution rule the whole product relies on, in one place.

A user whose time zone or user type is not given gets:

1. the value given explicitly (by an admin, the IdP over SCIM, or an SSO attribute), else
2. the default of the branch the user is created in (the first branch given, in order), or
   first assigned to, when that branch has one, else
3. the account default (Account & Settings).

When a default is applied, the user remembers that its value was inherited
(``time_zone_inherited`` / ``user_type_inherited``). That matters in one case: a user created
without a branch and later assigned to its first branch takes the branch's defaults for the
values it had inherited; values that were given explicitly are never overwritten.

Changing a default later does not touch existing users: defaults are applied when a user is
created (or first assigned to a branch), never recomputed behind anyone's back. Nobody's time
zone or permissions change because an admin edited a default; the change applies to users
created from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from accounts.models import AccountSettings, Branch, UserType


@dataclass(frozen=True)
class Resolved:
    time_zone: str
    time_zone_inherited: bool
    user_type: UserType
    user_type_inherited: bool


def default_time_zone(branches: Sequence[Branch], account: AccountSettings) -> str:
    for branch in branches[:1]:
        if branch.default_time_zone:
            return branch.default_time_zone
    return account.default_time_zone


def default_user_type(branches: Sequence[Branch], account: AccountSettings) -> UserType:
    for branch in branches[:1]:
        # A branch without a default costs no query: Django reads a null key as None.
        if (user_type := branch.default_user_type) is not None:
            return user_type
    return account.default_user_type


def resolve(
    *,
    time_zone: str | None,
    user_type: UserType | None,
    branches: Sequence[Branch],
    account: AccountSettings,
) -> Resolved:
    """Apply the rule above: explicit value > first branch's default > account default."""
    return Resolved(
        time_zone=time_zone or default_time_zone(branches, account),
        time_zone_inherited=not time_zone,
        user_type=user_type or default_user_type(branches, account),
        user_type_inherited=user_type is None,
    )
