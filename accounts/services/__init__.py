"""Use cases for accounts: one function per use case, each atomic, each taking the actor.

Every path that creates or changes a user goes through here: the SCIM API, the portal's
pages, SSO, management commands and the back office. Invalid input raises the typed errors of
``accounts.exceptions``; the database constraints back up the uniqueness checks, so a race
ends with one winner and the same typed error for the loser.

Split by concern: ``validation`` (actors, new users, cleaning, uniqueness), ``users`` (the
users' use cases) and ``organization`` (user types, branches, account defaults).
"""

from accounts.services.organization import (
    BranchData,
    create_branch,
    delete_user_type,
    update_account_settings,
    update_branch,
    update_user_type,
)
from accounts.services.users import (
    create_superuser,
    create_user,
    deactivate_user,
    deleted_users_matching,
    permanently_delete_user,
    reactivate_user,
    restore_user,
    soft_delete_user,
    update_user,
)
from accounts.services.validation import (
    PROFILE_FIELDS,
    UPDATABLE_FIELDS,
    Actor,
    NewUser,
    UserChange,
)

__all__ = [
    "PROFILE_FIELDS",
    "UPDATABLE_FIELDS",
    "Actor",
    "BranchData",
    "NewUser",
    "UserChange",
    "create_branch",
    "create_superuser",
    "create_user",
    "deactivate_user",
    "delete_user_type",
    "deleted_users_matching",
    "permanently_delete_user",
    "reactivate_user",
    "restore_user",
    "soft_delete_user",
    "update_account_settings",
    "update_branch",
    "update_user",
    "update_user_type",
]
