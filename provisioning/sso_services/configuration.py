"""SSO settings: saving them, the attribute mapping they define, and the SCIM gate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts.transactions import write_transaction
from provisioning.models import EventType, SsoSettings
from provisioning.services import Actor, record_event
from provisioning.sso import report

SETTINGS_LABEL = "SAML SSO"

SETTINGS_FIELDS = frozenset(
    {
        "enabled",
        "idp_entity_id",
        "idp_sso_url",
        "idp_slo_url",
        "idp_certificate",
        "idp_cert_fingerprint",
        "idp_cert_fingerprint_algorithm",
        "attr_username",
        "attr_first_name",
        "attr_last_name",
        "attr_email",
        "attr_time_zone",
        "attr_user_type",
        "attr_branch",
        "ignore_attribute_namespace",
        "create_unknown_users",
    }
)
# Changing these does not change what a check tested, so it keeps its result.
_UNCHECKED_FIELDS = frozenset({"enabled", "create_unknown_users"})


def save_sso_settings(data: Mapping[str, Any], *, actor: Actor) -> SsoSettings:
    """Save validated settings (``SsoSettingsForm``); a change clears the last check."""
    unknown = set(data) - SETTINGS_FIELDS
    if unknown:
        raise ValueError(f"Not SSO settings: {sorted(unknown)}")
    with write_transaction():
        sso = SsoSettings.objects.select_for_update().get(pk=SsoSettings.load().pk)
        changed = [name for name, value in data.items() if getattr(sso, name) != value]
        for name in changed:
            setattr(sso, name, data[name])
        if set(changed) - _UNCHECKED_FIELDS:
            sso.checked_at, sso.check_passed = None, False
        if changed:
            sso.save()
            record_event(
                EventType.SSO_CONFIGURED, actor=actor, label=SETTINGS_LABEL, changed=changed
            )
    return sso


def scim_waits_for_sso_check() -> bool:
    """Whether the settings page asks for a passed SSO check before enabling SCIM.

    Provisioning assumes users can sign in with SSO; when SSO sign-in is offered but has not
    been checked, enabling SCIM from the page waits (``manage.py scim enable`` does not).
    """
    sso = SsoSettings.load()
    return sso.sign_in_offered and not sso.check_passed


def attribute_mapping(sso: SsoSettings) -> report.AttributeMapping:
    """Which SAML attribute carries which portal field, as the settings say."""
    return report.AttributeMapping(
        username=sso.attr_username,
        first_name=sso.attr_first_name,
        last_name=sso.attr_last_name,
        email=sso.attr_email,
        time_zone=sso.attr_time_zone,
        user_type=sso.attr_user_type,
        branch=sso.attr_branch,
        ignore_namespace=sso.ignore_attribute_namespace,
    )
