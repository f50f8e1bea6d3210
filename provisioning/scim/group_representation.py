"""The Group resource as the API shows it (RFC 7643 §4.2, §8.7.1), and its projection
(RFC 7644 §3.4.2.5), as pure Python.

The resource is rendered in two parts, the group and its members, so that a large group's
members can be written out as they are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from provisioning.scim import constants

GroupView = Mapping[str, Any]


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def group_resource(view: GroupView, *, base_url: str) -> dict[str, Any]:
    """The Group resource without its members (``member`` renders each): id, externalId,
    displayName, the description under the LMS extension, meta."""
    description = view.get("description") or ""
    resource: dict[str, Any] = {
        "schemas": [
            constants.GROUP_SCHEMA,
            *([constants.LMS_GROUP_SCHEMA] if description else []),
        ],
        "id": str(view["scim_id"]),
    }
    if view.get("external_id"):
        resource["externalId"] = view["external_id"]
    resource["displayName"] = view["name"]
    if description:
        resource[constants.LMS_GROUP_SCHEMA] = {"description": description}
    resource["meta"] = {
        "resourceType": "Group",
        "created": _timestamp(view["created_at"]),
        "lastModified": _timestamp(view["updated_at"]),
        "location": f"{base_url}/Groups/{view['scim_id']}",
        "version": f'W/"{view["version"]}"',
    }
    return resource


def member(scim_id: Any, *, base_url: str) -> dict[str, Any]:
    """One member as the resource lists it: the sub-attributes of RFC 7643 §8.7.1 (a
    ``display`` a client sends is not kept, and none is returned)."""
    return {"value": str(scim_id), "$ref": f"{base_url}/Users/{scim_id}", "type": "User"}


@dataclass(frozen=True)
class GroupProjection:
    """RFC 7644 §3.4.2.5 for a Group: which of its attributes an answer shows, and whether
    (and which sub-attributes of) its members."""

    keep: frozenset[str] | None  # lower-case top-level names to keep; None: all by default
    drop: frozenset[str]
    members: bool
    member_keys: frozenset[str] | None  # lower-case sub-attributes of members; None: all

    def apply(self, resource: Mapping[str, Any]) -> dict[str, Any]:
        """The resource (without members) as this projection shows it."""
        shown = {}
        for key, value in resource.items():
            low = key.lower()
            if low in {"id", "schemas"}:
                shown[key] = value
            elif self.keep is not None:
                if low in self.keep:
                    shown[key] = value
            elif low not in self.drop:
                shown[key] = value
        return shown

    def member(self, element: dict[str, Any]) -> dict[str, Any]:
        if self.member_keys is None:
            return element
        return {k: v for k, v in element.items() if k.lower() in self.member_keys}


def _group_name(raw: str) -> tuple[str, str]:
    """(top-level key, sub-attribute) of a name in ``attributes``: lower case, the core
    Group URN dropped, an extension's attributes under their URN."""
    name = raw.strip().lower()
    core = f"{constants.GROUP_SCHEMA.lower()}:"
    if name.startswith(core):
        name = name[len(core) :]
    extension = constants.LMS_GROUP_SCHEMA.lower()
    if name.startswith(f"{extension}:") or name == extension:
        return extension, ""
    top, _, sub = name.partition(".")
    return top, sub


def group_projection(
    attributes: Sequence[str], excluded: Sequence[str], *, members_by_default: bool
) -> GroupProjection:
    """``members_by_default``: a single group's answer lists its members unless told not to;
    a list answer does only when ``attributes`` names them (a group is found in a list, its
    members read from the group itself), which keeps a lookup by name as fast for a group of
    50,000 as for an empty one."""
    if attributes:
        names = [_group_name(a) for a in attributes if a.strip()]
        keep = frozenset(top for top, _ in names)
        subs = {sub for top, sub in names if top == "members"}
        whole = any(top == "members" and not sub for top, sub in names)
        return GroupProjection(
            keep=keep,
            drop=frozenset(),
            members="members" in keep,
            member_keys=None if whole or not subs else frozenset(subs),
        )
    # A sub-attribute excluded leaves its attribute shown; a URN's own dots ("2.0", "1.0")
    # are not sub-attributes.
    drop = frozenset(top for top, sub in map(_group_name, excluded) if top and not sub)
    return GroupProjection(
        keep=None,
        drop=drop,
        members=members_by_default and "members" not in drop,
        member_keys=None,
    )
