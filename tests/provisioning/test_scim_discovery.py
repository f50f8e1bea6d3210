"""Discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas."""

from __future__ import annotations

import pytest

from accounts.models import Role, UserType
from provisioning.scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_SCHEMA,
    LMS_GROUP_SCHEMA,
    LMS_USER_SCHEMA,
    RESOURCE_TYPE_SCHEMA,
    SCHEMA_SCHEMA,
    SERVICE_PROVIDER_CONFIG_SCHEMA,
    USER_SCHEMA,
)
from tests.factories import BranchFactory
from tests.provisioning.payloads import BASE_URL, list_response, scim_error

pytestmark = pytest.mark.django_db

SERVICE_PROVIDER_CONFIG = {
    "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
    "patch": {"supported": True},
    "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
    "filter": {"supported": True, "maxResults": 200},
    "changePassword": {"supported": True},
    "sort": {"supported": True},
    "etag": {"supported": True},
    "authenticationSchemes": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": (
                "Authentication with the portal's SCIM API token (Authorization: Bearer <token>)"
            ),
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": True,
        }
    ],
    "meta": {
        "resourceType": "ServiceProviderConfig",
        "location": f"{BASE_URL}/ServiceProviderConfig",
    },
}

USER_RESOURCE_TYPE = {
    "schemas": [RESOURCE_TYPE_SCHEMA],
    "id": "User",
    "name": "User",
    "endpoint": "/Users",
    "description": "User Account",
    "schema": USER_SCHEMA,
    "schemaExtensions": [
        {"schema": ENTERPRISE_USER_SCHEMA, "required": False},
        {"schema": LMS_USER_SCHEMA, "required": False},
    ],
    "meta": {"resourceType": "ResourceType", "location": f"{BASE_URL}/ResourceTypes/User"},
}
GROUP_RESOURCE_TYPE = {
    "schemas": [RESOURCE_TYPE_SCHEMA],
    "id": "Group",
    "name": "Group",
    "endpoint": "/Groups",
    "description": "Group",
    "schema": GROUP_SCHEMA,
    "schemaExtensions": [{"schema": LMS_GROUP_SCHEMA, "required": False}],
    "meta": {"resourceType": "ResourceType", "location": f"{BASE_URL}/ResourceTypes/Group"},
}


def string_attribute(name: str, description: str, **characteristics) -> dict:
    """An RFC 7643 §7 attribute entry with the defaults of a plain string attribute."""
    return {
        "name": name,
        "type": "string",
        "multiValued": False,
        "description": description,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **characteristics,
    }


@pytest.mark.parametrize(
    "path", ["/ServiceProviderConfig", "/ServiceProviderConfig/", "/serviceproviderconfig"]
)
def test_service_provider_config(scim, path):
    response = scim.get(path)

    assert response.status_code == 200
    assert response.json() == SERVICE_PROVIDER_CONFIG


def test_lists_resource_types(scim):
    response = scim.get("/ResourceTypes")

    assert response.json() == list_response([USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE])


@pytest.mark.parametrize("path", ["/ResourceTypes/User", "/resourcetypes/user/"])
def test_gets_user_resource_type(scim, path):
    response = scim.get(path)

    assert response.json() == USER_RESOURCE_TYPE


def test_gets_group_resource_type(scim):
    assert scim.get("/ResourceTypes/group").json() == GROUP_RESOURCE_TYPE


def test_unknown_resource_type_is_not_found(scim):
    response = scim.get("/ResourceTypes/Device")

    assert response.status_code == 404
    assert response.json() == scim_error(404, "No resource type 'Device'.")


def test_lists_the_user_and_group_schemas(scim):
    response = scim.get("/Schemas")

    documents = response.json()["Resources"]
    assert response.json() == list_response(documents)
    assert [document["id"] for document in documents] == [
        USER_SCHEMA,
        ENTERPRISE_USER_SCHEMA,
        LMS_USER_SCHEMA,
        GROUP_SCHEMA,
        LMS_GROUP_SCHEMA,
    ]
    for document in documents:
        assert scim.get(f"/Schemas/{document['id']}").json() == document


