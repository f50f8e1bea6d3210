"""Provisioning use cases: the SCIM switch and token, and users as an IdP changes them.

* ``events``: provisioning in the audit trail (accounts'). Each use case runs in one
  transaction and records itself inside it; a refused SCIM write is rolled back whole, then
  recorded once, by the API.
* ``scim_settings``: the SCIM switch, the API token and its check.
* ``users``: users as an IdP provisions them, only ever changed through ``accounts.services``.
* ``groups``: groups as an IdP pushes them, the same way.

Errors are the domain's own (``accounts.exceptions`` and ``ProvisioningError``) or, for SCIM
wire-format problems, ``ScimError``; the API translates.
"""

from accounts.services import Actor
from provisioning.services.events import (
    WRITE_EVENTS,
    ProvisioningError,
    record_event,
    record_refused_group_write,
    record_refused_write,
)
from provisioning.services.groups import (
    delete_group,
    patch_group,
    provision_group,
    replace_group,
)
from provisioning.services.scim_settings import (
    LAST_USED_RESOLUTION,
    ScimClient,
    authenticate_scim_token,
    rotate_scim_token,
    set_custom_fields_provisioning,
    set_scim_enabled,
)
from provisioning.services.users import (
    REQUIRED_ATTRIBUTES,
    SCIM_NAMES,
    UnknownBranch,
    UnknownUserType,
    canonical_values,
    delete_user,
    idp_password_validators,
    patch_user,
    provision_user,
    replace_user,
)

__all__ = [
    "LAST_USED_RESOLUTION",
    "REQUIRED_ATTRIBUTES",
    "SCIM_NAMES",
    "WRITE_EVENTS",
    "Actor",
    "ProvisioningError",
    "ScimClient",
    "UnknownBranch",
    "UnknownUserType",
    "authenticate_scim_token",
    "canonical_values",
    "delete_group",
    "delete_user",
    "idp_password_validators",
    "patch_group",
    "patch_user",
    "provision_group",
    "provision_user",
    "record_event",
    "record_refused_group_write",
    "record_refused_write",
    "replace_group",
    "replace_user",
    "rotate_scim_token",
    "set_custom_fields_provisioning",
    "set_scim_enabled",
]
