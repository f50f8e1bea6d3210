"""SCIM PATCH for the User resource (RFC 7644 §3.5.2), as pure Python.

``parse_patch_request`` checks a PatchOp body and returns ``PatchOperation``s; ``apply_patch``
applies them to the full SCIM representation of a user (core attributes at the top level,
extension attributes under their schema URN) and returns a new dict, which the caller then
treats like a PUT body. Names are case-insensitive on the way in and canonical on the way out
(RFC 7643 §2.1); every characteristic comes from ``provisioning.scim.schemas``.

Choices the RFC leaves open:

* An unknown ``op`` is ``invalidValue``: the body has the right shape, but "op" holds a value
  outside add/remove/replace. A missing or non-string ``op`` is ``invalidSyntax``.
* Attributes this server does not define, and read-only ones other than ``id`` (``meta``,
  ``groups``, ``manager.displayName``), are ignored: IdPs send whatever their mapping holds, and
  failing the whole request over an attribute we maintain ourselves helps nobody. ``schemas``
  is ignored too: it follows the extension attributes present. ``id`` is an error
  (``mutability``), because a client that tries to change it has the wrong resource in mind.
* ``null`` means "unassigned" (RFC 7643 §2.5): replacing with null removes the attribute.

Every deviation made for an identity provider is in the "IdP quirks" section at the end, which
applies the readings of ``provisioning.scim.quirks``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from provisioning.scim import constants, errors, filters, quirks, schemas
from provisioning.scim.attributes import Attribute, Schema

ADD = "add"
REPLACE = "replace"
REMOVE = "remove"
OPERATIONS = (ADD, REPLACE, REMOVE)
DEFAULT_MAX_OPERATIONS = 100

_MISSING = object()


@dataclass(frozen=True)
class PatchOperation:
    """One entry of "Operations" (RFC 7644 §3.5.2); ``op`` is lower case."""

    op: str
    path: filters.PatchPath | None
    value: Any = None


@dataclass(frozen=True)
class _Target:
    """Where an operation lands: a whole schema (``attribute`` None) or one of its attributes."""

    schema: Schema
    attribute: Attribute | None = None
    sub_attribute: Attribute | None = None
    value_filter: filters.Filter | None = None


# Parsing ----------------------------------------------------------------------------------------


def parse_patch_request(
    body: Any, *, max_operations: int = DEFAULT_MAX_OPERATIONS
) -> list[PatchOperation]:
    """Check a PatchOp message and parse its operations (RFC 7644 §3.5.2).

    Raises ``InvalidSyntax`` for a malformed message, ``InvalidValue`` for an unknown op, a
    missing value or too many operations, ``InvalidPath`` for a bad path and ``NoTarget`` for
    a remove without a path.
    """
    if not isinstance(body, Mapping):
        raise errors.InvalidSyntax("The PATCH body must be a JSON object.")
    _check_message_schema(body)
    raw_operations = _member(body, "Operations")
    if not isinstance(raw_operations, list) or not raw_operations:
        raise errors.InvalidSyntax('"Operations" must be a non-empty array of operations.')
    if len(raw_operations) > max_operations:
        raise errors.InvalidValue(
            f"Too many operations: {len(raw_operations)} sent, at most {max_operations} allowed."
        )
    return [_parse_operation(raw, number) for number, raw in enumerate(raw_operations, 1)]


def _check_message_schema(body: Mapping[str, Any]) -> None:
    urns = _member(body, "schemas")
    if not isinstance(urns, list) or constants.PATCH_OP.lower() not in _lowered(urns):
        raise errors.InvalidSyntax(f'"schemas" must contain "{constants.PATCH_OP}".')


def _parse_operation(raw: Any, number: int) -> PatchOperation:
    if not isinstance(raw, Mapping):
        raise errors.InvalidSyntax(f"Operation {number} is not a JSON object.")
    op = _normalise_op(_member(raw, "op"), number)
    path = _parse_path(_member(raw, "path"))
    value = _member(raw, "value")
    if op == REMOVE and path is None:
        raise errors.NoTarget(f"Operation {number}: remove needs a path (RFC 7644 §3.5.2.2).")
    if op != REMOVE and (value is _MISSING or (op == ADD and value is None)):
        raise errors.InvalidValue(f"Operation {number}: {op} needs a value.")
    return PatchOperation(op, path, None if value is _MISSING else value)


def _parse_path(raw: Any) -> filters.PatchPath | None:
    if raw is _MISSING or raw is None:
        return None
    if not isinstance(raw, str):
        raise errors.InvalidPath('"path" must be a string.')
    return filters.parse_path(raw)


# Applying ---------------------------------------------------------------------------------------


def apply_patch(
    resource: Mapping[str, Any], operations: Sequence[PatchOperation]
) -> dict[str, Any]:
    """Apply ``operations`` in order to a copy of ``resource`` and return it (RFC 7644 §3.5.2).

    The operations are all-or-nothing: the input is never modified, so when one raises, the
    caller still holds the untouched original.
    """
    result = copy.deepcopy(dict(resource))
    for operation in operations:
        primaries_before = _primary_values(result)
        if operation.path is None:
            _apply_without_path(result, operation)
        else:
            target = _path_target(operation.path)
            if target is not None:
                _apply_to_target(result, operation.op, target, operation.value)
        _keep_one_primary(result, primaries_before)
        _drop_empty_extensions(result)
    return result


def _apply_without_path(resource: dict[str, Any], operation: PatchOperation) -> None:
    """No path: the value is an object of attributes of the resource (RFC 7644 §3.5.2.1, .3)."""
    if operation.op == REMOVE:
        raise errors.NoTarget("A remove operation needs a path (RFC 7644 §3.5.2.2).")
    _apply_to_schema(resource, operation.op, schemas.USER, operation.value)


def _apply_to_schema(resource: dict[str, Any], op: str, schema: Schema, value: Any) -> None:
    """The keys of ``value`` are attributes of ``schema``: plain, dotted or URN-qualified."""
    if op == REMOVE:
        key = _key(resource, schema.id)
        if key is not None:
            resource[key] = {}  # dropped, and undeclared, by _drop_empty_extensions
        return
    if not isinstance(value, Mapping):
        raise errors.InvalidValue(f"The value for {schema.id} must be an object of attributes.")
    for key, item in value.items():
        target = _key_target(str(key), schema)
        if target is not None:
            _apply_to_target(resource, op, target, item)


def _key_target(key: str, schema: Schema) -> _Target | None:
    """A key of a path-less value: "active", "name.givenName", "urn:...:User:department" or an
    extension URN whose value holds that extension's attributes (RFC 7644 §3.5.2.1)."""
    extension = schemas.find_schema(key) if schema is schemas.USER else None
    if extension is not None:
        return _Target(extension)
    ref = schemas.resolve(key, None if schema is schemas.USER else schema.id)
    return _Target(ref.schema, ref.attribute, ref.sub_attribute) if ref else None


