"""JSON Schemas of the SCIM resources and messages (the OpenAPI ``components.schemas``).

The User comes from the attribute registry (``provisioning.scim.schemas``, RFC 7643 §4.1,
§4.3), the error envelope from the ``provisioning.scim.errors`` hierarchy (RFC 7644 §3.12).
Request schemas are open (unknown attributes are ignored: IdPs send whatever their mapping
holds); response schemas are closed, so a response carrying an attribute the description does
not name (a password, say) breaks the contract.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from accounts.models import Group, User
from accounts.services import validation
from provisioning.scim import common, constants, errors, group_schemas, schemas
from provisioning.scim.attributes import (
    BOOLEAN,
    COMPLEX,
    DATE_TIME,
    READ_ONLY,
    REFERENCE,
    STRING,
    Attribute,
    AttributeType,
    Mutability,
    Returned,
    Schema,
)

REF = "#/components/schemas/"

_JSON_TYPES: dict[str, dict[str, Any]] = {
    STRING: {"type": "string"},
    BOOLEAN: {"type": "boolean"},
    DATE_TIME: {"type": "string", "format": "date-time"},
    REFERENCE: {"type": "string"},
}

# What the portal checks on the way in (accounts.services), keyed by dotted attribute name, so
# that a generated "valid" user is valid. userType and branch are names known at run time.
LANGUAGE_TAG = validation.LANGUAGE_TAG.pattern
USER_NAME = r"^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$"
REQUEST_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "userName": {"minLength": 1, "pattern": USER_NAME},  # not blank, no control characters
    "emails.value": {"format": "email"},
    # IANA names (schemas.TIME_ZONES); not an enum, which would make ~600 cases of each write.
    "timezone": {"pattern": "^[A-Za-z][-+_/A-Za-z0-9]*$", "example": "Europe/Berlin"},
    "preferredLanguage": {"pattern": LANGUAGE_TAG},
    "locale": {"pattern": LANGUAGE_TAG},
}


def _constraints(attribute: Attribute, name: str, model: type[Model]) -> dict[str, Any]:
    """What the portal checks of a request's attribute: the rules above, and the length of
    the column that keeps it (the registry's storage) as its maxLength."""
    constraints = dict(REQUEST_CONSTRAINTS.get(name, {})) if model is User else {}
    field = _field(attribute)
    # A password is checked by the password validators; its column holds only the hash.
    if field and attribute.mutability != Mutability.WRITE_ONLY:
        max_length = getattr(model._meta.get_field(field), "max_length", None)
        if max_length and attribute.type == STRING:
            constraints["maxLength"] = max_length
    return constraints


def _field(attribute: Attribute) -> str | None:
    """The field that keeps ``attribute``: its storage, unless a relation or a lookup path."""
    storage = attribute.storage
    return storage if storage and not attribute.relation and "__" not in storage else None


# Resources (RFC 7643) ---------------------------------------------------------------------------


def _attribute_schema(
    attribute: Attribute, *, request: bool, parent: str = "", model: type[Model] = User
) -> dict[str, Any]:
    """One attribute (RFC 7643 §2.2, §7); complex ones list their sub-attributes. ``model``
    keeps the resource (its columns' lengths are the requests' maxLength)."""
    name = f"{parent}{attribute.name}"
    if attribute.type == COMPLEX:
        schema = _object_schema(
            attribute.sub_attributes, request=request, parent=f"{name}.", model=model
        )
    else:
        constraints = _constraints(attribute, name, model) if request else {}
        schema = _JSON_TYPES[attribute.type] | constraints
    if attribute.multi_valued:
        schema = {"type": "array", "items": schema}
    if attribute.description:
        schema["description"] = attribute.description
    return schema


def _object_schema(
    attributes: tuple[Attribute, ...],
    *,
    request: bool,
    parent: str = "",
    model: type[Model] = User,
) -> dict[str, Any]:
    """Read-only attributes are not sent, write-only (returned "never") not answered."""
    if request:
        shown = [a for a in attributes if a.mutability != READ_ONLY]
    else:
        shown = [a for a in attributes if a.returned != Returned.NEVER]
    properties = {
        a.name: _attribute_schema(a, request=request, parent=parent, model=model) for a in shown
    }
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if not request:
        schema["additionalProperties"] = False
    return schema


def user_schema(*, request: bool) -> dict[str, Any]:
    """The User: core attributes at the top, extension ones under their URN (RFC 7643 §3.3).

    A request (POST, PUT) must have ``userName``; a response always has ``schemas`` and ``id``
    (RFC 7643 §7 "returned": "always"), and whatever else ``attributes`` asked for.
    """
    schema = _object_schema(common.COMMON_ATTRIBUTES + schemas.USER.attributes, request=request)
    for extension in schemas.USER_RESOURCE_SCHEMAS[1:]:
        schema["properties"][extension.id] = _extension_schema(extension, request=request)
    schema["required"] = ["userName"] if request else ["schemas", "id"]
    schema["description"] = (
        "A user (RFC 7643 §4.1) with the Enterprise User (§4.3) and LMS extensions. "
        "Attribute names are case-insensitive on the way in."
    )
    if request:
        schema["example"] = {
            "schemas": [constants.USER_SCHEMA],
            "userName": "ada@example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": True}],
            "active": True,
            "timezone": "Europe/London",
            "locale": "en-GB",
        }
    return schema


