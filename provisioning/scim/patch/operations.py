"""A PatchOp message parsed into its operations (RFC 7644 §3.5.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from provisioning.scim import constants, errors, filters, quirks
from provisioning.scim.patch import access

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


_PASSWORD_PATHS = ("password", f"{constants.USER_SCHEMA}:password".lower())


def password_set_by(operations: list[PatchOperation]) -> str | None:
    """The password the operations set plainly, if they do: a replace or add whose path is
    ``password``, or whose value object holds it (Okta's password push), the last one winning.
    A hint for hashing the password ahead of the write (a slow hash): the patched resource,
    not this, says what is set."""
    found = None
    for operation in operations:
        value: Any = None
        if operation.op == REMOVE:
            continue
        if operation.path is None and isinstance(operation.value, Mapping):
            value = access.get(operation.value, "password")
        elif operation.path is not None and str(operation.path).lower() in _PASSWORD_PATHS:
            value = operation.value
        if isinstance(value, str) and value:
            found = value
    return found


def _check_message_schema(body: Mapping[str, Any]) -> None:
    urns = _member(body, "schemas")
    if not isinstance(urns, list) or constants.PATCH_OP.lower() not in access.lowered(urns):
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


# IdP quirks -------------------------------------------------------------------------------------
# Okta sends deactivation and password changes both as {"op": "replace", "value": {"active":
# false}} (no path) and with "path": "active"; both forms are plain RFC 7644 and need nothing here.


def _member(mapping: Mapping[str, Any], name: str) -> Any:
    """A message member, matched case-insensitively.

    Microsoft Entra ID has sent "operations" for "Operations"; RFC 7643 §2.1 makes attribute
    names case-insensitive anyway.
    """
    key = access.find_key(mapping, name)
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