def _path_target(path: filters.PatchPath) -> _Target | None:
    """Resolve a parsed path; None for attributes this server does not define."""
    extension = _extension_as_path(path.attr)
    if extension is not None:
        return _Target(extension)
    attr = path.attr
    dotted = (
        attr.attribute if attr.sub_attribute is None else f"{attr.attribute}.{attr.sub_attribute}"
    )
    ref = schemas.resolve(dotted, attr.schema)
    if ref is None:
        return None
    if path.value_filter is not None and not ref.attribute.multi_valued:
        raise errors.InvalidPath(f'"{ref.attribute.name}" is single-valued: it takes no filter.')
    sub_attribute = ref.sub_attribute
    if path.sub_attribute is not None:
        sub_attribute = ref.attribute.sub_attribute(path.sub_attribute)
        if sub_attribute is None:
            return None
    return _Target(ref.schema, ref.attribute, sub_attribute, path.value_filter)


def _apply_to_target(resource: dict[str, Any], op: str, target: _Target, value: Any) -> None:
    if target.attribute is None:
        _apply_to_schema(resource, op, target.schema, value)
        return
    if target.attribute is schemas.ID:
        raise errors.Mutability('"id" is assigned by this server and cannot be changed.')
    if _is_ignored(target):
        return
    if value is None and op != REMOVE:
        if op == ADD:
            return  # adding "unassigned" changes nothing
        op = REMOVE  # RFC 7643 §2.5: replacing with null unassigns
    if target.attribute.multi_valued and (target.value_filter or target.sub_attribute):
        _apply_to_elements(resource, op, target, value)
    elif target.sub_attribute is not None:
        _apply_to_sub_attribute(resource, op, target, value)
    else:
        _apply_to_attribute(resource, op, target, value)


