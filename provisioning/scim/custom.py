"""The portal's custom user fields as attributes of the LMS extension schema
(``urn:ietf:params:scim:schemas:extension:lms:2.0:User``), when an admin exposes them.

They are defined at run time, so they are not in the static registry: each request that uses
them builds their ``Attribute`` declarations from the fields' definitions (plain data, given
by ``provisioning.queries``) and hands them to parsing, PATCH, the representation and
``/Schemas``. A field's key is its attribute name (case-insensitive, RFC 7643 §2.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from provisioning.scim import quirks
from provisioning.scim.attributes import BOOLEAN, DECIMAL, STRING, Attribute, Uniqueness, by_name
from provisioning.scim.constants import LMS_USER_SCHEMA


@dataclass(frozen=True)
class FieldDefinition:
    """What the portal says of one custom field."""

    key: str
    label: str
    kind: str  # text, number, date, yes_no, dropdown
    options: tuple[str, ...] = ()
    unique: bool = False


def attribute(field: FieldDefinition) -> Attribute:
    """The field as an attribute of the LMS extension."""
    kinds = {
        "number": (DECIMAL, "a number"),
        "yes_no": (BOOLEAN, "true or false"),
        "date": (STRING, "a date as YYYY-MM-DD"),
        "dropdown": (STRING, "one of the canonical values"),
    }
    kind, what = kinds.get(field.kind, (STRING, "a text"))
    return Attribute(
        field.key,
        kind,
        f"{field.label}: the portal's custom user field, {what}.",
        case_exact=True,  # kept and compared exactly as sent
        canonical_values=field.options,
        uniqueness=Uniqueness.SERVER if field.unique else Uniqueness.NONE,
    )


def attributes(fields: Sequence[FieldDefinition]) -> tuple[Attribute, ...]:
    return tuple(attribute(field) for field in fields)


def values_in(body: Any, custom: Sequence[Attribute]) -> dict[str, Any]:
    """The custom fields' values a User (a POST or PUT body, or a patched resource) holds in
    the LMS extension, by field key as declared; null is no value."""
    if not custom or not isinstance(body, Mapping):
        return {}
    extension = next(
        (value for key, value in body.items() if str(key).lower() == LMS_USER_SCHEMA.lower()),
        None,
    )
    if not isinstance(extension, Mapping):
        return {}
    found = {}
    for key, value in extension.items():
        declared = by_name(tuple(custom), str(key))
        if declared is not None and value is not None:
            if declared.type == BOOLEAN and quirks.boolean(value) is not None:
                value = quirks.boolean(value)  # Entra's "True"/"False"
            found[declared.name] = value
    return found
