"""Render a user as a SCIM User resource (RFC 7643 §4.1, §4.3, §3.1 meta), and project it.

Works on a plain ``UserView`` (no ORM): the caller builds it from the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA, USER_SCHEMA
from provisioning.scim.parsing import ENTERPRISE_FIELDS


@dataclass(frozen=True)
class UserView:
    id: str
    user_name: str
    email: str | None
    email_type: str
    email_primary: bool
    active: bool
    created: dt.datetime
    last_modified: dt.datetime
    version: int
    external_id: str = ""
    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    timezone: str = ""
    user_type: str = ""
    preferred_language: str = ""
    locale: str = ""
    branch: str = ""
    enterprise: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[tuple[str, str], ...] = ()  # (id, display name)


def etag(version: int) -> str:
    """RFC 7644 §3.14: a weak entity tag derived from the resource's version."""
    return f'W/"{version}"'


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _without_empty(values: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7643 §2.5: unassigned attributes are omitted rather than sent empty."""
    return {key: value for key, value in values.items() if value not in ("", None, [], {})}


def _enterprise(user: UserView, base_url: str) -> dict[str, Any]:
    values = {scim: user.enterprise.get(name, "") for scim, name in ENTERPRISE_FIELDS.items()}
    if manager := user.enterprise.get("manager_ref"):
        values["manager"] = {"value": manager, "$ref": f"{base_url}/Users/{manager}"}
    return _without_empty(values)


def _email(user: UserView) -> dict[str, Any]:
    return _without_empty(
        {"value": user.email, "type": user.email_type, "primary": user.email_primary}
    )


def user_resource(user: UserView, *, base_url: str) -> dict[str, Any]:
    """The User resource; ``base_url`` is the SCIM root, e.g. https://lms.example.com/api/scim2."""
    enterprise = _enterprise(user, base_url)
    resource = {
        "schemas": [USER_SCHEMA]
        + ([ENTERPRISE_USER_SCHEMA] if enterprise else [])
        + ([LMS_USER_SCHEMA] if user.branch else []),
        "id": user.id,
        "externalId": user.external_id,
        "userName": user.user_name,
        "name": _without_empty({"familyName": user.family_name, "givenName": user.given_name}),
        "displayName": user.display_name,
        "emails": [_email(user)] if user.email else [],
        "active": user.active,
        "timezone": user.timezone,
        "userType": user.user_type,
        "preferredLanguage": user.preferred_language,
        "locale": user.locale,
        "groups": [{"value": gid, "display": name, "type": "direct"} for gid, name in user.groups],
        ENTERPRISE_USER_SCHEMA: enterprise,
        LMS_USER_SCHEMA: {"branch": user.branch} if user.branch else {},
        "meta": {
            "resourceType": "User",
            "created": _timestamp(user.created),
            "lastModified": _timestamp(user.last_modified),
            "location": f"{base_url}/Users/{user.id}",
            "version": etag(user.version),
        },
    }
    return _without_empty(resource)


# Attributes returned whatever ``attributes`` asks for (RFC 7643 §7 "returned": "always").
ALWAYS_RETURNED = frozenset({"id", "schemas"})


def project(
    resource: Mapping[str, Any],
    *,
    attributes: Iterable[str] = (),
    excluded: Iterable[str] = (),
) -> dict[str, Any]:
    """RFC 7644 §3.4.2.5: keep only ``attributes`` (plus id and schemas), or drop ``excluded``.

    Names are case-insensitive and may be dotted (``name.givenName``) or URN-qualified.
    """
    wanted = _paths(attributes)
    unwanted = _paths(excluded)
    if wanted:
        return _keep(resource, wanted)
    if unwanted:
        return _drop(resource, unwanted)
    return dict(resource)


def _paths(names: Iterable[str]) -> dict[str, set[str]]:
    """Group ``name.sub`` paths by top-level key (lower-case); an empty set means the whole."""
    paths: dict[str, set[str]] = {}
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        urn, _, attribute = (
            name.rpartition(":") if name.lower().startswith("urn:") else ("", "", name)
        )
        top, _, sub = attribute.partition(".")
        if urn and urn.lower() != USER_SCHEMA.lower():
            top, sub = urn, attribute  # an extension's attribute
        elif not attribute:
            top = urn
        subs = paths.setdefault(top.lower(), set())
        if sub:
            subs.add(sub.lower())
        else:
            paths[top.lower()] = set()
    return paths


def _select(value: Any, subs: set[str], keep: bool) -> Any:
    if not subs:
        return value
    if isinstance(value, list):
        return [_select(item, subs, keep) for item in value]
    if isinstance(value, Mapping):
        return {k: v for k, v in value.items() if (k.split(".")[0].lower() in subs) == keep}
    return value


def _keep(resource: Mapping[str, Any], wanted: dict[str, set[str]]) -> dict[str, Any]:
    kept = {
        key: _select(value, wanted[key.lower()], True)
        for key, value in resource.items()
        if key.lower() in wanted
    }
    return _without_empty(kept) | {k: resource[k] for k in ALWAYS_RETURNED if k in resource}


def _drop(resource: Mapping[str, Any], unwanted: dict[str, set[str]]) -> dict[str, Any]:
    result = {}
    for key, value in resource.items():
        if key in ALWAYS_RETURNED or key.lower() not in unwanted:
            result[key] = value
        elif unwanted[key.lower()]:
            result[key] = _select(value, unwanted[key.lower()], False)
    return _without_empty(result) | {k: resource[k] for k in ALWAYS_RETURNED if k in resource}