def group_schema(*, request: bool) -> dict[str, Any]:
    """The Group (RFC 7643 §4.2) with the LMS extension (its description). A request must
    have ``displayName``; Okta's ``urn:okta:custom:group:1.0`` is read as the extension."""
    schema = _object_schema(
        common.COMMON_ATTRIBUTES + group_schemas.GROUP.attributes, request=request, model=Group
    )
    for extension in group_schemas.GROUP_RESOURCE_SCHEMAS[1:]:
        schema["properties"][extension.id] = _extension_schema(
            extension, request=request, model=Group
        )
    schema["required"] = ["displayName"] if request else ["schemas", "id"]
    schema["description"] = (
        "A group of users (RFC 7643 §4.2). A single group's answer lists every member; a "
        "list answer lists them only when attributes names members."
    )
    if request:
        schema["example"] = {
            "schemas": [constants.GROUP_SCHEMA],
            "displayName": "Sales onboarding",
            "members": [{"value": "2819c223-7f76-453a-919d-413861904646"}],
        }
    return schema


def _extension_schema(
    extension: Schema, *, request: bool, model: type[Model] = User
) -> dict[str, Any]:
    schema = _object_schema(extension.attributes, request=request, model=model)
    schema["description"] = f"{extension.description} extension ({extension.id})."
    return schema


# Messages (RFC 7644 §3) -------------------------------------------------------------------------


def _urns(*urns: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "enum": list(urns)}, "minItems": 1}


def scim_types(status: int | None = None) -> list[str]:
    """``scimType`` values (RFC 7644 Table 9) the server uses, for one status or all."""
    found: set[str] = set()
    pending: list[type[errors.ScimError]] = [errors.ScimError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.scim_type and status in (None, cls.status_code):
            found.add(cls.scim_type)
    return sorted(found)


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "RFC 7644 §3.12: status is the HTTP status code as a string.",
        "required": ["schemas", "status", "detail"],
        "additionalProperties": False,
        "properties": {
            "schemas": _urns(constants.ERROR),
            "status": {"type": "string", "pattern": "^[1-5][0-9][0-9]$"},
            "scimType": {"type": "string", "enum": scim_types()},
            "detail": {"type": "string"},
        },
    }


