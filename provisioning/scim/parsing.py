"""Parse a SCIM User payload (POST or PUT body, or a patched resource) into a ``ScimUser``.

RFC 7643 §4.1 and §4.3, read from the User registry (``provisioning.scim.schemas``): every
attribute a client may write is found by its declared name, checked against its declared
type, and returned under its storage key. Attribute names are case-insensitive (RFC 7643
§2.1). Unknown and read-only attributes (``id``, ``meta``, ``groups``, ``roles``, ...) are
ignored, as are nulls: IdPs send what their mappings hold, and refusing a whole user over an
attribute this portal does not keep would stop provisioning for no benefit.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from provisioning.scim import quirks
from provisioning.scim.attributes import BOOLEAN, COMPLEX, READ_ONLY, Attribute, by_name
from provisioning.scim.constants import LMS_USER_SCHEMA, USER_SCHEMA
from provisioning.scim.errors import InvalidSyntax, InvalidValue
from provisioning.scim.registry import top_level
from provisioning.scim.schemas import USER_RESOURCE_SCHEMAS

# What a payload says about a user: storage key -> value, for the attributes present (an
# absent or null attribute has no key). Read-only, as it is shared between checks.
ScimUser = Mapping[str, Any]


def folded(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Lower-case the keys, so that ``UserName`` and ``userName`` are the same (RFC 7643 §2.1)."""
    return {str(key).lower(): value for key, value in mapping.items()}


def _string(value: Any, label: str) -> str:
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
    """JSON booleans, and the strings an IdP spells them with (``quirks.boolean``)."""
    parsed = quirks.boolean(value)
    if parsed is None:
        raise InvalidValue(f"{label} must be a boolean (true or false).")
    return parsed


