"""Evaluating a filter AST against a dict, in memory (RFC 7644 §3.4.2.2).

Used for PATCH value filters such as ``emails[type eq "work"]`` (RFC 7644 §3.5.2); database
queries go through ``provisioning.orm_filters`` instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from provisioning.scim import quirks
from provisioning.scim.filters.nodes import (
    STRING_OPERATORS,
    And,
    AttrPath,
    Compare,
    Filter,
    Not,
    Or,
    Present,
    ValuePath,
)

__all__ = ["matches"]

# RFC 7644 Table 3: the operators that apply to strings only, given case-folded strings.
_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "co": str.__contains__,
    "sw": str.startswith,
    "ew": str.endswith,
}


def _get(item: Any, name: str) -> Any:
    """Attribute names are case-insensitive (RFC 7643 §2.1)."""
    if not isinstance(item, Mapping):
        return None
    if name in item:
        return item[name]
    lowered = name.lower()
    return next((v for k, v in item.items() if isinstance(k, str) and k.lower() == lowered), None)


def _container(path: AttrPath, item: Mapping[str, Any]) -> Any:
    """Extension attributes live under their URN; core ones (with or without URN) at the top."""
    if path.schema:
        extension = _get(item, path.schema)
        if isinstance(extension, Mapping):
            return extension
    return item


def _values(path: AttrPath, item: Mapping[str, Any]) -> list[Any]:
    """The values ``path`` names in ``item``, one per element of a multi-valued attribute."""
    found = _get(_container(path, item), path.attribute)
    if isinstance(found, list):
        # RFC 7644 §3.4.2.2: a complex multi-valued attribute without sub-attribute ("emails
        # co ...") stands for its "value" sub-attribute.
        sub = path.sub_attribute or "value"
        elements = [_get(e, sub) if isinstance(e, Mapping) else e for e in found]
    elif path.sub_attribute is not None:
        elements = [_get(found, path.sub_attribute)]
    else:
        elements = [found]
    return [element for element in elements if _is_present(element)]


def _is_present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _as_datetime(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) and isinstance(expected, str):
        return quirks.boolean(expected) is actual
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()
    return _is_number(actual) and _is_number(expected) and actual == expected


def _order(actual: Any, expected: Any) -> int | None:
    """-1, 0 or 1 comparing ``actual`` to ``expected``; None when they do not compare."""
    if _is_number(actual) and _is_number(expected):
        return (actual > expected) - (actual < expected)
    if not (isinstance(actual, str) and isinstance(expected, str)):
        return None
    left, right = _as_datetime(actual), _as_datetime(expected)
    if left is not None and right is not None:
        return (left > right) - (left < right)
    left_text, right_text = actual.casefold(), expected.casefold()
    return (left_text > right_text) - (left_text < right_text)


def _test(op: str, actual: Any, expected: Any) -> bool:
    """One value against one operator (RFC 7644 Table 3), strings case-insensitively."""
    if op in ("eq", "ne"):
        return _equal(actual, expected) == (op == "eq")
    if op in STRING_OPERATORS:
        if not isinstance(actual, str):
            return False
        return _STRING_TESTS[op](actual.casefold(), expected.casefold())
    order = _order(actual, expected)
    allowed = {"gt": (1,), "ge": (0, 1), "lt": (-1,), "le": (-1, 0)}[op]
    return order in allowed


def _compare(node: Compare, item: Mapping[str, Any]) -> bool:
    values = _values(node.path, item)
    if node.value is None:
        # "eq null" means "not present", "ne null" means "present".
        return (not values) == (node.op == "eq")
    if node.op == "ne" and not values:
        return True  # a missing attribute is not equal to anything
    # A multi-valued attribute matches if any of its values does (RFC 7644 §3.4.2.2).
    return any(_test(node.op, value, node.value) for value in values)


def _elements(path: AttrPath, item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = _get(_container(path, item), path.attribute)
    elements = found if isinstance(found, list) else [] if found is None else [found]
    # A simple multi-valued attribute's elements are bare values: "value" names them.
    return [e if isinstance(e, Mapping) else {"value": e} for e in elements]


def matches(node: Filter, item: Mapping[str, Any]) -> bool:
    """Whether ``item`` (a resource, or one element of a multi-valued attribute) matches.

    Names and strings compare case-insensitively (RFC 7643 §2.1; the in-memory uses, PATCH
    value filters on emails and the like, have no case-exact sub-attributes).
    """
    match node:
        case And(left, right):
            return matches(left, item) and matches(right, item)
        case Or(left, right):
            return matches(left, item) or matches(right, item)
        case Not(expr):
            return not matches(expr, item)
        case Present(path):
            return bool(_values(path, item))
        case Compare():
            return _compare(node, item)
        case ValuePath(path, inner):
            return any(matches(inner, element) for element in _elements(path, item))
    raise TypeError(f"Not a filter node: {node!r}")
