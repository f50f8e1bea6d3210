"""Attribute definitions and the discovery documents (RFC 7643 §5-§7, RFC 7644 §4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from provisioning.scim import common, constants, discovery, registry, schemas
from tests.provisioning.payloads import CHARACTERISTICS

BASE = "https://lms.example.com/api/scim2"


def all_attributes(attributes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for attribute in attributes:
        yield attribute
        yield from all_attributes(attribute.get("subAttributes", []))


def schema_document(urn: str) -> dict[str, Any]:
    return next(doc for doc in discovery.schema_documents(BASE) if doc["id"] == urn)


def attribute_named(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in document["attributes"] if a["name"] == name)


def test_service_provider_config() -> None:
    assert discovery.service_provider_config(f"{BASE}/") == {
        "schemas": [constants.SERVICE_PROVIDER_CONFIG_SCHEMA],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": constants.MAX_COUNT},
        "changePassword": {"supported": True},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": (
                    "Authentication with the portal's SCIM API token "
                    "(Authorization: Bearer <token>)"
                ),
                "specUri": "https://www.rfc-editor.org/info/rfc6750",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{BASE}/ServiceProviderConfig",
        },
    }


def test_service_provider_config_links_documentation_when_given() -> None:
    config = discovery.service_provider_config(BASE, documentation_uri="https://lms.example.com/d")
    assert config["documentationUri"] == "https://lms.example.com/d"


def test_resource_types_list_user_with_both_extensions_and_group() -> None:
    assert discovery.resource_types(BASE) == [
        {
            "schemas": [constants.RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": constants.USER_SCHEMA,
            "schemaExtensions": [
                {"schema": constants.ENTERPRISE_USER_SCHEMA, "required": False},
                {"schema": constants.LMS_USER_SCHEMA, "required": False},
            ],
            "meta": {"resourceType": "ResourceType", "location": f"{BASE}/ResourceTypes/User"},
        },
        {
            "schemas": [constants.RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Group",
            "schema": constants.GROUP_SCHEMA,
            "schemaExtensions": [{"schema": constants.LMS_GROUP_SCHEMA, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{BASE}/ResourceTypes/Group"},
        },
    ]


def test_schema_documents_cover_user_and_both_extensions_and_group() -> None:
    documents = discovery.schema_documents(BASE)
    assert [doc["id"] for doc in documents] == [
        constants.USER_SCHEMA,
        constants.ENTERPRISE_USER_SCHEMA,
        constants.LMS_USER_SCHEMA,
        constants.GROUP_SCHEMA,
        constants.LMS_GROUP_SCHEMA,
    ]
    for doc in documents:
        assert doc["schemas"] == [constants.SCHEMA_SCHEMA]
        assert doc["name"] and doc["description"]
        assert doc["meta"] == {"resourceType": "Schema", "location": f"{BASE}/Schemas/{doc['id']}"}


def test_user_schema_lists_supported_attributes_but_not_common_ones() -> None:
    names = [a["name"] for a in schema_document(constants.USER_SCHEMA)["attributes"]]
    assert names == [
        "userName",
        "name",
        "displayName",
        "nickName",
        "profileUrl",
        "title",
        "emails",
        "active",
        "password",
        "phoneNumbers",
        "addresses",
        "timezone",
        "userType",
        "preferredLanguage",
        "locale",
        "groups",
    ]


def test_name_lists_every_component_of_a_name() -> None:
    [name] = [
        a for a in schema_document(constants.USER_SCHEMA)["attributes"] if a["name"] == "name"
    ]
    assert [a["name"] for a in name["subAttributes"]] == [
        "formatted",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    ]


def test_extension_schemas_list_their_attributes() -> None:
    enterprise = schema_document(constants.ENTERPRISE_USER_SCHEMA)
    assert [a["name"] for a in enterprise["attributes"]] == [
        "employeeNumber",
        "costCenter",
        "organization",
        "division",
        "department",
        "manager",
    ]
    assert schema_document(constants.LMS_USER_SCHEMA)["attributes"] == [
        {
            "name": "branch",
            "type": "string",
            "multiValued": False,
            "description": "Name of the branch the user belongs to.",
            "required": False,
            "caseExact": False,
            "mutability": "readWrite",
            "returned": "default",
            "uniqueness": "none",
        }
    ]


@pytest.mark.parametrize("document", discovery.schema_documents(BASE), ids=lambda d: d["name"])
def test_every_attribute_has_all_characteristics(document: dict[str, Any]) -> None:
    for attribute in all_attributes(document["attributes"]):
        assert attribute.keys() >= CHARACTERISTICS, attribute["name"]
        assert ("subAttributes" in attribute) == (attribute["type"] == "complex")
        assert ("referenceTypes" in attribute) == (attribute["type"] == "reference")


def test_password_is_write_only_and_never_returned() -> None:
    password = attribute_named(schema_document(constants.USER_SCHEMA), "password")
    assert (password["mutability"], password["returned"]) == ("writeOnly", "never")


def test_user_name_is_required_and_unique() -> None:
    user_name = attribute_named(schema_document(constants.USER_SCHEMA), "userName")
    assert (user_name["required"], user_name["uniqueness"]) == (True, "server")
    assert user_name["caseExact"] is False


def test_email_type_has_canonical_values() -> None:
    emails = attribute_named(schema_document(constants.USER_SCHEMA), "emails")
    email_type = next(a for a in emails["subAttributes"] if a["name"] == "type")
    assert email_type["canonicalValues"] == ["work", "home", "other"]


def test_groups_and_their_sub_attributes_are_read_only() -> None:
    groups = attribute_named(schema_document(constants.USER_SCHEMA), "groups")
    assert {a["mutability"] for a in all_attributes([groups])} == {"readOnly"}


def test_id_is_a_read_only_common_attribute() -> None:
    assert common.ID in common.COMMON_ATTRIBUTES
    assert registry.find_attribute("id") is common.ID
    assert (common.ID.mutability, common.ID.returned, common.ID.case_exact) == (
        "readOnly",
        "always",
        True,
    )


@pytest.mark.parametrize(
    ("key", "canonical"),
    [
        ("UserName", "userName"),
        ("username", "userName"),
        ("NAME.givenname", "name.givenName"),
        ("emails.PRIMARY", "emails.primary"),
        (f"{constants.USER_SCHEMA}:Active", "active"),
        ("EXTERNALID", "externalId"),
        ("meta.lastmodified", "meta.lastModified"),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager.value",
            f"{constants.ENTERPRISE_USER_SCHEMA}:manager.value",
        ),
        (f"{constants.LMS_USER_SCHEMA}:BRANCH", f"{constants.LMS_USER_SCHEMA}:branch"),
    ],
)
def test_names_resolve_case_insensitively(key: str, canonical: str) -> None:
    assert registry.canonical_name(key) == canonical
    assert registry.find_attribute(key) is not None


def test_find_attribute_returns_the_definition() -> None:
    assert registry.find_attribute("UserName") is schemas.USER.attributes[0]
    assert registry.find_attribute("Password") is schemas.PASSWORD


def test_find_attribute_within_a_schema() -> None:
    department = registry.find_attribute("Department", constants.ENTERPRISE_USER_SCHEMA)
    assert department is not None and department.name == "department"
    assert registry.find_attribute("department") is None  # not a core attribute
    assert registry.find_attribute("userName", constants.LMS_USER_SCHEMA) is None


@pytest.mark.parametrize(
    "key", ["ims", "name.nickName", "userName.x", "urn:example:custom:1.0:User:branch", ""]
)
def test_unknown_names_resolve_to_none(key: str) -> None:
    assert registry.find_attribute(key) is None
    assert registry.canonical_name(key) is None
