"""Render a user as a SCIM User resource (RFC 7643 §4.1, §4.3, §3.1 meta), and project it.

Works on a plain ``UserView`` (no ORM): the user's values keyed by the registry's storage keys
(``provisioning.scim.schemas``), with the name of its branch under "branches" and its groups
as (id, name) pairs under "groups". The resource is laid out from the registry's declarations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import quote

from provisioning.scim.attributes import COMPLEX, DATE_TIME, Attribute, Returned
from provisioning.scim.common import META, SCHEMAS
from provisioning.scim.constants import LMS_USER_SCHEMA
from provisioning.scim.registry import top_level
from provisioning.scim.schemas import USER, USER_RESOURCE_SCHEMAS

UserView = Mapping[str, Any]


def etag(version: int) -> str:
    """RFC 7644 §3.14: a weak entity tag derived from the resource's version."""
    return f'W/"{version}"'


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _without_empty(values: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7643 §2.5: unassigned attributes are omitted rather than sent empty."""
    return {key: value for key, value in values.items() if value not in ("", None, [], {})}


# How one attribute's value is read from a view, given the SCIM root.
Getter = Callable[[UserView, str], Any]
_EMPTY: tuple[Any, ...] = ("", None, [], {})


def _location(user: UserView, base_url: str) -> str:
    return f"{base_url}/Users/{user['scim_id']}"


def _manager_ref(user: UserView, base_url: str) -> str | None:
    manager = user.get("manager_ref")
    # An IdP's id, not necessarily ours: escaped, so that it stays one path segment.
    return f"{base_url}/Users/{quote(manager, safe='')}" if manager else None


def _groups(user: UserView, base_url: str) -> list[dict[str, Any]]:
    return [
        {"value": str(gid), "$ref": f"{base_url}/Groups/{gid}", "display": name, "type": "direct"}
        for gid, name in user["groups"]
    ]


# Values this server computes rather than keeps, by (parent, attribute) name, and the values
# kept in relations, by storage key, as the resource shows them.
_COMPUTED: dict[tuple[str, str], Getter] = {
    ("meta", "resourceType"): lambda user, base_url: "User",
    ("meta", "location"): _location,
    ("manager", "$ref"): _manager_ref,
}
_RELATIONS: dict[str, Getter] = {
    "groups": _groups,
    "branches": lambda user, base_url: user["branches"],
}


def _converter(attribute: Attribute) -> Callable[[Any], Any]:
    if attribute.type == DATE_TIME:
        return _timestamp
    if attribute.storage == "version":
        return etag
    return str if attribute.storage == "scim_id" else (lambda value: value)


def _getter(attribute: Attribute, parent: str = "") -> Getter | None:
    """How the registry says to read ``attribute`` from a view; None if it is never shown."""
    computed = _COMPUTED.get((parent, attribute.name))
    if computed is not None:
        return computed
    if attribute.returned == Returned.NEVER or attribute is SCHEMAS:
        return None
    if attribute.relation and attribute.storage is not None:
        return _RELATIONS[attribute.storage]
    if attribute.kept_whole:
        return _elements_getter(attribute)
    if attribute.type == COMPLEX:
        return _complex_getter(attribute)
    storage, convert = attribute.storage, _converter(attribute)
    if storage is None:
        return None
    return lambda user, base_url: None if user[storage] is None else convert(user[storage])


def _complex_getter(attribute: Attribute) -> Getter:
    read = _object_getter(attribute.sub_attributes, parent=attribute.name)
    if not attribute.multi_valued:
        return read

    others = attribute.others

    def elements(user: UserView, base_url: str) -> list[dict[str, Any]]:
        # The element kept in columns (only with its value), then the others as stored.
        element = read(user, base_url)
        kept = [element] if "value" in element else []
        if others is None:
            return kept
        return kept + [_without_empty(other) for other in user[others] or ()]

    return elements


def _elements_getter(attribute: Attribute) -> Getter:
    """A list kept whole: its elements as stored (parsing keeps only what the registry
    declares, typed), each without unassigned sub-attributes."""
    storage = attribute.storage
    assert storage is not None

    def elements(user: UserView, base_url: str) -> list[dict[str, Any]]:
        return [_without_empty(element) for element in user[storage] or ()]

    return elements


def _object_getter(attributes: Iterable[Attribute], parent: str = "") -> Getter:
    getters = [(a.name, g) for a in attributes if (g := _getter(a, parent)) is not None]

    def read(user: UserView, base_url: str) -> dict[str, Any]:
        # RFC 7643 §2.5: unassigned attributes are omitted rather than sent empty.
        values = ((name, getter(user, base_url)) for name, getter in getters)
        return {name: value for name, value in values if value not in _EMPTY}

    return read


@cache
def _layout() -> tuple[Getter, tuple[tuple[str, Getter], ...], Getter]:
    """The resource's readers, from the registry once: the core attributes (meta apart, to
    come last), each extension's, and meta's."""
    core = _object_getter(a for a in top_level(USER) if a is not META)
    extensions = tuple((s.id, _object_getter(s.attributes)) for s in USER_RESOURCE_SCHEMAS[1:])
    return core, extensions, _object_getter(META.sub_attributes, parent=META.name)


def user_resource(
    user: UserView, *, base_url: str, custom: Sequence[Attribute] = ()
) -> dict[str, Any]:
    """The User resource; ``base_url`` is the SCIM root, e.g. https://lms.example.com/api/scim2.
    ``custom``: the custom user fields shown in the LMS extension (``scim.custom``)."""
    core, extension_readers, meta = _layout()
    extensions = {urn: read(user, base_url) for urn, read in extension_readers}
    if custom:
        held = user.get("custom_fields") or {}
        values = {a.name: held[a.name] for a in custom if held.get(a.name) not in _EMPTY}
        extensions[LMS_USER_SCHEMA] = {**extensions.get(LMS_USER_SCHEMA, {}), **values}
    present = [urn for urn, values in extensions.items() if values]
    return {
        "schemas": [USER.id, *present],
        **core(user, base_url),
        **{urn: extensions[urn] for urn in present},
        "meta": meta(user, base_url),
    }


# Attributes returned whatever ``attributes`` asks for (RFC 7643 §7 "returned": "always").
ALWAYS_RETURNED = frozenset(a.name for a in top_level(USER) if a.returned == Returned.ALWAYS)


def project(
    resource: Mapping[str, Any],
    *,
    attributes: Iterable[str] = (),
    excluded: Iterable[str] = (),
) -> dict[str, Any]:
    """RFC 7644 §3.4.2.5: keep only ``attributes`` (plus id and schemas), or drop ``excluded``.

    Names are case-insensitive and may be dotted (``name.givenName``) or URN-qualified.
    """
    wanted = _paths(attributes)
    unwanted = _paths(excluded)
    if wanted:
        return _keep(resource, wanted)
    if unwanted:
        return _drop(resource, unwanted)
    return dict(resource)


def _paths(names: Iterable[str]) -> dict[str, set[str]]:
    """Group ``name.sub`` paths by top-level key (lower-case); an empty set means the whole."""
    paths: dict[str, set[str]] = {}
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        urn, _, attribute = (
            name.rpartition(":") if name.lower().startswith("urn:") else ("", "", name)
        )
        top, _, sub = attribute.partition(".")
        if urn and urn.lower() != USER.id.lower():
            top, sub = urn, attribute  # an extension's attribute
        elif not attribute:
            top = urn
        subs = paths.setdefault(top.lower(), set())
        if sub:
            subs.add(sub.lower())
        else:
            paths[top.lower()] = set()
    return paths


def _select(value: Any, subs: set[str], keep: bool) -> Any:
    if not subs:
        return value
    if isinstance(value, list):
        return [_select(item, subs, keep) for item in value]
    if isinstance(value, Mapping):
        return {k: v for k, v in value.items() if (k.split(".")[0].lower() in subs) == keep}
    return value


def _keep(resource: Mapping[str, Any], wanted: dict[str, set[str]]) -> dict[str, Any]:
    kept = {
        key: _select(value, wanted[key.lower()], True)
        for key, value in resource.items()
        if key.lower() in wanted
    }
    return _without_empty(kept) | {k: resource[k] for k in ALWAYS_RETURNED if k in resource}


def _drop(resource: Mapping[str, Any], unwanted: dict[str, set[str]]) -> dict[str, Any]:
    result = {}
    for key, value in resource.items():
        if key in ALWAYS_RETURNED or key.lower() not in unwanted:
            result[key] = value
        elif unwanted[key.lower()]:
            result[key] = _select(value, unwanted[key.lower()], False)
    return _without_empty(result) | {k: resource[k] for k in ALWAYS_RETURNED if k in resource}
