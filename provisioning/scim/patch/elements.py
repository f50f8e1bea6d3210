"""Operations on the elements of a multi-valued attribute: ``emails[type eq "work"]``,
``emails[type eq "work"].value`` or ``emails.value`` (RFC 7644 §3.5.2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioning.scim import errors, filters
from provisioning.scim.patch import access, values
from provisioning.scim.patch.operations import ADD, REMOVE, REPLACE
from provisioning.scim.patch.targets import Target


def apply_to_elements(resource: dict[str, Any], op: str, target: Target, value: Any) -> None:
    """``emails[type eq "work"]``, ``emails[...].value`` or ``emails.value`` (all elements)."""
    attribute = target.attribute
    assert attribute is not None
    container = access.container_for(resource, target.schema, create=op != REMOVE)
    if container is None:
        return
    current = access.get(container, attribute.name)
    items = current if isinstance(current, list) else []
    chosen = [_selects(target.value_filter, item) for item in items]
    if op == REMOVE:
        new_items = _removed_elements(target, items, chosen)
    elif any(chosen):
        pairs = zip(items, chosen, strict=True)
        new_items = [_updated(op, target, item, value) if hit else item for item, hit in pairs]
    else:
        new_items = [*items, _created_element(target, items, value)]
    access.store(container, attribute.name, new_items)


def _selects(value_filter: filters.Filter | None, item: Any) -> bool:
    if value_filter is None:
        return True
    return isinstance(item, Mapping) and filters.matches(value_filter, item)


def _removed_elements(target: Target, items: list[Any], chosen: list[bool]) -> list[Any]:
    """Drop the chosen elements, or only their sub-attribute (RFC 7644 §3.5.2.2)."""
    pairs = zip(items, chosen, strict=True)
    if target.sub_attribute is None:
        return [item for item, hit in pairs if not hit]
    empty = {target.sub_attribute.name: None}
    return [values.merged(item, empty) if hit else item for item, hit in pairs]


def _updated(op: str, target: Target, item: Any, value: Any) -> Any:
    """One chosen element after add/replace (RFC 7644 §3.5.2.1, §3.5.2.3)."""
    attribute = target.attribute
    assert attribute is not None
    if target.sub_attribute is not None:
        return values.merged(
            item, values.coerce_complex(attribute, {target.sub_attribute.name: value})
        )
    new = values.coerce_element(attribute, value)
    # "replace" swaps the matching element for the value; "add" merges into it.
    return new if op == REPLACE else values.merged(item, new)


# IdP quirks -------------------------------------------------------------------------------------


def _created_element(target: Target, items: list[Any], value: Any) -> Any:
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
