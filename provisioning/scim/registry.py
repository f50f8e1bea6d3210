"""Questions the User registry (``provisioning.scim.schemas``) answers for the rest of the
server: what is stored where, what may be filtered and sorted on, what a client owns, and which
attribute a name such as "NAME.givenname" means. What may be filtered and sorted on is asked of
the Group registry (``provisioning.scim.group_schemas``) the same way, by its schemas."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from types import MappingProxyType

from provisioning.scim.attributes import (
    COMPLEX,
    Attribute,
    AttributeRef,
    Mutability,
    Returned,
    Schema,
    by_name,
)
from provisioning.scim.common import COMMON_ATTRIBUTES
from provisioning.scim.schemas import USER, USER_RESOURCE_SCHEMAS


def top_level(schema: Schema) -> tuple[Attribute, ...]:
    """A schema's attributes as they stand in a User: the core schema's with the common ones."""
    return COMMON_ATTRIBUTES + schema.attributes if schema.is_core else schema.attributes


Schemas = tuple[Schema, ...]  # a resource type's schemas: its core schema and extensions


def _refs(schemas: Schemas = USER_RESOURCE_SCHEMAS) -> Iterator[AttributeRef]:
    for schema in schemas:
        for attribute in top_level(schema):
            yield AttributeRef(schema, attribute)
            for sub_attribute in attribute.sub_attributes:
                yield AttributeRef(schema, attribute, sub_attribute)


@cache
def stored() -> dict[str, AttributeRef]:
    """Every attribute this server keeps, by its storage key; the column that keeps the other
    elements of an attribute kept partly in columns (``Attribute.others``) is the attribute's."""
    found = {ref.definition.storage: ref for ref in _refs() if ref.definition.storage}
    for ref in _refs():
        if ref.sub_attribute is None and ref.attribute.others is not None:
            found[ref.attribute.others] = ref
    return found


def _keeps_others(ref: AttributeRef) -> bool:
    return ref.sub_attribute is None and ref.attribute.others is not None


def columns() -> tuple[str, ...]:
    """The storage keys a user's view reads as columns (not relations, never write-only)."""
    return tuple(
        storage
        for storage, ref in stored().items()
        if not ref.definition.relation and ref.definition.returned != Returned.NEVER
    )


@cache
def filterable(schemas: Schemas = USER_RESOURCE_SCHEMAS) -> dict[str, AttributeRef]:
    """What an IdP may filter on (RFC 7644 §3.4.2.2), keyed like ``filters.AttrPath.key()``:
    the canonical name in lower case, URN-qualified for extensions. A resource's (``schemas``)
    complex attribute is filtered on by its sub-attributes."""
    return {
        ref.canonical.lower(): ref
        for ref in _refs(schemas)
        if ref.definition.filterable and ref.definition.type != COMPLEX
    }


@cache
def sortable(schemas: Schemas = USER_RESOURCE_SCHEMAS) -> dict[str, AttributeRef]:
    """What an IdP may sort on (RFC 7644 §3.4.2.3), keyed as ``filterable()``. A multi-valued
    complex attribute sorts by its "value" sub-attribute."""
    found = {}
    for ref in _refs(schemas):
        if not ref.definition.sortable:
            continue
        if ref.definition.type == COMPLEX:
            value = ref.attribute.sub_attribute("value")
            assert value is not None, f"{ref.canonical} sorts by a value it does not have"
            found[ref.canonical.lower()] = AttributeRef(ref.schema, ref.attribute, value)
        else:
            found[ref.canonical.lower()] = ref
    return found


def sortable_names(schemas: Schemas = USER_RESOURCE_SCHEMAS) -> list[str]:
    """The names ``sortable()`` knows, as the attributes are declared."""
    return [ref.canonical for ref in _refs(schemas) if ref.definition.sortable]


