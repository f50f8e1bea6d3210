"""The kinds a SCIM schema is made of (RFC 7643 §2.2, §2.3, §7), and where each attribute is kept.

An ``Attribute`` states its RFC 7643 characteristics and, for this server, its storage: the
model field (as an ORM lookup path, a plain string: nothing here imports Django) that holds
its value, and whether an IdP may filter and sort on it. ``provisioning.scim.schemas``
declares the User's attributes with these; parsing, PATCH, filtering, sorting, the
representation, ``/Schemas`` and the OpenAPI document all read that one declaration.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from provisioning.scim import constants


class AttributeType(StrEnum):
    """Attribute data types this server uses (RFC 7643 §2.3)."""

    STRING = "string"
    BOOLEAN = "boolean"
    COMPLEX = "complex"
    DATE_TIME = "dateTime"
    REFERENCE = "reference"
    DECIMAL = "decimal"


class Mutability(StrEnum):
    """RFC 7643 §2.2 "mutability"."""

    READ_ONLY = "readOnly"
    READ_WRITE = "readWrite"
    IMMUTABLE = "immutable"
    WRITE_ONLY = "writeOnly"


class Returned(StrEnum):
    """RFC 7643 §2.2 "returned"."""

    ALWAYS = "always"
    DEFAULT = "default"
    NEVER = "never"
    REQUEST = "request"


class Uniqueness(StrEnum):
    """RFC 7643 §2.2 "uniqueness"."""

    NONE = "none"
    SERVER = "server"
    GLOBAL = "global"


STRING = AttributeType.STRING
BOOLEAN = AttributeType.BOOLEAN
COMPLEX = AttributeType.COMPLEX
DATE_TIME = AttributeType.DATE_TIME
DECIMAL = AttributeType.DECIMAL
REFERENCE = AttributeType.REFERENCE
READ_ONLY = Mutability.READ_ONLY
WRITE_ONLY = Mutability.WRITE_ONLY


@dataclass(frozen=True)
class Attribute:
    """One attribute definition with all its characteristics (RFC 7643 §2.2, §7), and where
    this server keeps it.

    ``storage`` is the key of the value in a user's view and in what parsing returns: a model
    field or an ORM lookup path (``"first_name"``, ``"user_type__name"``) read as a column,
    or, with ``relation``, a value the portal keeps in a relation (branch membership, groups).
    A multi-valued complex attribute with a ``storage`` is kept whole (``kept_whole``): its
    list of elements, each with the sub-attributes declared here, in one column.
    ``filterable`` and ``sortable``: an IdP may filter (RFC 7644 §3.4.2.2) and sort
    (§3.4.2.3) on it; ``filter_type`` overrides ``type`` for the filter translator (a SCIM id
    is a string that only a UUID can equal). ``kept_when_absent``: a PUT without it keeps the
    current value (the portal requires one, or its admin set it) instead of clearing it to
    ``cleared``.
    ``others``: for a multi-valued complex attribute whose sub-attributes name columns (the
    portal keeps one email address in its own columns), the column that keeps the other
    elements whole, each as sent.
    """

    name: str
    type: AttributeType = STRING
    description: str = ""
    multi_valued: bool = False
    required: bool = False
    case_exact: bool = False
    mutability: Mutability = Mutability.READ_WRITE
    returned: Returned = Returned.DEFAULT
    uniqueness: Uniqueness = Uniqueness.NONE
    sub_attributes: tuple[Attribute, ...] = ()
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()
    storage: str | None = None
    relation: bool = False
    filterable: bool = False
    sortable: bool = False
    filter_type: str | None = None
    kept_when_absent: bool = False
    cleared: Any = ""
    others: str | None = None

    @property
    def kept_whole(self) -> bool:
        return self.type == COMPLEX and self.multi_valued and self.storage is not None

    def sub_attribute(self, name: str) -> Attribute | None:
        """The sub-attribute called ``name``, matched case-insensitively (RFC 7643 §2.1)."""
        return by_name(self.sub_attributes, name)

    def as_dict(self) -> dict[str, Any]:
        """The RFC 7643 §7 "attributes" entry.

        The nine characteristics every attribute has are always present; ``subAttributes`` only
        for complex types, ``referenceTypes`` only for references and ``canonicalValues`` only when
        there are some, as in the RFC's own schema representation (RFC 7643 §8.7.1).
        """
        data: dict[str, Any] = {
            "name": self.name,
            "type": str(self.type),
            "multiValued": self.multi_valued,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": str(self.mutability),
            "returned": str(self.returned),
            "uniqueness": str(self.uniqueness),
        }
        if self.type == COMPLEX:
            data["subAttributes"] = [sub.as_dict() for sub in self.sub_attributes]
        if self.canonical_values:
            data["canonicalValues"] = list(self.canonical_values)
        if self.type == REFERENCE:
            data["referenceTypes"] = list(self.reference_types)
        return data


@dataclass(frozen=True)
class Schema:
    """A schema: its URN and the attributes it defines (RFC 7643 §7)."""

    id: str
    name: str
    description: str
    attributes: tuple[Attribute, ...]
    is_core: bool = False  # the resource's core schema, whose attributes are not URN-qualified

    def as_document(self, base_url: str) -> dict[str, Any]:
        """The Schema resource served at ``/Schemas/<urn>`` (RFC 7643 §7, RFC 7644 §4)."""
        return {
            "schemas": [constants.SCHEMA_SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": [attribute.as_dict() for attribute in self.attributes],
            "meta": {"resourceType": "Schema", "location": f"{base(base_url)}/Schemas/{self.id}"},
        }


@dataclass(frozen=True)
class AttributeRef:
    """A resolved attribute name: the owning schema, the attribute and maybe a sub-attribute."""

    schema: Schema
    attribute: Attribute
    sub_attribute: Attribute | None = None

    @property
    def definition(self) -> Attribute:
        """The definition the name points at: the sub-attribute if there is one."""
        return self.sub_attribute or self.attribute

    @property
    def dotted(self) -> str:
        """ "name.givenName", "emails.value", "department": the name without its URN."""
        name = self.attribute.name
        return name if self.sub_attribute is None else f"{name}.{self.sub_attribute.name}"

    @property
    def canonical(self) -> str:
        """Canonical spelling, URN-qualified for extensions (RFC 7644 §3.10)."""
        name = self.attribute.name
        if self.sub_attribute is not None:
            name = f"{name}.{self.sub_attribute.name}"
        return name if self.schema.is_core else f"{self.schema.id}:{name}"


def read_only(*attributes: Attribute) -> tuple[Attribute, ...]:
    """Sub-attributes of a read-only attribute are read-only too (RFC 7643 §2.2)."""
    return tuple(replace(attribute, mutability=READ_ONLY) for attribute in attributes)


def base(base_url: str) -> str:
    return base_url.rstrip("/")


def by_name(attributes: tuple[Attribute, ...], name: str) -> Attribute | None:
    """The attribute called ``name``, matched case-insensitively (RFC 7643 §2.1)."""
    wanted = name.lower()
    return next((a for a in attributes if a.name.lower() == wanted), None)
