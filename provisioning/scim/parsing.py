"""Parse a SCIM User payload (POST or PUT body, or a patched resource) into a ``ScimUser``.

RFC 7643 §4.1 and §4.3. Attribute names are case-insensitive (RFC 7643 §2.1). Unknown and
read-only attributes (``id``, ``meta``, ``groups``, ``roles``, ...) are ignored, as are nulls:
IdPs send what their mappings hold, and refusing a whole user over an attribute this portal does
not keep would stop provisioning for no benefit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA
from provisioning.scim.errors import InvalidSyntax, InvalidValue

# SCIM enterprise attribute -> the portal's profile field.
ENTERPRISE_FIELDS = {
    "employeeNumber": "employee_number",
    "costCenter": "cost_center",
    "organization": "organization",
    "division": "division",
    "department": "department",
}


@dataclass(frozen=True)
class ScimUser:
    """What a payload says about a user; ``None`` means the attribute was absent (or null)."""

    user_name: str
    external_id: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    display_name: str | None = None
    email: str | None = None
    email_type: str | None = None
    email_primary: bool | None = None
    active: bool | None = None
    password: str | None = None
    timezone: str | None = None
    user_type: str | None = None
    preferred_language: str | None = None
    locale: str | None = None
    branch: str | None = None
    # Portal profile field name -> value, for the enterprise attributes present.
    enterprise: Mapping[str, str] = field(default_factory=dict)


def folded(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Lower-case the keys, so that ``UserName`` and ``userName`` are the same (RFC 7643 §2.1)."""
    return {str(key).lower(): value for key, value in mapping.items()}


def _string(data: Mapping[str, Any], key: str, label: str) -> str | None:
    value = data.get(key.lower())
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidValue(f"{label} must be a string.")
    if isinstance(value, str):
        # JSON allows "\u0000"; PostgreSQL text cannot hold it, and no name or address needs it.
        if "\x00" in value:
            raise InvalidValue(f"{label} cannot contain the NUL character.")
        # JSON allows a lone surrogate ("\ud800") too: it decodes but is not text, and neither
        # database nor the password hasher can encode it.
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidValue(f"{label} holds a lone surrogate, which is not text.") from None
    return str(value)


def parse_boolean(value: Any, label: str) -> bool:
    """JSON booleans, and the strings Microsoft Entra ID sends ("True", "False")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise InvalidValue(f"{label} must be a boolean (true or false).")


def _object(data: Mapping[str, Any], key: str, label: str) -> dict[str, Any]:
    value = data.get(key.lower())
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidValue(f"{label} must be an object.")
    return folded(value)


def _primary_email(data: Mapping[str, Any]) -> dict[str, Any]:
    """The LMS keeps one email: the primary one, else the work one, else the first."""
    emails = data.get("emails")
    if emails is None:
        return {}
    if not isinstance(emails, list) or not all(isinstance(e, Mapping) for e in emails):
        raise InvalidValue("emails must be a list of objects.")
    items = [folded(e) for e in emails if folded(e).get("value") not in (None, "")]
    if not items:
        return {}
    chosen = next(
        (
            e
            for e in items
            if e.get("primary") is not None and parse_boolean(e["primary"], "primary")
        ),
        None,
    ) or next((e for e in items if str(e.get("type", "")).lower() == "work"), items[0])
    primary = chosen.get("primary")
    return {
        "email": _string(chosen, "value", "emails.value"),
        "email_type": _string(chosen, "type", "emails.type") or "",
        "email_primary": None if primary is None else parse_boolean(primary, "emails.primary"),
    }


def _enterprise(data: Mapping[str, Any]) -> dict[str, str]:
    extension = _object(data, ENTERPRISE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA)
    values = {
        name: _string(extension, scim_name, scim_name)
        for scim_name, name in ENTERPRISE_FIELDS.items()
    }
    manager = extension.get("manager")
    if isinstance(manager, Mapping):
        values["manager_ref"] = _string(folded(manager), "value", "manager.value")
    elif manager is not None:
        # Microsoft Entra ID sends the manager as a bare id string.
        values["manager_ref"] = _string(extension, "manager", "manager")
    return {name: value for name, value in values.items() if value is not None}


def parse_user(body: Any) -> ScimUser:
    """RFC 7644 §3.3 / §3.5.1: the User in a POST or PUT body."""
    if not isinstance(body, Mapping):
        raise InvalidSyntax("The request body must be a JSON object.")
    data = folded(body)
    user_name = _string(data, "userName", "userName")
    if not user_name or not user_name.strip():
        raise InvalidValue("userName is required.")
    name = _object(data, "name", "name")
    active = data.get("active")
    return ScimUser(
        user_name=user_name,
        external_id=_string(data, "externalId", "externalId"),
        given_name=_string(name, "givenName", "name.givenName"),
        family_name=_string(name, "familyName", "name.familyName"),
        display_name=_string(data, "displayName", "displayName"),
        **_primary_email(data),
        active=None if active is None else parse_boolean(active, "active"),
        password=_string(data, "password", "password"),
        timezone=_string(data, "timezone", "timezone"),
        user_type=_string(data, "userType", "userType"),
        preferred_language=_string(data, "preferredLanguage", "preferredLanguage"),
        locale=_string(data, "locale", "locale"),
        branch=_string(_object(data, LMS_USER_SCHEMA, LMS_USER_SCHEMA), "branch", "branch"),
        enterprise=_enterprise(data),
    )
