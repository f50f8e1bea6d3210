"""The Group resource's registry (RFC 7643 §4.2, §8.7.1): its attributes, declared once, and
our LMS extension holding the description. ``/Schemas``, the OpenAPI document, the filter
whitelist and the Group parser read these declarations, as the User's read
``provisioning.scim.schemas``."""

from __future__ import annotations

from provisioning.scim import constants
from provisioning.scim.attributes import (
    COMPLEX,
    REFERENCE,
    Attribute,
    Mutability,
    Schema,
    Uniqueness,
)

GROUP = Schema(
    constants.GROUP_SCHEMA,
    "Group",
    "Group",
    (
        Attribute(
            "displayName",
            description="Name of the group, unique case-insensitively.",
            required=True,
            uniqueness=Uniqueness.SERVER,
            storage="name",
            filterable=True,
            sortable=True,
        ),
        Attribute(
            "members",
            COMPLEX,
            (
                "Users in the group; a group cannot be a member (no nesting). A single group's "
                "answer lists every member; a list answer only when attributes names members."
            ),
            multi_valued=True,
            storage="members",
            relation=True,
            filterable=True,
            sub_attributes=(
                Attribute(
                    "value",
                    description="The id of a User resource.",
                    case_exact=True,
                    mutability=Mutability.IMMUTABLE,
                    storage="members",
                    relation=True,
                    filterable=True,
                    filter_type="uuid",
                ),
                Attribute(
                    "$ref",
                    REFERENCE,
                    "URI of the member's resource.",
                    mutability=Mutability.IMMUTABLE,
                    reference_types=("User",),
                ),
                Attribute(
                    "type",
                    description="The member's resource type: only 'User' is accepted.",
                    mutability=Mutability.IMMUTABLE,
                    canonical_values=("User",),
                ),
            ),
        ),
    ),
    is_core=True,
)

LMS_GROUP = Schema(
    constants.LMS_GROUP_SCHEMA,
    "LmsGroup",
    "LMS Group",
    (
        Attribute(
            "description",
            description="What the group is for.",
            storage="description",
        ),
    ),
)

GROUP_RESOURCE_SCHEMAS = (GROUP, LMS_GROUP)