def _is_ignored(target: _Target) -> bool:
    """Attributes the server maintains itself: IdPs send them back; see the module docstring."""
    if target.attribute is schemas.SCHEMAS:
        return True
    parts = (target.attribute, target.sub_attribute)
    return any(part is not None and part.mutability == schemas.READ_ONLY for part in parts)


def _apply_to_sub_attribute(resource: dict[str, Any], op: str, target: _Target, value: Any) -> None:
    """One sub-attribute ("name.givenName") of a single-valued complex attribute (§3.5.2)."""
    assert target.sub_attribute is not None
    if op == REMOVE and _container(resource, target.schema, create=False) is None:
        return
    # Set the sub-attribute (or, with None, drop it) and keep the others.
    sub_value = None if op == REMOVE else value
    whole = _Target(target.schema, target.attribute)
    _apply_to_attribute(resource, REPLACE, whole, {target.sub_attribute.name: sub_value})


def _apply_to_attribute(resource: dict[str, Any], op: str, target: _Target, value: Any) -> None:
    """A whole attribute (RFC 7644 §3.5.2.1-§3.5.2.3)."""
    attribute = target.attribute
    assert attribute is not None
    container = _container(resource, target.schema, create=op != REMOVE)
    if container is None:
        return
    if op == REMOVE:
        _remove_attribute(container, attribute, value)
        return
    new = _coerce(attribute, value)
    current = _get(container, attribute.name)
    if attribute.multi_valued and op == ADD:
        new = _with_added(attribute, current if isinstance(current, list) else [], new)
    elif attribute.type == schemas.COMPLEX and not attribute.multi_valued:
        # Add and replace both set the sub-attributes given and keep the others (§3.5.2.1, .3).
        new = _merged(current if isinstance(current, Mapping) else {}, new)
    _store(container, attribute.name, new)


def _with_added(attribute: Attribute, current: list[Any], new: list[Any]) -> list[Any]:
    """Append new values; a value already there is updated in place, not duplicated."""
    result = list(current)
    for item in new:
        index = next((i for i, old in enumerate(result) if _same_item(attribute, old, item)), None)
        if index is None:
            result.append(item)
        elif isinstance(item, Mapping):
            # Equal only up to case: keep the stored spelling, take the other sub-attributes.
            identity = {key.name for key in _identity_keys(attribute)}
            extra = {key: value for key, value in item.items() if key not in identity}
            result[index] = _merged(result[index], extra)
    return result


def _apply_to_elements(resource: dict[str, Any], op: str, target: _Target, value: Any) -> None:
    """``emails[type eq "work"]``, ``emails[...].value`` or ``emails.value`` (all elements)."""
    attribute = target.attribute
    assert attribute is not None
    container = _container(resource, target.schema, create=op != REMOVE)
    if container is None:
        return
    current = _get(container, attribute.name)
    items = current if isinstance(current, list) else []
    chosen = [_selects(target.value_filter, item) for item in items]
    if op == REMOVE:
        new_items = _removed_elements(target, items, chosen)
    elif any(chosen):
        pairs = zip(items, chosen, strict=True)
        new_items = [_updated(op, target, item, value) if hit else item for item, hit in pairs]
    else:
        new_items = [*items, _created_element(target, items, value)]
    _store(container, attribute.name, new_items)


def _selects(value_filter: filters.Filter | None, item: Any) -> bool:
    if value_filter is None:
        return True
    return isinstance(item, Mapping) and filters.matches(value_filter, item)


