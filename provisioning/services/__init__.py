"""Provisioning use cases: the SCIM switch and token, and users as an IdP changes them.

* ``events``: provisioning in the audit trail (accounts'). Each use case runs in one
  transaction and records itself inside it; a refused SCIM write is rolled back whole, then
  recorded once, by the API.
* ``scim_settings``: the SCIM switch, the API token and its check.
* ``oauth_clients``: OAuth 2.0 clients of the SCIM API, their secrets and access tokens.
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
from provisioning.services.oauth_clients import (
    NewCredentials,
    OAuthClientError,
    OAuthClientNotFound,
    OAuthScimClient,
    access_token_lifetime,
    authenticate_access_token,
    client_actor,
    create_oauth_client,
    oauth_client_named,
    revoke_oauth_client,
    rotate_oauth_client_secret,
    save_access_token,
    set_oauth_token_lifetime,
    valid_secret,
)
from provisioning.services.scim_settings import (
    LAST_USED_RESOLUTION,
    ScimClient,
    authenticate_scim_token,
    rotate_scim_token,
    set_custom_fields_provisioning,
    set_scim_enabled,
    writes_custom_fields,
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
    "NewCredentials",
    "OAuthClientError",
    "OAuthClientNotFound",
    "OAuthScimClient",
    "ProvisioningError",
    "ScimClient",
    "UnknownBranch",
    "UnknownUserType",
    "access_token_lifetime",
    "authenticate_access_token",
    "authenticate_scim_token",
    "canonical_values",
    "client_actor",
    "create_oauth_client",
    "delete_group",
    "delete_user",
    "idp_password_validators",
    "oauth_client_named",
    "patch_group",
    "patch_user",
    "provision_group",
    "provision_user",
    "record_event",
    "record_refused_group_write",
    "record_refused_write",
    "replace_group",
    "replace_user",
    "revoke_oauth_client",
    "rotate_oauth_client_secret",
    "rotate_scim_token",
    "save_access_token",
    "set_custom_fields_provisioning",
    "set_oauth_token_lifetime",
    "set_scim_enabled",
    "valid_secret",
    "writes_custom_fields",
]
