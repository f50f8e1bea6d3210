"""At most one primary element per multi-valued attribute (RFC 7643 §2.4)."""

from __future__ import annotations

import copy
from typing import Any

from provisioning.scim import schemas
from provisioning.scim.attributes import Attribute, Schema
from provisioning.scim.patch import access, values

_WITH_PRIMARY = tuple(
    (schema, attribute)
    for schema in schemas.USER_RESOURCE_SCHEMAS
    for attribute in schema.attributes
    if attribute.multi_valued and attribute.sub_attribute("primary") is not None
)


def _primaries(
    resource: dict[str, Any], schema: Schema, attribute: Attribute
) -> list[dict[str, Any]]:
    container = access.container_for(resource, schema, create=False) or {}
    items = access.get(container, attribute.name)
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and access.get(i, "primary") is True]


def primary_values(resource: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A snapshot of the elements marked primary, to tell which ones an operation set."""
    return {
        attribute.name: copy.deepcopy(_primaries(resource, schema, attribute))
        for schema, attribute in _WITH_PRIMARY
    }


def keep_one_primary(resource: dict[str, Any], before: dict[str, list[dict[str, Any]]]) -> None:
    """At most one element may be primary (RFC 7643 §2.4): the last one set wins."""
    for schema, attribute in _WITH_PRIMARY:
        primaries = _primaries(resource, schema, attribute)
        if len(primaries) < 2:
            continue
        old = before[attribute.name]
        fresh = [p for p in primaries if not any(values.same_item(attribute, p, o) for o in old)]
        winner = (fresh or primaries)[-1]
        for item in primaries:
            if item is not winner:
                access.store(item, "primary", False)