def _removed_elements(target: _Target, items: list[Any], chosen: list[bool]) -> list[Any]:
    """Drop the chosen elements, or only their sub-attribute (RFC 7644 §3.5.2.2)."""
    pairs = zip(items, chosen, strict=True)
    if target.sub_attribute is None:
        return [item for item, hit in pairs if not hit]
    empty = {target.sub_attribute.name: None}
    return [_merged(item, empty) if hit else item for item, hit in pairs]


def _updated(op: str, target: _Target, item: Any, value: Any) -> Any:
    """One chosen element after add/replace (RFC 7644 §3.5.2.1, §3.5.2.3)."""
    attribute = target.attribute
    assert attribute is not None
    if target.sub_attribute is not None:
        return _merged(item, _coerce_complex(attribute, {target.sub_attribute.name: value}))
    new = _coerce_element(attribute, value)
    # "replace" swaps the matching element for the value; "add" merges into it.
    return new if op == REPLACE else _merged(item, new)


def _remove_attribute(container: dict[str, Any], attribute: Attribute, value: Any) -> None:
    current = _get(container, attribute.name)
    if attribute.multi_valued and value is not None and isinstance(current, list):
        _store(container, attribute.name, _without_listed_values(attribute, current, value))
    else:
        _delete(container, attribute.name)


# Primary values (RFC 7643 §2.4) -----------------------------------------------------------------

_WITH_PRIMARY = tuple(
    (schema, attribute)
    for schema in schemas.USER_RESOURCE_SCHEMAS
    for attribute in schema.attributes
    if attribute.multi_valued and attribute.sub_attribute("primary") is not None
)


def _primaries(
    resource: dict[str, Any], schema: Schema, attribute: Attribute
) -> list[dict[str, Any]]:
    container = _container(resource, schema, create=False) or {}
    items = _get(container, attribute.name)
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and _get(i, "primary") is True]


