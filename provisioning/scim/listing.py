"""Query and list envelope of ``GET /Users`` and ``POST /Users/.search`` (RFC 7644 §3.4.2, §3.4.3).

The camelCase query parameters become one ``ListQuery`` here, at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from provisioning.scim.constants import DEFAULT_COUNT, LIST_RESPONSE, MAX_COUNT, SEARCH_REQUEST
from provisioning.scim.errors import InvalidFilter, InvalidSyntax, InvalidValue
from provisioning.scim.filters import Filter, parse_filter

# Far beyond any real list, and within every database's integer range.
MAX_START_INDEX = 2**31
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class ListQuery:
    filter: Filter | None = None
    start_index: int = 1
    count: int = DEFAULT_COUNT
    sort_by: str | None = None
    descending: bool = False
    attributes: tuple[str, ...] = ()
    excluded_attributes: tuple[str, ...] = ()

    @property
    def offset(self) -> int:
        return self.start_index - 1


def _integer(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidValue(f"{name} must be an integer.")
    if isinstance(value, int):
        return value
    # ASCII digits: int() would also take "1_000" and other scripts' digits ("\u0663").
    try:
        if not _INTEGER.fullmatch(value.strip()):
            raise ValueError(value)
        return int(value)  # ValueError past 4,300 digits
    except ValueError:
        raise InvalidValue(f"{name} must be an integer, not {value!r}.") from None


def _names(value: Any, name: str) -> tuple[str, ...]:
    """``attributes`` is comma-separated in a query string and a list in a search body."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidValue(f"{name} must be a list of attribute names.")
    return tuple(v.strip() for v in value if v.strip())


def _sort_order(value: Any) -> bool:
    if value in (None, ""):
        return False
    if not isinstance(value, str) or value.lower() not in {"ascending", "descending"}:
        raise InvalidValue("sortOrder must be 'ascending' or 'descending'.")
    return value.lower() == "descending"


@dataclass(frozen=True)
class Projection:
    """RFC 7644 §3.9: which attributes an answer shows."""

    attributes: tuple[str, ...] = ()
    excluded_attributes: tuple[str, ...] = ()


def _folded(values: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter names matched case-insensitively (``startindex`` works)."""
    return {str(key).lower(): value for key, value in values.items()}


def build_projection(values: Mapping[str, Any]) -> Projection:
    """``attributes`` / ``excludedAttributes`` alone: what a single resource's answer (GET by
    id, POST, PUT, PATCH) reads of its query string, where the list parameters mean nothing."""
    return _projection(_folded(values))


def _projection(params: Mapping[str, Any]) -> Projection:
    if params.get("attributes") and params.get("excludedattributes"):
        raise InvalidValue("Send attributes or excludedAttributes, not both.")
    return Projection(
        attributes=_names(params.get("attributes"), "attributes"),
        excluded_attributes=_names(params.get("excludedattributes"), "excludedAttributes"),
    )


def build_query(values: Mapping[str, Any]) -> ListQuery:
    """From parameters whose names are matched case-insensitively (``startindex`` works)."""
    return _query(_folded(values))


def _query(params: Mapping[str, Any]) -> ListQuery:
    projection = _projection(params)
    text = params.get("filter")
    if text is not None and not isinstance(text, str):
        raise InvalidValue("filter must be a string.")
    if text is not None and not text.strip():
        # An empty filter is a client's mistake (a template with nothing filled in), not a
        # request for every user.
        raise InvalidFilter("filter is empty: give an expression, or leave the parameter out.")
    start = _integer(params.get("startindex"), "startIndex")
    count = _integer(params.get("count"), "count")
    sort_by = params.get("sortby")
    if sort_by is not None and not isinstance(sort_by, str):
        raise InvalidValue("sortBy must be an attribute name.")
    return ListQuery(
        filter=parse_filter(text) if text is not None else None,
        # RFC 7644 §3.4.2.4: startIndex < 1 means 1; count < 0 means 0; capped at the maximum.
        # Capped so that no database is asked for an offset beyond its integers.
        start_index=min(MAX_START_INDEX, max(1, start if start is not None else 1)),
        count=min(MAX_COUNT, max(0, count if count is not None else DEFAULT_COUNT)),
        sort_by=sort_by or None,
        descending=_sort_order(params.get("sortorder")),
        attributes=projection.attributes,
        excluded_attributes=projection.excluded_attributes,
    )


def query_from_search(body: Any) -> ListQuery:
    """RFC 7644 §3.4.3: the body of ``POST /.search``."""
    if not isinstance(body, Mapping):
        raise InvalidSyntax("The search request must be a JSON object.")
    # Attribute names are case-insensitive (RFC 7643 §2.1): "Schemas" is "schemas".
    params = _folded(body)
    schemas = params.pop("schemas", None)
    if schemas is not None and SEARCH_REQUEST not in (schemas if isinstance(schemas, list) else []):
        raise InvalidValue(f"schemas must contain {SEARCH_REQUEST}.")
    return _query(params)


def list_response(
    resources: Sequence[Mapping[str, Any]], *, total: int, start_index: int
) -> dict[str, Any]:
    """RFC 7644 §3.4.2: itemsPerPage is the number of resources actually returned."""
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": list(resources),
    }
