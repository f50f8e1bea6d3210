"""SAML single sign-on use cases: settings, SP-initiated sign-in, the ACS, and the check.

Like ``provisioning.services``: one function per use case, each atomic, each recording itself
in the audit trail in its transaction; users are only changed through ``accounts.services``,
whose use cases record those changes.

- ``configuration``: ``save_sso_settings``, the attribute mapping, the SCIM gate.
- ``flow``: ``begin_saml_login`` (AuthnRequest), ``consume_saml_response`` (the ACS), and
  ``record_sso_check`` for "Save and check your configuration".
- ``users``: ``sign_in_with_saml``: the user a verified assertion names, profile synced.

Logging (logger ``provisioning.sso``): every refused response or sign-in is logged at WARNING
with the step, python3-saml's error code and words, the request ID and the client address;
never attribute values, certificates or the response itself.
"""

from provisioning.sso_services.configuration import (
    SETTINGS_FIELDS,
    attribute_mapping,
    save_sso_settings,
    scim_waits_for_sso_check,
)
from provisioning.sso_services.flow import (
    PLAIN_HTTP_REFUSAL,
    REQUEST_LIFETIME,
    AcsContext,
    AcsOutcome,
    LoginStart,
    SsoUnavailable,
    begin_saml_login,
    consume_saml_response,
    https_sign_in_possible,
    record_sso_check,
)
from provisioning.sso_services.users import (
    SSO_ACTOR,
    Refusal,
    RefusalKind,
    SignInRefused,
    sign_in_with_saml,
)

__all__ = [
    "PLAIN_HTTP_REFUSAL",
    "REQUEST_LIFETIME",
    "SETTINGS_FIELDS",
    "SSO_ACTOR",
    "AcsContext",
    "AcsOutcome",
    "LoginStart",
    "Refusal",
    "RefusalKind",
    "SignInRefused",
    "SsoUnavailable",
    "attribute_mapping",
    "begin_saml_login",
    "consume_saml_response",
    "https_sign_in_possible",
    "record_sso_check",
    "save_sso_settings",
    "scim_waits_for_sso_check",
    "sign_in_with_saml",
]