def test_lms_schema_offers_the_active_branches(scim):
    BranchFactory(name="Athens", slug="athens")
    BranchFactory(name="Berlin", slug="berlin")
    BranchFactory(name="Closed", slug="closed", is_active=False)

    response = scim.get(f"/Schemas/{LMS_USER_SCHEMA}")

    assert response.json() == {
        "schemas": [SCHEMA_SCHEMA],
        "id": LMS_USER_SCHEMA,
        "name": "LmsUser",
        "description": "LMS User",
        "attributes": [
            string_attribute(
                "branch",
                "Name of the branch the user belongs to.",
                canonicalValues=["Athens", "Berlin"],
            )
        ],
        "meta": {"resourceType": "Schema", "location": f"{BASE_URL}/Schemas/{LMS_USER_SCHEMA}"},
    }


def test_user_schema_offers_the_portal_user_types(scim):
    UserType.objects.create(name="Auditor", role=Role.LEARNER)

    response = scim.get(f"/Schemas/{USER_SCHEMA}")

    document = response.json()
    assert [attribute["name"] for attribute in document["attributes"]] == [
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
    user_type = next(a for a in document["attributes"] if a["name"] == "userType")
    assert user_type == string_attribute(
        "userType",
        "The portal's user type, by name (see canonicalValues). When absent on create, the "
        "branch's or the portal's default applies; cannot be removed.",
        required=True,
        # SuperAdmin is granted in the portal only, never by an IdP.
        canonicalValues=["Admin-Type", "Trainer-Type", "Learner-Type", "Auditor"],
    )
    password = next(a for a in document["attributes"] if a["name"] == "password")
    assert (password["mutability"], password["returned"]) == ("writeOnly", "never")


def test_enterprise_schema_lists_its_attributes(scim):
    response = scim.get(f"/Schemas/{ENTERPRISE_USER_SCHEMA.lower()}")

    document = response.json()
    assert document["id"] == ENTERPRISE_USER_SCHEMA
    assert [(a["name"], a["type"]) for a in document["attributes"]] == [
        ("employeeNumber", "string"),
        ("costCenter", "string"),
        ("organization", "string"),
        ("division", "string"),
        ("department", "string"),
        ("manager", "complex"),
    ]


def test_the_group_schema_describes_what_is_kept(scim):
    document = scim.get(f"/Schemas/{GROUP_SCHEMA}").json()

    assert [a["name"] for a in document["attributes"]] == ["displayName", "members"]
    members = document["attributes"][1]
    assert [a["name"] for a in members["subAttributes"]] == ["value", "$ref", "type"]
    assert members["multiValued"] is True


def test_unknown_schema_is_not_found(scim):
    response = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:Device")

    assert response.status_code == 404
    assert response.json() == scim_error(
        404, "No schema 'urn:ietf:params:scim:schemas:core:2.0:Device'."
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/Devices"),
        ("post", "/Me"),
        ("get", "/Groups/1/members"),
        ("post", "/Bulk"),
        ("get", "/%0A"),
        ("get", "/Groups%0A1"),
        ("get", "/Users/x%0A/y"),
    ],
)
def test_unsupported_endpoints_are_scim_404s(scim, method, path):
    response = scim.get(path) if method == "get" else scim.post(path, {})

    assert response.status_code == 404
    assert response.json() == scim_error(
        404, "This SCIM endpoint does not exist on this server (Users and Groups are served)."
    )


@pytest.mark.parametrize(
    "path",
    ["/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/User", "/Schemas", "/Groups"],
)
def test_discovery_requires_the_token(scim_as, scim_token, path):
    response = scim_as(None).get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="scim"'
    assert response.json()["status"] == "401"
