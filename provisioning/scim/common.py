"""The common attributes (RFC 7643 §3, §3.1) of every resource this server serves, Users and
Groups: ``schemas``, ``id``, ``externalId`` and ``meta``. They belong to no schema's attribute
list; they live at the top level of a resource, so they resolve under its core schema."""

from __future__ import annotations

from provisioning.scim.attributes import (
    COMPLEX,
    DATE_TIME,
    READ_ONLY,
    REFERENCE,
    STRING,
    Attribute,
    Returned,
    Uniqueness,
    read_only,
)

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
    storage="scim_id",
    filterable=True,
    filter_type="uuid",
)
EXTERNAL_ID = Attribute(
    "externalId",
    description="Identifier of the resource as defined by the provisioning client.",
    case_exact=True,
    storage="external_id",
    filterable=True,
    sortable=True,
)
META = Attribute(
    "meta",
    COMPLEX,
    "Resource metadata maintained by this server.",
    mutability=READ_ONLY,
    sub_attributes=read_only(
        Attribute("resourceType", STRING, "Name of the resource type.", case_exact=True),
        Attribute(
            "created",
            DATE_TIME,
            "When the resource was added.",
            storage="created_at",
            filterable=True,
            sortable=True,
        ),
        Attribute(
            "lastModified",
            DATE_TIME,
            "When the resource last changed.",
            storage="updated_at",
            filterable=True,
            sortable=True,
        ),
        Attribute("location", REFERENCE, "URI of the resource.", reference_types=("uri",)),
        Attribute(
            "version",
            STRING,
            "Version (ETag) of the resource.",
            case_exact=True,
            storage="version",
        ),
    ),
)
COMMON_ATTRIBUTES = (SCHEMAS, ID, EXTERNAL_ID, META)
