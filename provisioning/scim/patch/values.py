"""Values checked against their attribute's definition and compared (RFC 7643 §2, §2.4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioning.scim import attributes, errors, quirks
from provisioning.scim.attributes import DECIMAL, Attribute
from provisioning.scim.patch import access


def coerce(attribute: Attribute, value: Any) -> Any:
    """Check ``value`` against its definition and spell names canonically (RFC 7643 §2)."""
    if attribute.multi_valued:
        # RFC 7644 §3.5.2.1: the value may be one element or an array of them.
        values = value if isinstance(value, list) else [value]
        elements = [coerce_element(attribute, v) for v in values if v is not None]
        return _one_primary([element for element in elements if element not in ({}, None)])
    if attribute.type == attributes.COMPLEX:
        return coerce_complex(attribute, value)
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


def coerce_element(attribute: Attribute, value: Any) -> Any:
    if attribute.type != attributes.COMPLEX:
        return _coerce_simple(attribute, value)
    return {k: v for k, v in coerce_complex(attribute, value).items() if v is not None}


def coerce_complex(attribute: Attribute, value: Any) -> dict[str, Any]:
    """Sub-attributes by canonical name; None values stay, meaning "unassign" when merged."""
    value = _normalise_complex(attribute, value)
    if not isinstance(value, Mapping):
        raise errors.InvalidValue(f'"{attribute.name}" must be an object.')
    result: dict[str, Any] = {}
    for key, sub_value in value.items():
        sub_attribute = attribute.sub_attribute(str(key))
        # Unknown and server-maintained sub-attributes are ignored, like whole attributes.
        if sub_attribute is not None and sub_attribute.mutability != attributes.READ_ONLY:
            result[sub_attribute.name] = _coerce_simple(sub_attribute, sub_value)
    return result


def _coerce_simple(attribute: Attribute, value: Any) -> Any:
    if value is None:
        return None
    if attribute.type == attributes.BOOLEAN:
        return _normalise_boolean(attribute, value)
    if attribute.type == DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise errors.InvalidValue(f'"{attribute.name}" must be a number.')
        return value
    if not isinstance(value, str):
        raise errors.InvalidValue(f'"{attribute.name}" must be a string.')
    return value


def merged(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``old`` updated with ``new``; a None in ``new`` removes that key (RFC 7643 §2.5)."""
    result = dict(old)
    for key, value in new.items():
        access.delete(result, key)
        if value is not None:
            result[key] = value
    return result


def same_item(attribute: Attribute, a: Any, b: Any) -> bool:
    """Two elements are the same value when "value" and "type" agree (RFC 7643 §2.4)."""
    keys = identity_keys(attribute)
    if not keys or not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        return a == b
    return all(same_value(key, access.get(a, key.name), access.get(b, key.name)) for key in keys)


def identity_keys(attribute: Attribute) -> list[Attribute]:
    return [sub for sub in attribute.sub_attributes if sub.name in ("value", "type")]


def same_value(attribute: Attribute, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str) and not attribute.case_exact:
        return a.casefold() == b.casefold()
    return a == b


# IdP quirks -------------------------------------------------------------------------------------


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
