"""Provisioning use cases: the SCIM switch and token, and users as an IdP changes them.

* ``events``: the provisioning log. Each use case runs in one transaction and writes its
  ``ProvisioningEvent`` inside it; a refused request is rolled back whole, then recorded.
* ``scim_settings``: the SCIM switch, the API token and its check.
* ``users``: users as an IdP provisions them, only ever changed through ``accounts.services``.

Errors are the domain's own (``accounts.exceptions`` and ``ProvisioningError``) or, for SCIM
wire-format problems, ``ScimError``; the API translates.
"""

from accounts.services import Actor
from provisioning.services.events import (
    WRITE_EVENTS,
    ProvisioningError,
    record_event,
    record_refused_write,
)
from provisioning.services.scim_settings import (
    LAST_USED_RESOLUTION,
    ScimClient,
    authenticate_scim_token,
    rotate_scim_token,
    set_scim_enabled,
)
from provisioning.services.users import (
    REQUIRED_ATTRIBUTES,
    SCIM_NAMES,
    ProtectedUserTypeAssignment,
    UnknownBranch,
    UnknownUserType,
    canonical_values,
    delete_user,
    idp_password_validators,
    patch_user,
    provision_user,
    purge_user,
    replace_user,
)

__all__ = [
    "LAST_USED_RESOLUTION",
    "REQUIRED_ATTRIBUTES",
    "SCIM_NAMES",
    "WRITE_EVENTS",
    "Actor",
    "ProtectedUserTypeAssignment",
    "ProvisioningError",
    "ScimClient",
    "UnknownBranch",
    "UnknownUserType",
    "authenticate_scim_token",
    "canonical_values",
    "delete_user",
    "idp_password_validators",
    "patch_user",
    "provision_user",
    "purge_user",
    "record_event",
    "record_refused_write",
    "replace_user",
    "rotate_scim_token",
    "set_scim_enabled",
]
