"""Render a user as a SCIM User resource (RFC 7643 §4.1, §4.3, §3.1 meta), and project it.

Works on a plain ``UserView`` (no ORM): the user's values keyed by the registry's storage keys
(``provisioning.scim.schemas``), with the name of its branch under "branches" and its groups
as (id, name) pairs under "groups". The resource is laid out from the registry's declarations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from provisioning.scim.attributes import COMPLEX, DATE_TIME, Attribute, Returned
from provisioning.scim.registry import top_level
from provisioning.scim.schemas import META, SCHEMAS, USER, USER_RESOURCE_SCHEMAS

UserView = Mapping[str, Any]


def etag(version: int) -> str:
    """RFC 7644 §3.14: a weak entity tag derived from the resource's version."""
    return f'W/"{version}"'


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _without_empty(values: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7643 §2.5: unassigned attributes are omitted rather than sent empty."""
    return {key: value for key, value in values.items() if value not in ("", None, [], {})}


class _Render:
    """One user's resource under construction; ``base_url`` is the SCIM root."""

    def __init__(self, user: UserView, base_url: str) -> None:
        self.user, self.base_url = user, base_url
        self.location = f"{base_url}/Users/{user['scim_id']}"

    def schema(self, attributes: Iterable[Attribute]) -> dict[str, Any]:
        return _without_empty({a.name: self.attribute(a) for a in attributes if _shown(a)})

    def attribute(self, attribute: Attribute, parent: Attribute | None = None) -> Any:
        computed = _COMPUTED.get((parent.name if parent else "", attribute.name))
        if computed is not None:
            return computed(self)
        if attribute.relation:
            assert attribute.storage is not None, f"{attribute.name} is a relation kept nowhere"
            return _RELATIONS[attribute.storage](self.user[attribute.storage])
        if attribute.type == COMPLEX:
            value = self.schema_of(attribute)
            return ([value] if value else []) if attribute.multi_valued else value
        if attribute.storage is None:
            return None
        return _plain(attribute, self.user[attribute.storage])

    def schema_of(self, attribute: Attribute) -> dict[str, Any]:
        subs = {s.name: self.attribute(s, attribute) for s in attribute.sub_attributes}
        value = _without_empty(subs)
        # A multi-valued attribute the portal keeps one of: an element only with its value.
        return value if "value" in value or not attribute.multi_valued else {}


def _shown(attribute: Attribute) -> bool:
    return attribute.returned != Returned.NEVER and attribute not in (SCHEMAS, META)


def _plain(attribute: Attribute, value: Any) -> Any:
    if value is None:
        return None
    if attribute.type == DATE_TIME:
        return _timestamp(value)
    if attribute.storage == "version":
        return etag(value)
    return str(value) if attribute.storage == "scim_id" else value


def _groups(groups: Iterable[tuple[Any, str]]) -> list[dict[str, Any]]:
    return [{"value": str(gid), "display": name, "type": "direct"} for gid, name in groups]


# Values kept in relations, by storage key, as the resource shows them.
_RELATIONS: dict[str, Callable[[Any], Any]] = {"groups": _groups, "branches": lambda b: b}

# Values this server computes rather than keeps, by (parent, attribute) name.
_COMPUTED: dict[tuple[str, str], Callable[[_Render], Any]] = {
    ("meta", "resourceType"): lambda render: "User",
    ("meta", "location"): lambda render: render.location,
    ("manager", "$ref"): lambda render: (
        f"{render.base_url}/Users/{render.user['manager_ref']}"
        if render.user.get("manager_ref")
        else None
    ),
}


def user_resource(user: UserView, *, base_url: str) -> dict[str, Any]:
    """The User resource; ``base_url`` is the SCIM root, e.g. https://lms.example.com/api/scim2."""
    render = _Render(user, base_url)
    resource = render.schema(top_level(USER))
    extensions = {s.id: render.schema(s.attributes) for s in USER_RESOURCE_SCHEMAS[1:]}
    present = [urn for urn, values in extensions.items() if values]
    return {
        "schemas": [USER.id, *present],
        **resource,
        **{urn: extensions[urn] for urn in present},
        "meta": render.schema_of(META),
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
