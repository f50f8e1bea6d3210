"""SCIM 2.0 attribute definitions for the User resource, and the discovery documents.

The definitions are data (RFC 7643 §2.2 characteristics, §7 format) for exactly what this server
supports: the core User (RFC 7643 §4.1, §8.7.1), the Enterprise User extension (§4.3) and our LMS
extension. The PATCH engine and the discovery endpoints (RFC 7644 §4) both read them, so every
characteristic is stated once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
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
REFERENCE = AttributeType.REFERENCE
READ_ONLY = Mutability.READ_ONLY
WRITE_ONLY = Mutability.WRITE_ONLY


@dataclass(frozen=True)
class Attribute:
    """One attribute definition with all its characteristics (RFC 7643 §2.2, §7)."""

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

    def sub_attribute(self, name: str) -> Attribute | None:
        """The sub-attribute called ``name``, matched case-insensitively (RFC 7643 §2.1)."""
        return _by_name(self.sub_attributes, name)

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

    def as_document(self, base_url: str) -> dict[str, Any]:
        """The Schema resource served at ``/Schemas/<urn>`` (RFC 7643 §7, RFC 7644 §4)."""
        return {
            "schemas": [constants.SCHEMA_SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": [attribute.as_dict() for attribute in self.attributes],
            "meta": {"resourceType": "Schema", "location": f"{_base(base_url)}/Schemas/{self.id}"},
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
    def canonical(self) -> str:
        """Canonical spelling, URN-qualified for extensions (RFC 7644 §3.10)."""
        name = self.attribute.name
        if self.sub_attribute is not None:
            name = f"{name}.{self.sub_attribute.name}"
        return name if self.schema is USER else f"{self.schema.id}:{name}"


def _read_only(*attributes: Attribute) -> tuple[Attribute, ...]:
    """Sub-attributes of a read-only attribute are read-only too (RFC 7643 §2.2)."""
    return tuple(replace(attribute, mutability=READ_ONLY) for attribute in attributes)


# Common attributes (RFC 7643 §3, §3.1): part of every resource, not of any schema's attribute
# list. They live at the top level of a User, so they resolve under the core User schema.
SCHEMAS = Attribute(
    "schemas",
    REFERENCE,
    "URIs of the schemas (core and extensions) the resource uses.",
    multi_valued=True,
    required=True,
    returned=Returned.ALWAYS,
    reference_types=("uri",),
)
ID = Attribute(
    "id",
    description="Unique identifier of the resource, assigned by this server.",
    case_exact=True,
    mutability=READ_ONLY,
    returned=Returned.ALWAYS,
    uniqueness=Uniqueness.SERVER,
)
EXTERNAL_ID = Attribute(
    "externalId",
    description="Identifier of the resource as defined by the provisioning client.",
    case_exact=True,
)
META = Attribute(
    "meta",
    COMPLEX,
    "Resource metadata maintained by this server.",
    mutability=READ_ONLY,
    sub_attributes=_read_only(
        Attribute("resourceType", STRING, "Name of the resource type.", case_exact=True),
        Attribute("created", DATE_TIME, "When the resource was added."),
        Attribute("lastModified", DATE_TIME, "When the resource last changed."),
        Attribute("location", REFERENCE, "URI of the resource.", reference_types=("uri",)),
        Attribute("version", STRING, "Version (ETag) of the resource.", case_exact=True),
    ),
)
COMMON_ATTRIBUTES = (SCHEMAS, ID, EXTERNAL_ID, META)

PASSWORD = Attribute(
    "password",
    description="Cleartext password, to set or change the user's password. Never returned.",
    mutability=WRITE_ONLY,
    returned=Returned.NEVER,
)

# Suggested values (RFC 7643 §2.3.1 canonicalValues) for attributes the portal validates.
TIME_ZONES = tuple(sorted(zoneinfo.available_timezones()))
LANGUAGE_TAGS = (
    "ar", "cs", "da", "de", "de-AT", "de-CH", "de-DE", "el", "en", "en-AU", "en-CA", "en-GB",
    "en-US", "es", "es-ES", "es-MX", "fi", "fr", "fr-CA", "fr-FR", "he", "hu", "it", "ja", "ko",
    "nb", "nl", "pl", "pt", "pt-BR", "pt-PT", "ro", "ru", "sv", "tr", "uk", "zh-CN", "zh-TW",
)  # fmt: skip

USER = Schema(
    constants.USER_SCHEMA,
    "User",
    "User Account",
    (
        Attribute(
            "userName",
            description="Unique identifier for the user, used to sign in.",
            required=True,
            uniqueness=Uniqueness.SERVER,
        ),
        Attribute(
            "name",
            COMPLEX,
            "The components of the user's real name.",
            sub_attributes=(
                Attribute("familyName", description="Family name (last name)."),
                Attribute("givenName", description="Given name (first name)."),
            ),
        ),
        Attribute("displayName", description="Name of the user, suitable for display."),
        Attribute(
            "emails",
            COMPLEX,
            "Email addresses of the user.",
            multi_valued=True,
            sub_attributes=(
                Attribute("value", description="Email address."),
                Attribute(
                    "type",
                    description="Label of the address, e.g. 'work' or 'home'.",
                    canonical_values=("work", "home", "other"),
                ),
                Attribute("primary", BOOLEAN, "Whether this is the preferred address."),
            ),
        ),
        Attribute(
            "active",
            BOOLEAN,
            "Whether the user may sign in. Defaults to true on create; cannot be removed.",
            required=True,
        ),
        PASSWORD,
        Attribute(
            "timezone",
            description=(
                "Time zone in IANA format, e.g. 'Europe/Berlin'. When absent on create, the "
                "branch's or the portal's default applies; cannot be removed."
            ),
            required=True,
            canonical_values=TIME_ZONES,
        ),
        Attribute(
            "userType",
            description=(
                "The portal's user type, by name (see canonicalValues). When absent on create, "
                "the branch's or the portal's default applies; cannot be removed."
            ),
            required=True,
        ),
        Attribute(
            "preferredLanguage",
            description="Preferred language (RFC 7231 §5.3.5); the portal keeps the first tag.",
            canonical_values=LANGUAGE_TAGS,
        ),
        Attribute(
            "locale",
            description="Default location for localisation, e.g. 'en-US'.",
            canonical_values=LANGUAGE_TAGS,
        ),
        Attribute(
            "groups",
            COMPLEX,
            "Groups the user belongs to.",
            multi_valued=True,
            mutability=READ_ONLY,
            sub_attributes=_read_only(
                Attribute("value", STRING, "Identifier of the group."),
                Attribute(
                    "$ref", REFERENCE, "URI of the group.", reference_types=("User", "Group")
                ),
                Attribute("display", STRING, "Name of the group."),
                Attribute(
                    "type",
                    STRING,
                    "How the user is a member: 'direct' or 'indirect' (RFC 7643 §4.1.2).",
                    canonical_values=("direct", "indirect"),
                ),
            ),
        ),
    ),
)

ENTERPRISE_USER = Schema(
    constants.ENTERPRISE_USER_SCHEMA,
    "EnterpriseUser",
    "Enterprise User",
    (
        Attribute("employeeNumber", description="Identifier assigned by the organisation."),
        Attribute("costCenter", description="Name of a cost center."),
        Attribute("organization", description="Name of an organisation."),
        Attribute("division", description="Name of a division."),
        Attribute("department", description="Name of a department."),
        Attribute(
            "manager",
            COMPLEX,
            "The user's manager.",
            sub_attributes=(
                Attribute("value", description="The id of the manager's SCIM resource."),
                Attribute(
                    "$ref",
                    REFERENCE,
                    "URI of the manager's SCIM resource.",
                    reference_types=("User",),
                ),
                Attribute(
                    "displayName", description="Display name of the manager.", mutability=READ_ONLY
                ),
            ),
        ),
    ),
)

LMS_USER = Schema(
    constants.LMS_USER_SCHEMA,
    "LmsUser",
    "LMS User",
    (Attribute("branch", description="Name of the branch the user belongs to."),),
)

USER_RESOURCE_SCHEMAS = (USER, ENTERPRISE_USER, LMS_USER)


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
    attribute = _by_name(candidates, name)
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


def service_provider_config(base_url: str, *, documentation_uri: str | None = None) -> dict:
    """The ServiceProviderConfig document (RFC 7643 §5, RFC 7644 §4)."""
    config: dict[str, Any] = {"schemas": [constants.SERVICE_PROVIDER_CONFIG_SCHEMA]}
    if documentation_uri:
        config["documentationUri"] = documentation_uri
    config |= {
        "patch": {"supported": True},
        # Bulk (RFC 7644 §3.7) is not implemented; IdPs fall back to one request per resource.
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": constants.MAX_COUNT},
        "changePassword": {"supported": True},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [_BEARER_TOKEN_SCHEME],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{_base(base_url)}/ServiceProviderConfig",
        },
    }
    return config


_BEARER_TOKEN_SCHEME = {
    "type": "oauthbearertoken",
    "name": "OAuth Bearer Token",
    "description": (
        "Authentication with the portal's SCIM API token (Authorization: Bearer <token>)"
    ),
    "specUri": "https://www.rfc-editor.org/info/rfc6750",
    "primary": True,
}


def resource_types(base_url: str) -> list[dict[str, Any]]:
    """The ResourceType documents: only User (RFC 7643 §6, RFC 7644 §4)."""
    extensions = (ENTERPRISE_USER, LMS_USER)
    return [
        {
            "schemas": [constants.RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": USER.id,
            "schemaExtensions": [{"schema": ext.id, "required": False} for ext in extensions],
            "meta": {
                "resourceType": "ResourceType",
                "location": f"{_base(base_url)}/ResourceTypes/User",
            },
        }
    ]


def schema_documents(
    base_url: str, *, canonical_values: Mapping[str, Sequence[str]] | None = None
) -> list[dict[str, Any]]:
    """The Schema documents for the core User and both extensions (RFC 7643 §7, §8.7.1).

    ``canonical_values`` adds values known only at run time, by attribute name: the portal's
    user types for ``userType`` and its branches for ``branch``.
    """
    documents = [schema.as_document(base_url) for schema in USER_RESOURCE_SCHEMAS]
    extra = {name.lower(): list(values) for name, values in (canonical_values or {}).items()}
    for document in documents:
        for attribute in document["attributes"]:
            if extra.get(attribute["name"].lower()):
                attribute["canonicalValues"] = extra[attribute["name"].lower()]
    return documents


def _by_name(attributes: tuple[Attribute, ...], name: str) -> Attribute | None:
    wanted = name.lower()
    return next((a for a in attributes if a.name.lower() == wanted), None)


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


def _base(base_url: str) -> str:
    return base_url.rstrip("/")
