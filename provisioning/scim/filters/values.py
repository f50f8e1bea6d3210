"""A filter's comparison values (RFC 7644 §3.4.2.2) read as the type of the attribute they are
compared with, before they reach a query: a value of the wrong type is ``InvalidFilter``, never
a database error or a silent "match nothing"."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

from provisioning.scim import quirks
from provisioning.scim.errors import InvalidFilter
from provisioning.scim.filters.nodes import AttrPath

# RFC 3339 §5.6 date-time; the offset may be left out (then UTC), as xsd:dateTime allows.
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[-+][0-9]{2}:[0-9]{2})?"
)
_INTEGER_RANGE = range(-(2**63), 2**63)
# A uuid value that is no UUID: "eq" matches nothing and "ne" everything, as no row holds it.
NOT_A_UUID = object()


def coerce(type_name: str, value: Any, path: AttrPath) -> Any:
    """``value`` as the Python type of ``type_name`` ("string", "boolean", "dateTime",
    "integer", "uuid"); ``InvalidFilter`` naming ``path`` if it is not one."""
    try:
        return _COERCERS[type_name](value)
    except (TypeError, ValueError):
        raise InvalidFilter(f"{value!r} is not a valid {type_name} value for '{path}'.") from None


def _as_string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    if "\x00" in value:
        raise ValueError  # PostgreSQL text cannot hold NUL; no stored value contains one
    return value


def _as_boolean(value: Any) -> bool:
    parsed = quirks.boolean(value)
    if parsed is None:
        raise TypeError
    return parsed


def _as_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise ValueError
    parsed = dt.datetime.fromisoformat(value.upper())
    if not parsed.tzinfo:
        return parsed.replace(tzinfo=dt.UTC)
    try:
        # In UTC, as the databases compare it. "0001-01-01T00:00:00+14:00" has no UTC
        # equivalent (year 0): SQLite's adapter would fail on it at query time.
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(value) from None


def _as_integer(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError
    if isinstance(value, int) and value not in _INTEGER_RANGE:
        raise ValueError  # a 64-bit column cannot hold it, and SQLite would raise on it
    return value


def _as_uuid(value: Any) -> uuid.UUID | object:
    if not isinstance(value, str):
        raise TypeError
    try:
        return uuid.UUID(value)
    except ValueError:
        return NOT_A_UUID


_COERCERS: dict[str, Callable[[Any], Any]] = {
    "string": _as_string,
    "boolean": _as_boolean,
    "dateTime": _as_datetime,
    "integer": _as_integer,
    "uuid": _as_uuid,
}
