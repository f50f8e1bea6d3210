"""Where an operation lands: a path, or a key of a path-less value, resolved to an attribute
of the User's schemas (RFC 7644 §3.5.2)."""

from __future__ import annotations

from dataclasses import dataclass

from provisioning.scim import errors, filters, registry, schemas
from provisioning.scim.attributes import Attribute, Schema, by_name


@dataclass(frozen=True)
class Target:
    """Where an operation lands: a whole schema (``attribute`` None) or one of its attributes."""

    schema: Schema
    attribute: Attribute | None = None
    sub_attribute: Attribute | None = None
    value_filter: filters.Filter | None = None


def key_target(key: str, schema: Schema, custom: tuple[Attribute, ...] = ()) -> Target | None:
    """A key of a path-less value: "active", "name.givenName", "urn:...:User:department" or an
    extension URN whose value holds that extension's attributes (RFC 7644 §3.5.2.1)."""
    extension = registry.find_schema(key) if schema is schemas.USER else None
    if extension is not None:
        return Target(extension)
    ref = registry.resolve(key, None if schema is schemas.USER else schema.id)
    if ref is not None:
        return Target(ref.schema, ref.attribute, ref.sub_attribute)
    if schema is schemas.LMS_USER:
        return _custom_target(key, custom)
    prefix = f"{schemas.LMS_USER.id}:".lower()
    return _custom_target(key[len(prefix) :], custom) if key.lower().startswith(prefix) else None


def path_target(path: filters.PatchPath, custom: tuple[Attribute, ...] = ()) -> Target:
    """Resolve a parsed path; ``InvalidPath`` when it names no attribute of the User's
    schemas (RFC 7644 §3.5.2: an operation on an attribute this server does not define
    would otherwise "succeed" and change nothing)."""
    extension = _extension_as_path(path.attr)
    if extension is not None:
        return Target(extension)
    attr = path.attr
    dotted = (
        attr.attribute if attr.sub_attribute is None else f"{attr.attribute}.{attr.sub_attribute}"
    )
    ref = registry.resolve(dotted, attr.schema)
    if ref is None:
        is_lms = (attr.schema or "").lower() == schemas.LMS_USER.id.lower()
        found = _custom_target(dotted, custom) if is_lms and path.value_filter is None else None
        if found is None:
            raise errors.InvalidPath(f'"{path}" names no attribute of a User (see /Schemas).')
        return found
    if path.value_filter is not None and not ref.attribute.multi_valued:
        raise errors.InvalidPath(f'"{ref.attribute.name}" is single-valued: it takes no filter.')
    sub_attribute = ref.sub_attribute
    if path.sub_attribute is not None:
        sub_attribute = ref.attribute.sub_attribute(path.sub_attribute)
        if sub_attribute is None:
            raise errors.InvalidPath(f'"{path}" names no attribute of a User (see /Schemas).')
    return Target(ref.schema, ref.attribute, sub_attribute, path.value_filter)


def _custom_target(name: str, custom: tuple[Attribute, ...]) -> Target | None:
    """A custom user field, an attribute of the LMS extension (``scim.custom``)."""
    attribute = by_name(custom, name)
    return Target(schemas.LMS_USER, attribute) if attribute is not None else None


# IdP quirks -------------------------------------------------------------------------------------


def _extension_as_path(attr: filters.AttrPath) -> Schema | None:
    """An extension URN used as a path ("path": "urn:...:enterprise:2.0:User").

    The RFC 7644 grammar has no such path, but the path-less form uses the URN as a key
    (§3.5.2.1), and a client that carries it over into "path" can only mean the extension as a
    whole. The path parser reads it as schema "...:2.0" plus attribute "User".
    """
    if attr.schema is None or attr.sub_attribute is not None:
        return None
    schema = registry.find_schema(f"{attr.schema}:{attr.attribute}")
    return None if schema is schemas.USER else schema