def _list_response(*resources: str) -> dict[str, Any]:
    """RFC 7644 §3.4.2: a page of resources (of one type, or of any of several)."""
    refs: list[dict[str, Any]] = [{"$ref": f"{REF}{resource}"} for resource in resources]
    items: dict[str, Any] = refs[0] if len(refs) == 1 else {"oneOf": refs}
    count = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "required": ["schemas", "totalResults", "startIndex", "itemsPerPage", "Resources"],
        "additionalProperties": False,
        "properties": {
            "schemas": _urns(constants.LIST_RESPONSE),
            "totalResults": count,
            "startIndex": {"type": "integer", "minimum": 1},
            "itemsPerPage": {**count, "maximum": constants.MAX_COUNT},
            "Resources": {"type": "array", "items": items},
        },
    }


def _patch_op_schema() -> dict[str, Any]:
    """RFC 7644 §3.5.2; "value" may be anything JSON. Entra ID's capitalised ops are accepted."""
    ops = [op for name in ("add", "remove", "replace") for op in (name, name.capitalize())]
    operation = {
        "type": "object",
        "required": ["op"],
        "properties": {
            "op": {"type": "string", "enum": ops},
            "path": {"type": "string", "description": "RFC 7644 §3.5.2 path (a filter path)."},
            "value": {"description": "Any JSON value; with no path, an object of attributes."},
        },
    }
    return {
        "type": "object",
        "required": ["schemas", "Operations"],
        "properties": {
            "schemas": _urns(constants.PATCH_OP),
            "Operations": {"type": "array", "items": operation, "minItems": 1, "maxItems": 100},
        },
        "example": {  # Okta's deactivation
            "schemas": [constants.PATCH_OP],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
    }


def _search_request_schema() -> dict[str, Any]:
    """RFC 7644 §3.4.3: the query parameters of GET /Users, as a JSON body."""
    names = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "properties": {
            "schemas": _urns(constants.SEARCH_REQUEST),
            "filter": {"type": "string"},
            "startIndex": {"type": "integer"},
            "count": {"type": "integer"},
            "sortBy": {"type": "string"},
            "sortOrder": {"type": "string", "enum": ["ascending", "descending"]},
            "attributes": names,
            "excludedAttributes": names,
        },
        "example": {
            "schemas": [constants.SEARCH_REQUEST],
            "filter": 'userName eq "ada@example.com"',
            "count": 10,
        },
    }


def _document(urn: str, required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["schemas", *required],
        "properties": {"schemas": _urns(urn), **properties},
    }


def _discovery_schemas() -> dict[str, dict[str, Any]]:
    """ServiceProviderConfig, ResourceType and Schema documents (RFC 7643 §5-§7), loosely."""
    attributes = {"type": "array", "items": {"$ref": f"{REF}SchemaAttribute"}}
    attribute = {
        "type": "object",
        "required": ["name", "type", "multiValued"],
        "properties": {
            "name": {"type": "string"},
            "type": {"type": "string", "enum": [str(t) for t in AttributeType]},
            "multiValued": {"type": "boolean"},
            "subAttributes": attributes,
        },
    }
    resource_type = ["id", "name", "endpoint", "schema"]
    return {
        "ServiceProviderConfig": _document(constants.SERVICE_PROVIDER_CONFIG_SCHEMA, ["patch"]),
        "ResourceType": _document(constants.RESOURCE_TYPE_SCHEMA, resource_type),
        "Schema": _document(constants.SCHEMA_SCHEMA, ["id"], attributes=attributes),
        "SchemaAttribute": attribute,
        "ResourceTypeListResponse": _list_response("ResourceType"),
        "SchemaListResponse": _list_response("Schema"),
    }


def component_schemas() -> dict[str, dict[str, Any]]:
    return {
        "User": user_schema(request=False),
        "UserRequest": user_schema(request=True),
        "UserListResponse": _list_response("User"),
        "Group": group_schema(request=False),
        "GroupRequest": group_schema(request=True),
        "GroupListResponse": _list_response("Group"),
        "ResourceListResponse": _list_response("User", "Group"),
        "PatchOp": _patch_op_schema(),
        "SearchRequest": _search_request_schema(),
        "Error": _error_schema(),
        **_discovery_schemas(),
    }
