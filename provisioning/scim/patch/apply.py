"""PATCH operations applied to a User resource (RFC 7644 §3.5.2.1-§3.5.2.3)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from provisioning.scim import attributes, common, errors, schemas
from provisioning.scim.attributes import Attribute, Schema
from provisioning.scim.patch import access, primary, values
from provisioning.scim.patch.elements import apply_to_elements
from provisioning.scim.patch.operations import ADD, REMOVE, REPLACE, PatchOperation
from provisioning.scim.patch.targets import Target, key_target, path_target


def apply_patch(
    resource: Mapping[str, Any],
    operations: Sequence[PatchOperation],
    *,
    custom: tuple[Attribute, ...] = (),
) -> dict[str, Any]:
    """Apply ``operations`` in order to a copy of ``resource`` and return it (RFC 7644 §3.5.2).

    The operations are all-or-nothing: the input is never modified, so when one raises, the
    caller still holds the untouched original. ``custom``: the custom user fields, attributes
    of the LMS extension (``scim.custom``).
    """
    result = copy.deepcopy(dict(resource))
    for operation in operations:
        primaries_before = primary.primary_values(result)
        if operation.path is None:
            _apply_without_path(result, operation, custom)
        else:
            target = path_target(operation.path, custom)
            _apply_to_target(result, operation.op, target, operation.value, custom)
        primary.keep_one_primary(result, primaries_before)
        access.drop_empty_extensions(result)
    return result


def _apply_without_path(
    resource: dict[str, Any], operation: PatchOperation, custom: tuple[Attribute, ...]
) -> None:
    """No path: the value is an object of attributes of the resource (RFC 7644 §3.5.2.1, .3)."""
    if operation.op == REMOVE:
        raise errors.NoTarget("A remove operation needs a path (RFC 7644 §3.5.2.2).")
    _apply_to_schema(resource, operation.op, schemas.USER, operation.value, custom)


def _apply_to_schema(
    resource: dict[str, Any], op: str, schema: Schema, value: Any, custom: tuple[Attribute, ...]
) -> None:
    """The keys of ``value`` are attributes of ``schema``: plain, dotted or URN-qualified."""
    if op == REMOVE:
        key = access.find_key(resource, schema.id)
        if key is not None:
            resource[key] = {}  # dropped, and undeclared, by access.drop_empty_extensions
        return
    if not isinstance(value, Mapping):
        raise errors.InvalidValue(f"The value for {schema.id} must be an object of attributes.")
    for key, item in value.items():
        target = key_target(str(key), schema, custom)
        if target is not None:
            _apply_to_target(resource, op, target, item, custom)


def _apply_to_target(
    resource: dict[str, Any], op: str, target: Target, value: Any, custom: tuple[Attribute, ...]
) -> None:
    if target.attribute is None:
        _apply_to_schema(resource, op, target.schema, value, custom)
        return
    if target.attribute is common.ID:
        raise errors.Mutability('"id" is assigned by this server and cannot be changed.')
    if _is_ignored(target):
        return
    if value is None and op != REMOVE:
        if op == ADD:
            return  # adding "unassigned" changes nothing
        op = REMOVE  # RFC 7643 §2.5: replacing with null unassigns
    if target.attribute.multi_valued and (target.value_filter or target.sub_attribute):
        apply_to_elements(resource, op, target, value)
    elif target.sub_attribute is not None:
        _apply_to_sub_attribute(resource, op, target, value)
    else:
        _apply_to_attribute(resource, op, target, value)


def _is_ignored(target: Target) -> bool:
    """Attributes the server maintains itself: IdPs send them back; see the package docstring."""
    if target.attribute is common.SCHEMAS:
        return True
    parts = (target.attribute, target.sub_attribute)
    return any(part is not None and part.mutability == attributes.READ_ONLY for part in parts)


def _apply_to_sub_attribute(resource: dict[str, Any], op: str, target: Target, value: Any) -> None:
    """One sub-attribute ("name.givenName") of a single-valued complex attribute (§3.5.2)."""
    assert target.sub_attribute is not None
    if op == REMOVE and access.container_for(resource, target.schema, create=False) is None:
        return
    # Set the sub-attribute (or, with None, drop it) and keep the others.
    sub_value = None if op == REMOVE else value
    whole = Target(target.schema, target.attribute)
    _apply_to_attribute(resource, REPLACE, whole, {target.sub_attribute.name: sub_value})


def _apply_to_attribute(resource: dict[str, Any], op: str, target: Target, value: Any) -> None:
    """A whole attribute (RFC 7644 §3.5.2.1-§3.5.2.3)."""
    attribute = target.attribute
    assert attribute is not None
    container = access.container_for(resource, target.schema, create=op != REMOVE)
    if container is None:
        return
    if op == REMOVE:
        _remove_attribute(container, attribute, value)
        return
    new = values.coerce(attribute, value)
    current = access.get(container, attribute.name)
    if attribute.multi_valued and op == ADD:
        new = _with_added(attribute, current if isinstance(current, list) else [], new)
    elif attribute.type == attributes.COMPLEX and not attribute.multi_valued:
        # Add and replace both set the sub-attributes given and keep the others (§3.5.2.1, .3).
        new = values.merged(current if isinstance(current, Mapping) else {}, new)
    access.store(container, attribute.name, new)


def _with_added(attribute: Attribute, current: list[Any], new: list[Any]) -> list[Any]:
    """Append new values; a value already there is updated in place, not duplicated."""
    result = list(current)
    for item in new:
        index = next(
            (i for i, old in enumerate(result) if values.same_item(attribute, old, item)), None
        )
        if index is None:
            result.append(item)
        elif isinstance(item, Mapping):
            # Equal only up to case: keep the stored spelling, take the other sub-attributes.
            identity = {key.name for key in values.identity_keys(attribute)}
            extra = {key: value for key, value in item.items() if key not in identity}
            result[index] = values.merged(result[index], extra)
    return result


def _remove_attribute(container: dict[str, Any], attribute: Attribute, value: Any) -> None:
    current = access.get(container, attribute.name)
    if attribute.multi_valued and value is not None and isinstance(current, list):
        access.store(container, attribute.name, _without_listed_values(attribute, current, value))
    else:
        access.delete(container, attribute.name)


# IdP quirks -------------------------------------------------------------------------------------


def _without_listed_values(attribute: Attribute, current: list[Any], value: Any) -> list[Any]:
    """Microsoft Entra ID removes members with {"op": "Remove", "path": "members", "value":
    [{"value": "<id>"}]}: with a value, remove drops only those values, not the attribute."""
    doomed = values.coerce(attribute, value)
    return [item for item in current if not any(_is_listed(attribute, item, d) for d in doomed)]


def _is_listed(attribute: Attribute, item: Any, listed: Any) -> bool:
    """``item`` agrees with ``listed`` on the "value"/"type" that ``listed`` gives."""
    if not (isinstance(item, Mapping) and isinstance(listed, Mapping)):
        return item == listed
    keys = [
        key for key in values.identity_keys(attribute) if access.get(listed, key.name) is not None
    ]
    return bool(keys) and all(
        values.same_value(key, access.get(item, key.name), access.get(listed, key.name))
        for key in keys
    )