def _object(value: Any, label: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidValue(f"{label} must be an object.")
    return folded(value)


def _simple(attribute: Attribute, value: Any, label: str) -> Any:
    return parse_boolean(value, label) if attribute.type == BOOLEAN else _string(value, label)


def _objects(items: Any, label: str) -> list[dict[str, Any]]:
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise InvalidValue(f"{label} must be a list of objects.")
    return [folded(item) for item in items]


def _element(attribute: Attribute, data: Mapping[str, Any], label: str) -> dict[str, Any]:
    """One element of a list kept whole: its declared sub-attributes, typed and named
    canonically; unassigned ones left out (RFC 7643 §2.5)."""
    return {
        sub.name: _simple(sub, data[sub.name.lower()], f"{label}.{sub.name}")
        for sub in attribute.sub_attributes
        if data.get(sub.name.lower()) not in (None, "")
    }


def _one_primary(elements: list[dict[str, Any]], label: str) -> None:
    if sum(element.get("primary") is True for element in elements) > 1:
        raise InvalidValue(f"{label}: at most one element may be primary (RFC 7643 §2.4).")


def _elements(attribute: Attribute, items: Any, label: str) -> list[dict[str, Any]]:
    """A list kept whole, in the order sent; elements with nothing in them are dropped."""
    parsed = (
        _element(attribute, item, f"{label}[{position}]")
        for position, item in enumerate(_objects(items, label))
    )
    elements = [element for element in parsed if element.keys() - {"primary"}]
    _one_primary(elements, label)
    return elements


def _split(attribute: Attribute, items: Any, label: str) -> dict[str, Any]:
    """A multi-valued attribute kept partly in columns (emails): the primary element, else the
    work one, else the first, into its sub-attributes' columns; the others whole, in the order
    sent, in ``attribute.others``. Elements without a value do not count."""
    valued = [
        element
        for position, item in enumerate(_objects(items, label))
        if (element := _element(attribute, item, f"{label}[{position}]")).get("value")
    ]
    _one_primary(valued, label)
    primary = (element for element in valued if element.get("primary") is True)
    work = (element for element in valued if str(element.get("type", "")).lower() == "work")
    chosen = next(primary, None) or next(work, None) or (valued[0] if valued else None)
    values: dict[str, Any] = {}
    if chosen is not None:
        for sub in attribute.sub_attributes:
            if sub.storage is not None and sub.name in chosen:
                values[sub.storage] = chosen[sub.name]
    if attribute.others is not None:
        values[attribute.others] = [element for element in valued if element is not chosen]
    return values


def _complex(attribute: Attribute, value: Any, label: str) -> dict[str, Any]:
    if attribute.multi_valued:
        return _split(attribute, value, label)
    value = quirks.complex_value(
        value, takes_bare_value=attribute.sub_attribute("value") is not None
    )
    return _values(attribute.sub_attributes, _object(value, label), prefix=f"{label}.")


def _values(attributes: tuple[Attribute, ...], data: Mapping[str, Any], prefix: str = "") -> dict:
    """Storage key -> parsed value, for the writable attributes ``data`` holds (not null)."""
    values: dict[str, Any] = {}
    for attribute in attributes:
        value = data.get(attribute.name.lower())
        if attribute.mutability == READ_ONLY or value is None:
            continue
        label = f"{prefix}{attribute.name}"
        if attribute.kept_whole:
            assert attribute.storage is not None
            values[attribute.storage] = _elements(attribute, value, label)
        elif attribute.type == COMPLEX:
            values |= _complex(attribute, value, label)
        elif attribute.storage is not None:
            values[attribute.storage] = _simple(attribute, value, label)
    return values


def parse_user(body: Any) -> ScimUser:
    """RFC 7644 §3.3 / §3.5.1: the User in a POST or PUT body."""
    if not isinstance(body, Mapping):
        raise InvalidSyntax("The request body must be a JSON object.")
    data = folded(body)
    _check_schemas(data.get("schemas"))
    values: dict[str, Any] = {}
    for schema in USER_RESOURCE_SCHEMAS:
        if schema.is_core:
            values |= _values(top_level(schema), data)
        elif data.get(schema.id.lower()) is not None:
            values |= _values(schema.attributes, _object(data[schema.id.lower()], schema.id))
    if not str(values.get("username", "")).strip():
        raise InvalidValue("userName is required.")
    return MappingProxyType(values)


# Schemas of other resources and messages: a body naming one is not a User.
_OTHER_RESOURCES = ("urn:ietf:params:scim:schemas:core:2.0:", "urn:ietf:params:scim:api:messages:")


def _check_schemas(schemas: Any) -> None:
    """RFC 7643 §3: ``schemas`` is required and names the User schema. An extension this
    server does not know passes (its attributes are ignored, as unknown attributes are); a
    schema of another resource (a Group) or of a message does not: the body is not a User."""
    if not isinstance(schemas, list) or not all(isinstance(urn, str) for urn in schemas):
        raise InvalidValue(f'schemas is required: a list of schema URNs holding "{USER_SCHEMA}".')
    lowered = [urn.lower() for urn in schemas]
    if USER_SCHEMA.lower() not in lowered:
        raise InvalidValue(f'schemas must hold "{USER_SCHEMA}": this is the Users endpoint.')
    others = [
        urn
        for urn, low in zip(schemas, lowered, strict=True)
        if low.startswith(_OTHER_RESOURCES) and low != USER_SCHEMA.lower()
    ]
    if others:
        raise InvalidValue(f"schemas names {others[0]!r}, which is not a schema of a User.")


def ignored_attributes(body: Any, custom: tuple[Attribute, ...] = ()) -> list[str]:
    """The names in a POST or PUT body that no schema of a User served here defines: parsing
    ignores them, and the provisioning event names them. Read-only attributes (``id``,
    ``meta``, ``groups``) are the User's own, and empty values carry nothing: neither is
    listed. ``custom``: the custom user fields the LMS extension holds (``scim.custom``)."""
    if not isinstance(body, Mapping):
        return []
    ignored: list[str] = []
    for key, value in body.items():
        name = str(key)
        schema = next((s for s in USER_RESOURCE_SCHEMAS if s.id.lower() == name.lower()), None)
        if schema is not None and not schema.is_core:
            if isinstance(value, Mapping):
                declared = schema.attributes + (custom if schema.id == LMS_USER_SCHEMA else ())
                ignored += _unknown_in(declared, value, prefix=f"{schema.id}:")
        elif name.lower() != "schemas":
            ignored += _unknown_in(top_level(USER_RESOURCE_SCHEMAS[0]), {name: value})
    return ignored


def _unknown_in(
    attributes: tuple[Attribute, ...], data: Mapping[str, Any], prefix: str = ""
) -> list[str]:
    unknown = []
    for key, value in data.items():
        if value in (None, "", [], {}):
            continue  # nothing sent (Entra's "roles": [])
        attribute = by_name(attributes, str(key))
        if attribute is None:
            unknown.append(f"{prefix}{key}")
        elif attribute.type == COMPLEX and attribute.sub_attributes:
            elements = value if isinstance(value, list) else [value]
            found = {
                name
                for element in elements
                if isinstance(element, Mapping)
                for name in _unknown_in(
                    attribute.sub_attributes, element, f"{prefix}{attribute.name}."
                )
            }
            unknown += sorted(found)
    return unknown
