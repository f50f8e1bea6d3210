"""The Group resource on the wire (RFC 7643 §4.2, RFC 7644 §3.3-§3.5), as pure Python.

A POST or PUT body becomes a ``GroupBody``; a PATCH's operations (``patch.parse_patch_request``)
become one ``GroupPatch``: the fields to set and the members to add, to remove, or the exact
list to replace them with. Members are never patched as a list in memory: what a PATCH does to
them is a difference the domain writes row by row, so adding one member to a group of 50,000
reads and writes one row. The resource is rendered by ``group_representation``.

Names are case-insensitive (RFC 7643 §2.1); attributes this server does not keep are ignored
and named (as for Users); a path that names none of the Group's attributes is ``invalidPath``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from provisioning.scim import constants, errors, quirks, registry
from provisioning.scim.attributes import READ_ONLY, by_name
from provisioning.scim.common import COMMON_ATTRIBUTES
from provisioning.scim.filters import Compare, Filter, Or, PatchPath
from provisioning.scim.group_schemas import GROUP
from provisioning.scim.patch import PatchOperation

# What the API keeps of a group, by model field: name, external_id, description.
GroupFields = dict[str, str]

# The Group's attributes a client writes, kept in the group's own row, by lower-case SCIM name
# -> model field (the registry's declarations): displayName and externalId.
_FIELDS = {
    attribute.name.lower(): attribute.storage
    for attribute in registry.top_level(GROUP)
    if attribute.storage and not attribute.relation and attribute.mutability != READ_ONLY
}
# The extension holding the description: ours, and Okta's name for it (quirks).
_EXTENSIONS = frozenset({constants.LMS_GROUP_SCHEMA.lower(), *quirks.GROUP_EXTENSION_ALIASES})
# The common attributes a client does not write (schemas, id, meta): skipped, not "ignored".
_SKIPPED = {attribute.name.lower() for attribute in COMMON_ATTRIBUTES} - set(_FIELDS)
_OTHER_RESOURCES = ("urn:ietf:params:scim:schemas:core:2.0:", "urn:ietf:params:scim:api:messages:")


@dataclass(frozen=True)
class GroupBody:
    """A POST or PUT body: the group's fields, its members' ids as sent (each once, in the
    order sent), and the attributes ignored."""

    fields: GroupFields
    members: tuple[str, ...]
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupPatch:
    """What a PATCH does: ``fields`` to set; ``replace`` (the exact member list) if given,
    then ``add`` and ``remove``, by member id."""

    fields: GroupFields
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    replace: tuple[str, ...] | None = None
    ignored: tuple[str, ...] = ()

    @property
    def members_changed(self) -> bool:
        return self.replace is not None or bool(self.add or self.remove)


def _folded(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).lower(): value for key, value in mapping.items()}


def _text(value: Any, label: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if value is None:
        raise errors.InvalidValue(f"{label} is required and cannot be empty.")
    if not isinstance(value, str):
        raise errors.InvalidValue(f"{label} must be a string.")
    if "\x00" in value:
        raise errors.InvalidValue(f"{label} cannot contain the NUL character.")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise errors.InvalidValue(
                f"{label} holds a lone surrogate, which is not text."
            ) from None
    if required and not value.strip():
        raise errors.InvalidValue(f"{label} is required and cannot be empty.")
    return value


def _display_name(value: Any) -> str:
    return _text(value, "displayName", required=True)


# Members -------------------------------------------------------------------------------------


def member_ids(value: Any, label: str = "members") -> tuple[str, ...]:
    """The ids a members value names, each once, in order: a list of ``{"value": id}``
    objects (``display``, ``$ref`` and ``type`` may come along, null or not). One object
    alone is read as a list of one. A group as a member is refused: groups do not nest."""
    if value is None:
        return ()
    elements = [value] if isinstance(value, Mapping) else value
    if not isinstance(elements, list):
        raise errors.InvalidValue(f'{label} must be a list of {{"value": "<user id>"}} objects.')
    ids: dict[str, None] = {}
    for element in elements:
        if not isinstance(element, Mapping):
            raise errors.InvalidValue(
                f'Each of {label} must be an object such as {{"value": "<user id>"}}.'
            )
        member = _folded(element)
        member_id = member.get("value")
        if not isinstance(member_id, str) or not member_id.strip():
            raise errors.InvalidValue(f'Each of {label} needs a "value": the id of a User.')
        _refuse_nesting(member)
        ids[member_id.strip()] = None
    return tuple(ids)


def _refuse_nesting(member: Mapping[str, Any]) -> None:
    kind = member.get("type")
    ref = member.get("$ref")
    if (isinstance(kind, str) and kind.lower() == "group") or (
        isinstance(ref, str) and "/groups/" in ref.lower()
    ):
        raise errors.InvalidValue(
            "A group cannot be a member of a group here: groups do not nest. "
            "Add the group's users instead."
        )


def _filtered_ids(node: Filter) -> tuple[str, ...]:
    """The ids ``members[value eq "a" or value eq "b"]`` selects."""
    match node:
        case Compare(path, "eq", str() as value) if (
            path.schema is None and path.sub_attribute is None and path.attribute.lower() == "value"
        ):
            return (value,)
        case Or(left, right):
            return _filtered_ids(left) + _filtered_ids(right)
    raise errors.InvalidFilter(
        'Members are selected by id: members[value eq "<user id>"], several joined by "or".'
    )


# POST and PUT ----------------------------------------------------------------------------------


def parse_group(body: Any) -> GroupBody:
    """RFC 7643 §4.2: a group from a POST or PUT body. ``displayName`` is required; an
    absent ``externalId``, description or member list is empty (PUT replaces, RFC 7644
    §3.5.1)."""
    if not isinstance(body, Mapping):
        raise errors.InvalidSyntax("The request body must be a JSON object (a Group).")
    data = _folded(body)
    _check_schemas(data.get("schemas"))
    fields: GroupFields = {
        "name": _display_name(data.get("displayname")),
        "external_id": _text(data.get("externalid"), "externalId"),
        "description": "",
    }
    ignored: list[str] = []
    for key, value in data.items():
        if key in _FIELDS or key in _SKIPPED or key == "members":
            continue
        if key in _EXTENSIONS and isinstance(value, Mapping):
            extension = _folded(value)
            fields["description"] = _text(extension.pop("description", None), "description")
            ignored += [f"{key}:{k}" for k, v in extension.items() if v]
        elif _is_description(key):
            fields["description"] = _text(value, "description")
        elif value not in (None, "", [], {}):
            ignored.append(str(next(k for k in body if str(k).lower() == key)))
    return GroupBody(fields, member_ids(data.get("members")), tuple(ignored))


def _is_description(key: str) -> bool:
    """ "<extension URN>:description", in any case."""
    urn, _, name = key.lower().rpartition(":")
    return urn in _EXTENSIONS and name == "description"


def _check_schemas(schemas: Any) -> None:
    """RFC 7643 §3: ``schemas`` is required and names the Group schema; a schema of another
    resource (a User) means the body is not a Group."""
    group = constants.GROUP_SCHEMA
    if not isinstance(schemas, list) or not all(isinstance(urn, str) for urn in schemas):
        raise errors.InvalidValue(f'schemas is required: a list of schema URNs holding "{group}".')
    lowered = [urn.lower() for urn in schemas]
    if group.lower() not in lowered:
        raise errors.InvalidValue(f'schemas must hold "{group}": this is the Groups endpoint.')
    others = [
        urn
        for urn, low in zip(schemas, lowered, strict=True)
        if low.startswith(_OTHER_RESOURCES) and low != group.lower()
    ]
    if others:
        raise errors.InvalidValue(f"schemas names {others[0]!r}, which is not a schema of a Group.")


# PATCH -----------------------------------------------------------------------------------------


class _Members:
    """Member operations folded in order: a replace sets the exact list, later adds and
    removes change it; without one, adds and removes cancel each other out."""

    def __init__(self) -> None:
        self.replace: dict[str, None] | None = None
        self.add: dict[str, None] = {}
        self.remove: dict[str, None] = {}

    def replace_with(self, ids: Iterable[str]) -> None:
        self.replace = dict.fromkeys(ids)
        self.add, self.remove = {}, {}

    def add_ids(self, ids: Iterable[str]) -> None:
        for member_id in ids:
            if self.replace is not None:
                self.replace[member_id] = None
            else:
                self.remove.pop(member_id, None)
                self.add[member_id] = None

    def remove_ids(self, ids: Iterable[str]) -> None:
        for member_id in ids:
            if self.replace is not None:
                self.replace.pop(member_id, None)
            else:
                self.add.pop(member_id, None)
                self.remove[member_id] = None


def interpret_patch(operations: Sequence[PatchOperation], *, group_id: str) -> GroupPatch:
    """RFC 7644 §3.5.2 for a Group: the shapes Okta and Entra send, and the RFC's own.

    Without a path, the value is an object of attributes (Okta renames a group with
    ``{"id": ..., "displayName": ...}``). ``members`` is added to, replaced, or removed from:
    by a value list (Entra's ``Remove`` of some members), by a filter
    (``members[value eq "..."]``), or whole (a ``remove`` without value).
    """
    fields: GroupFields = {}
    members = _Members()
    ignored: list[str] = []
    for number, operation in enumerate(operations, 1):
        if operation.path is None:
            _without_path(operation, fields, members, ignored, group_id, number)
        else:
            _with_path(operation, operation.path, fields, members, number)
    return GroupPatch(
        fields,
        add=tuple(members.add),
        remove=tuple(members.remove),
        replace=None if members.replace is None else tuple(members.replace),
        ignored=tuple(ignored),
    )


def _without_path(
    operation: PatchOperation,
    fields: GroupFields,
    members: _Members,
    ignored: list[str],
    group_id: str,
    number: int,
) -> None:
    if not isinstance(operation.value, Mapping):
        raise errors.InvalidValue(
            f"Operation {number}: without a path, the value must be an object of attributes."
        )
    for key, value in operation.value.items():
        name = str(key).lower()
        if name == "id":
            if not isinstance(value, str) or value.lower() != group_id.lower():
                raise errors.Mutability(f"Operation {number}: id is assigned by this server.")
        elif name in {"meta", "schemas"}:
            continue
        elif name == "displayname":
            fields["name"] = _display_name(value)
        elif name == "externalid":
            fields["external_id"] = _text(value, "externalId")
        elif name == "members":
            ids = member_ids(value)
            members.replace_with(ids) if operation.op == "replace" else members.add_ids(ids)
        elif name in _EXTENSIONS and isinstance(value, Mapping):
            extension = _folded(value)
            if "description" in extension:
                fields["description"] = _text(extension["description"], "description")
        elif _is_description(name):
            fields["description"] = _text(value, "description")
        elif value not in (None, "", [], {}):
            ignored.append(str(key))


def _with_path(
    operation: PatchOperation,
    path: PatchPath,
    fields: GroupFields,
    members: _Members,
    number: int,
) -> None:
    """An operation on the attribute its path names: displayName, externalId, members, the
    extension's description, or the extension whole."""
    written = str(path.attr).lower()
    attribute = path.attr
    core = (attribute.schema or constants.GROUP_SCHEMA).lower() == constants.GROUP_SCHEMA.lower()
    name = attribute.attribute.lower()
    removing = operation.op == "remove"
    if written in _EXTENSIONS and not path.value_filter:
        value = {} if removing else operation.value
        if not isinstance(value, Mapping):
            raise errors.InvalidValue(f"Operation {number}: {path} takes an object.")
        fields["description"] = _text(_folded(value).get("description"), "description")
    elif _is_description(written) and not path.value_filter:
        fields["description"] = "" if removing else _text(operation.value, "description")
    elif not core:
        raise errors.InvalidPath(f"Operation {number}: {path} is not an attribute of a Group.")
    elif name == "id":
        raise errors.Mutability(f"Operation {number}: id is assigned by this server.")
    elif name == "externalid" and not attribute.sub_attribute and not path.value_filter:
        fields["external_id"] = "" if removing else _text(operation.value, "externalId")
    elif name == "displayname":
        if removing or attribute.sub_attribute or path.value_filter:
            raise errors.Mutability(
                f"Operation {number}: displayName is required; replace it instead."
            )
        fields["name"] = _display_name(operation.value)
    elif by_name(GROUP.attributes, name) is not None:  # members
        _members_operation(operation, path, members, number)
    else:
        raise errors.InvalidPath(f"Operation {number}: {path} is not an attribute of a Group.")


def _members_operation(
    operation: PatchOperation, path: PatchPath, members: _Members, number: int
) -> None:
    if path.attr.sub_attribute or path.sub_attribute:
        raise errors.InvalidPath(
            f"Operation {number}: a member is added or removed whole, not {path}."
        )
    if path.value_filter is not None:
        if operation.op != "remove":
            raise errors.InvalidPath(
                f'Operation {number}: members[value eq "..."] selects members to remove; '
                f'add members with path "members" and a list of values.'
            )
        members.remove_ids(_filtered_ids(path.value_filter))
    elif operation.op == "add":
        members.add_ids(member_ids(operation.value))
    elif operation.op == "replace":
        members.replace_with(member_ids(operation.value))
    elif operation.value is None:
        members.replace_with(())  # remove without a value: every member (RFC 7644 §3.5.2.2)
    else:
        members.remove_ids(member_ids(operation.value))