def _primary_values(resource: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A snapshot of the elements marked primary, to tell which ones an operation set."""
    return {
        attribute.name: copy.deepcopy(_primaries(resource, schema, attribute))
        for schema, attribute in _WITH_PRIMARY
    }


def _keep_one_primary(resource: dict[str, Any], before: dict[str, list[dict[str, Any]]]) -> None:
    """At most one element may be primary (RFC 7643 §2.4): the last one set wins."""
    for schema, attribute in _WITH_PRIMARY:
        primaries = _primaries(resource, schema, attribute)
        if len(primaries) < 2:
            continue
        old = before[attribute.name]
        fresh = [p for p in primaries if not any(_same_item(attribute, p, o) for o in old)]
        winner = (fresh or primaries)[-1]
        for item in primaries:
            if item is not winner:
                _store(item, "primary", False)


# Values -----------------------------------------------------------------------------------------


def _coerce(attribute: Attribute, value: Any) -> Any:
    """Check ``value`` against its definition and spell names canonically (RFC 7643 §2)."""
    if attribute.multi_valued:
        # RFC 7644 §3.5.2.1: the value may be one element or an array of them.
        values = value if isinstance(value, list) else [value]
        elements = [_coerce_element(attribute, v) for v in values if v is not None]
        return _one_primary([element for element in elements if element not in ({}, None)])
    if attribute.type == schemas.COMPLEX:
        return _coerce_complex(attribute, value)
    return _coerce_simple(attribute, value)


def _one_primary(elements: list[Any]) -> list[Any]:
    """Within one value, the last element marked primary is the primary one (RFC 7643 §2.4).

    Decided here, on the value alone, rather than against what the resource held before: so a
    replace is idempotent even when the value marks several elements primary.
    """
    marked = [i for i, e in enumerate(elements) if isinstance(e, dict) and e.get("primary")]
    for index in marked[:-1]:
        elements[index] = {**elements[index], "primary": False}
    return elements


def _coerce_element(attribute: Attribute, value: Any) -> Any:
    if attribute.type != schemas.COMPLEX:
        return _coerce_simple(attribute, value)
    return {k: v for k, v in _coerce_complex(attribute, value).items() if v is not None}


def _coerce_complex(attribute: Attribute, value: Any) -> dict[str, Any]:
    """Sub-attributes by canonical name; None values stay, meaning "unassign" when merged."""
    value = _normalise_complex(attribute, value)
    if not isinstance(value, Mapping):
        raise errors.InvalidValue(f'"{attribute.name}" must be an object.')
    result: dict[str, Any] = {}
    for key, sub_value in value.items():
        sub_attribute = attribute.sub_attribute(str(key))
        # Unknown and server-maintained sub-attributes are ignored, like whole attributes.
        if sub_attribute is not None and sub_attribute.mutability != schemas.READ_ONLY:
            result[sub_attribute.name] = _coerce_simple(sub_attribute, sub_value)
    return result


def _coerce_simple(attribute: Attribute, value: Any) -> Any:
    if value is None:
        return None
    if attribute.type == schemas.BOOLEAN:
        return _normalise_boolean(attribute, value)
    if not isinstance(value, str):
        raise errors.InvalidValue(f'"{attribute.name}" must be a string.')
    return value


def _merged(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``old`` updated with ``new``; a None in ``new`` removes that key (RFC 7643 §2.5)."""
    merged = dict(old)
    for key, value in new.items():
        _delete(merged, key)
        if value is not None:
            merged[key] = value
    return merged


def _same_item(attribute: Attribute, a: Any, b: Any) -> bool:
    """Two elements are the same value when "value" and "type" agree (RFC 7643 §2.4)."""
    keys = _identity_keys(attribute)
    if not keys or not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        return a == b
    return all(_same_value(key, _get(a, key.name), _get(b, key.name)) for key in keys)


def _identity_keys(attribute: Attribute) -> list[Attribute]:
    return [sub for sub in attribute.sub_attributes if sub.name in ("value", "type")]


def _same_value(attribute: Attribute, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str) and not attribute.case_exact:
        return a.casefold() == b.casefold()
    return a == b


# Dict access: names are case-insensitive (RFC 7643 §2.1) --------------------------------------


def _key(mapping: Mapping[str, Any], name: str) -> str | None:
    if name in mapping:
        return name
    lowered = name.lower()
    return next((k for k in mapping if isinstance(k, str) and k.lower() == lowered), None)


def _get(mapping: Mapping[str, Any], name: str) -> Any:
    key = _key(mapping, name)
    return None if key is None else mapping[key]


def _delete(mapping: dict[str, Any], name: str) -> None:
    key = _key(mapping, name)
    if key is not None:
        del mapping[key]


def _store(container: dict[str, Any], name: str, value: Any) -> None:
    """Set under the canonical name; null, [] and {} mean unassigned (RFC 7643 §2.5)."""
    _delete(container, name)
    if value not in (None, [], {}):
        container[name] = value


def _container(resource: dict[str, Any], schema: Schema, *, create: bool) -> dict[str, Any] | None:
    """The dict holding ``schema``'s attributes: the resource, or the extension's object."""
    if schema is schemas.USER:
        return resource
    key = _key(resource, schema.id)
    if key is None or not isinstance(resource[key], dict):
        if not create:
            return None
        _delete(resource, schema.id)
        resource[schema.id] = {}
        key = schema.id
        _declare_schema(resource, schema.id)
    return resource[key]


def _declare_schema(resource: dict[str, Any], urn: str) -> None:
    """A resource lists the extensions it uses in "schemas" (RFC 7643 §3)."""
    urns = resource.get("schemas")
    if isinstance(urns, list) and urn.lower() not in _lowered(urns):
        urns.append(urn)


def _drop_empty_extensions(resource: dict[str, Any]) -> None:
    """An extension left without attributes is unassigned, and no longer declared."""
    for schema in schemas.USER_RESOURCE_SCHEMAS[1:]:
        key = _key(resource, schema.id)
        if key is not None and resource[key] in ({}, None):
            del resource[key]
            urns = resource.get("schemas")
            if isinstance(urns, list):
                resource["schemas"] = [u for u in urns if str(u).lower() != key.lower()]


def _lowered(values: list[Any]) -> list[str]:
    return [v.lower() for v in values if isinstance(v, str)]


# IdP quirks -------------------------------------------------------------------------------------
# Okta sends deactivation and password changes both as {"op": "replace", "value": {"active":
# false}} (no path) and with "path": "active"; both forms are plain RFC 7644 and need nothing here.


def _member(mapping: Mapping[str, Any], name: str) -> Any:
    """A message member, matched case-insensitively.

    Microsoft Entra ID has sent "operations" for "Operations"; RFC 7643 §2.1 makes attribute
    names case-insensitive anyway.
    """
    key = _key(mapping, name)
    return _MISSING if key is None else mapping[key]


def _normalise_op(raw: Any, number: int) -> str:
    """The op in lower case (``quirks.patch_op``); anything else is refused."""
    if not isinstance(raw, str):
        raise errors.InvalidSyntax(f'Operation {number} needs an "op" string.')
    op = quirks.patch_op(raw)
    if op not in OPERATIONS:
        raise errors.InvalidValue(
            f'Operation {number}: "op" must be add, remove or replace, not {raw!r}.'
        )
    return op


def _normalise_boolean(attribute: Attribute, value: Any) -> bool:
    """A boolean, as an IdP may spell it (``quirks.boolean``)."""
    parsed = quirks.boolean(value)
    if parsed is None:
        raise errors.InvalidValue(f'"{attribute.name}" must be true or false.')
    return parsed


def _normalise_complex(attribute: Attribute, value: Any) -> Any:
    """A bare value for a single-valued complex attribute (``quirks.complex_value``)."""
    single = not attribute.multi_valued and attribute.sub_attribute("value") is not None
    return quirks.complex_value(value, takes_bare_value=single)


def _created_element(target: _Target, items: list[Any], value: Any) -> Any:
    """Okta and Microsoft Entra ID set the work email with 'emails[type eq "work"].value' also
    when the user has none; RFC 7644 §3.5.2.3 would answer noTarget. We create the element the
    filter describes instead, primary if it is the only one. Other filters still get noTarget.
    """
    attribute = target.attribute
    assert attribute is not None
    element_type = _simple_type_filter(target.value_filter)
    if element_type is None or attribute.sub_attribute("type") is None:
        raise errors.NoTarget("The value filter matches no value.")
    element = _updated(ADD, target, {"type": element_type}, value)
    if not items and attribute.sub_attribute("primary") is not None:
        element.setdefault("primary", True)
    return element


def _simple_type_filter(value_filter: filters.Filter | None) -> str | None:
    """The ``<t>`` of a value filter of the form ``type eq "<t>"``, else None."""
    if not isinstance(value_filter, filters.Compare) or value_filter.op != "eq":
        return None
    path = value_filter.path
    is_type = (
        path.schema is None and path.sub_attribute is None and path.attribute.lower() == "type"
    )
    return value_filter.value if is_type and isinstance(value_filter.value, str) else None


def _extension_as_path(attr: filters.AttrPath) -> Schema | None:
    """An extension URN used as a path ("path": "urn:...:enterprise:2.0:User").

    The RFC 7644 grammar has no such path, but the path-less form uses the URN as a key
    (§3.5.2.1), and a client that carries it over into "path" can only mean the extension as a
    whole. The path parser reads it as schema "...:2.0" plus attribute "User".
    """
    if attr.schema is None or attr.sub_attribute is not None:
        return None
    schema = schemas.find_schema(f"{attr.schema}:{attr.attribute}")
    return None if schema is schemas.USER else schema


def _without_listed_values(attribute: Attribute, current: list[Any], value: Any) -> list[Any]:
    """Microsoft Entra ID removes members with {"op": "Remove", "path": "members", "value":
    [{"value": "<id>"}]}: with a value, remove drops only those values, not the attribute."""
    doomed = _coerce(attribute, value)
    return [item for item in current if not any(_is_listed(attribute, item, d) for d in doomed)]


def _is_listed(attribute: Attribute, item: Any, listed: Any) -> bool:
    """``item`` agrees with ``listed`` on the "value"/"type" that ``listed`` gives."""
    if not (isinstance(item, Mapping) and isinstance(listed, Mapping)):
        return item == listed
    keys = [key for key in _identity_keys(attribute) if _get(listed, key.name) is not None]
    return bool(keys) and all(
        _same_value(key, _get(item, key.name), _get(listed, key.name)) for key in keys
    )