def writable() -> dict[str, AttributeRef]:
    """The attributes a client may set, by storage key (RFC 7643 §2.2 "mutability")."""
    return {storage: ref for storage, ref in stored().items() if _is_writable(ref)}


def _is_writable(ref: AttributeRef) -> bool:
    return Mutability.READ_ONLY not in (ref.attribute.mutability, ref.definition.mutability)


@cache
def client_owned() -> Mapping[str, object]:
    """Storage key -> the value a PUT clears it to, for the attributes an IdP owns outright:
    what it sends, or this value when absent (RFC 7644 §3.5.1)."""
    return MappingProxyType(
        {
            storage: [] if _keeps_others(ref) else ref.definition.cleared
            for storage, ref in stored().items()
            if _is_writable(ref)
            and not ref.definition.kept_when_absent
            and not ref.definition.relation
        }
    )


def required_kept() -> tuple[str, ...]:
    """Required attributes the portal keeps a value of: a PATCH may not remove them
    (RFC 7644 §3.5.2.2, mutability)."""
    return tuple(
        ref.canonical
        for ref in writable().values()
        if ref.definition.required and ref.definition.kept_when_absent
    )


def scim_name(storage: str) -> str:
    """The SCIM name of what ``storage`` keeps, as the log shows it: "name.givenName",
    "department" (an extension's attribute without its URN); the storage key if none."""
    ref = stored().get(storage)
    return ref.dotted if ref else storage


def names_by_field() -> dict[str, str]:
    """Model field -> the SCIM name of the attribute it keeps (``scim_name``); a lookup path
    ("user_type__name") counts for its first field."""
    return {storage.split("__")[0]: scim_name(storage) for storage in stored()}


# Names -> attributes -----------------------------------------------------------------------


def find_schema(urn: str) -> Schema | None:
    """The schema with this URN, matched case-insensitively (RFC 7643 §2.1)."""
    return next((s for s in USER_RESOURCE_SCHEMAS if s.id.lower() == urn.lower()), None)


def resolve(key_or_name: str, schema: str | None = None) -> AttributeRef | None:
    """Resolve "userName", "NAME.givenname" or "urn:...:enterprise:2.0:User:manager.value".

    Names are case-insensitive (RFC 7643 §2.1); without a URN prefix they belong to the core User
    schema (RFC 7644 §3.10). ``schema`` names the owning schema when the caller already split it
    off. Returns None for anything this server does not define.
    """
    owner, rest = _split_schema(key_or_name, schema)
    if owner is None:
        return None
    name, _, sub_name = rest.partition(".")
    candidates = owner.attributes + (COMMON_ATTRIBUTES if owner is USER else ())
    attribute = by_name(candidates, name)
    if attribute is None:
        return None
    if not sub_name:
        return AttributeRef(owner, attribute)
    sub_attribute = attribute.sub_attribute(sub_name)
    return AttributeRef(owner, attribute, sub_attribute) if sub_attribute else None


def find_attribute(key_or_name: str, schema: str | None = None) -> Attribute | None:
    """The definition for a name such as "UserName" or "name.givenName", or None."""
    ref = resolve(key_or_name, schema)
    return ref.definition if ref else None


def canonical_name(key_or_name: str, schema: str | None = None) -> str | None:
    """Canonical spelling ("NAME.givenname" -> "name.givenName"), or None if unknown."""
    ref = resolve(key_or_name, schema)
    return ref.canonical if ref else None


def _split_schema(key_or_name: str, schema: str | None) -> tuple[Schema | None, str]:
    """Split a URN prefix off an attribute key (RFC 7644 §3.10)."""
    lowered = key_or_name.lower()
    for candidate in USER_RESOURCE_SCHEMAS:
        prefix = f"{candidate.id.lower()}:"
        if lowered.startswith(prefix):
            if schema is not None and schema.lower() != candidate.id.lower():
                return None, key_or_name
            return candidate, key_or_name[len(prefix) :]
    return (find_schema(schema) if schema else USER), key_or_name
