"""The discovery documents (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas,
from the User and Group registries (``provisioning.scim.schemas``, ``group_schemas``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from provisioning.scim import constants
from provisioning.scim.attributes import Attribute, base
from provisioning.scim.group_schemas import GROUP, GROUP_RESOURCE_SCHEMAS, LMS_GROUP
from provisioning.scim.schemas import ENTERPRISE_USER, LMS_USER, USER, USER_RESOURCE_SCHEMAS


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
            "location": f"{base(base_url)}/ServiceProviderConfig",
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
    """The ResourceType documents: User and Group (RFC 7643 §6, RFC 7644 §4)."""
    return [
        _resource_type(
            base_url, "User", "/Users", "User Account", USER, (ENTERPRISE_USER, LMS_USER)
        ),
        _resource_type(base_url, "Group", "/Groups", "Group", GROUP, (LMS_GROUP,)),
    ]


def _resource_type(
    base_url: str, name: str, endpoint: str, description: str, schema: Any, extensions: Any
) -> dict[str, Any]:
    return {
        "schemas": [constants.RESOURCE_TYPE_SCHEMA],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": description,
        "schema": schema.id,
        "schemaExtensions": [{"schema": ext.id, "required": False} for ext in extensions],
        "meta": {
            "resourceType": "ResourceType",
            "location": f"{base(base_url)}/ResourceTypes/{name}",
        },
    }


def schema_documents(
    base_url: str,
    *,
    canonical_values: Mapping[str, Sequence[str]] | None = None,
    custom: Sequence[Attribute] = (),
) -> list[dict[str, Any]]:
    """The Schema documents for the core User and both its extensions, and for the Group and
    its LMS extension (RFC 7643 §7, §8.7.1).

    ``canonical_values`` adds values known only at run time, by attribute name: the portal's
    user types for ``userType`` and its branches for ``branch``. ``custom``: the custom user
    fields exposed as attributes of the LMS extension (``provisioning.scim.custom``).
    """
    documents = [schema.as_document(base_url) for schema in USER_RESOURCE_SCHEMAS]
    documents += [schema.as_document(base_url) for schema in GROUP_RESOURCE_SCHEMAS]
    for document in documents[: len(USER_RESOURCE_SCHEMAS)]:
        if document["id"] == LMS_USER.id:
            document["attributes"] += [attribute.as_dict() for attribute in custom]
    extra = {name.lower(): list(values) for name, values in (canonical_values or {}).items()}
    for document in documents[: len(USER_RESOURCE_SCHEMAS)]:
        for attribute in document["attributes"]:
            if extra.get(attribute["name"].lower()):
                attribute["canonicalValues"] = extra[attribute["name"].lower()]
    return documents
