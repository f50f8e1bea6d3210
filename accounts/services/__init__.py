"""Use cases for accounts: one function per use case, each atomic, each taking the actor.

Every path that creates or changes a user goes through here: the SCIM API, the portal's
pages, SSO, management commands and the back office. Invalid input raises the typed errors of
``accounts.exceptions``; the database constraints back up the uniqueness checks, so a race
ends with one winner and the same typed error for the loser.

Every use case records who did what in the audit trail (``audit.record``), in its own
transaction: one row per use case call, with the actor's path (``Actor.source``), address,
and each changed field's value before and after (a password by name only).

The transaction contract, the same for every caller:

* Every use case is atomic, and writes its audit row inside its transaction.
* A use case that changes a user reads it again under a row lock (``select_for_update``), in
  an atomic block of its own (a savepoint, if its caller happens to be in a transaction: a
  refusal then leaves the caller's transaction usable, as a page that shows it needs).
* Unless the caller says ``locked=True``: it read that user under a row lock in its own
  ``transaction.atomic()``, which the use case then joins without a savepoint
  (``atomic(savepoint=False)``), so the caller's reads and the change commit or roll back
  together, and a refusal dooms the whole (outside a transaction, ``locked=True`` is an
  error). This is how provisioning writes: the SCIM API reads the user and its view once.

Business rules hold on every path: SuperAdmin is assigned only by a SuperAdmin in the portal
or back office (``Actor.may_assign_super_admin``); branches and user types are found by name
one way (``branch_named``, ``user_type_named``); a write's version precondition is checked
one way (``require_version``).

Split by concern: ``validation`` (actors, new users, cleaning, uniqueness), ``passwords``
(validated, and hashed before the transaction that sets them), ``users`` (creating and
changing users), ``deletion`` (soft delete, restore, delete for good), ``groups`` (groups
and their members), ``organization`` (user types, branches, account defaults) and ``audit``
(the trail).
"""

from accounts.services.deletion import (
    deleted_users_matching,
    permanently_delete_user,
    restore_user,
    soft_delete_user,
)
from accounts.services.groups import (
    GroupChange,
    MemberChange,
    NewGroup,
    change_group,
    create_group,
    delete_group,
    groups_of,
    lock_group,
)
from accounts.services.organization import (
    BranchData,
    branch_named,
    create_branch,
    create_user_type,
    delete_user_type,
    update_account_settings,
    update_branch,
    update_user_type,
    user_type_named,
)
from accounts.services.passwords import HashedPassword, hash_password
from accounts.services.users import (
    create_superuser,
    create_user,
    deactivate_user,
    reactivate_user,
    require_version,
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
    "GroupChange",
    "HashedPassword",
    "MemberChange",
    "NewGroup",
    "NewUser",
    "UserChange",
    "branch_named",
    "change_group",
    "create_branch",
    "create_group",
    "create_superuser",
    "create_user",
    "create_user_type",
    "deactivate_user",
    "delete_group",
    "delete_user_type",
    "deleted_users_matching",
    "groups_of",
    "hash_password",
    "lock_group",
    "permanently_delete_user",
    "reactivate_user",
    "require_version",
    "restore_user",
    "soft_delete_user",
    "update_account_settings",
    "update_branch",
    "update_user",
    "update_user_type",
    "user_type_named",
]
