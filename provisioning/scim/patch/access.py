"""Dict access for PATCH: names are case-insensitive (RFC 7643 §2.1).

A resource as an IdP sends it may spell "userName" as "username"; these helpers find a name
whatever its case, store under the canonical one, and find the object holding a schema's
attributes (the resource itself for the core schema, an extension's object otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioning.scim import schemas
from provisioning.scim.attributes import Schema


def find_key(mapping: Mapping[str, Any], name: str) -> str | None:
    if name in mapping:
        return name
    lowered = name.lower()
    return next((k for k in mapping if isinstance(k, str) and k.lower() == lowered), None)


def get(mapping: Mapping[str, Any], name: str) -> Any:
    key = find_key(mapping, name)
    return None if key is None else mapping[key]


def delete(mapping: dict[str, Any], name: str) -> None:
    key = find_key(mapping, name)
    if key is not None:
        del mapping[key]


def store(container: dict[str, Any], name: str, value: Any) -> None:
    """Set under the canonical name; null, [] and {} mean unassigned (RFC 7643 §2.5)."""
    delete(container, name)
    if value not in (None, [], {}):
        container[name] = value


def container_for(
    resource: dict[str, Any], schema: Schema, *, create: bool
) -> dict[str, Any] | None:
    """The dict holding ``schema``'s attributes: the resource, or the extension's object."""
    if schema is schemas.USER:
        return resource
    key = find_key(resource, schema.id)
    if key is None or not isinstance(resource[key], dict):
        if not create:
            return None
        delete(resource, schema.id)
        resource[schema.id] = {}
        key = schema.id
        _declare_schema(resource, schema.id)
    return resource[key]


def _declare_schema(resource: dict[str, Any], urn: str) -> None:
    """A resource lists the extensions it uses in "schemas" (RFC 7643 §3)."""
    urns = resource.get("schemas")
    if isinstance(urns, list) and urn.lower() not in lowered(urns):
        urns.append(urn)


def drop_empty_extensions(resource: dict[str, Any]) -> None:
    """An extension left without attributes is unassigned, and no longer declared."""
    for schema in schemas.USER_RESOURCE_SCHEMAS[1:]:
        key = find_key(resource, schema.id)
        if key is not None and resource[key] in ({}, None):
            del resource[key]
            urns = resource.get("schemas")
            if isinstance(urns, list):
                resource["schemas"] = [u for u in urns if str(u).lower() != key.lower()]


def lowered(values: list[Any]) -> list[str]:
    return [v.lower() for v in values if isinstance(v, str)]
