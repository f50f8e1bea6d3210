"""Microsoft Entra's SCIM validator (scimvalidator.microsoft.com), reproduced: one test per
validator test, with the request shapes Entra documents ("Tutorial: Develop and plan
provisioning for a SCIM endpoint", its request and response examples) and the ones its
validator sends. User tests first, then the compliance tests."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from provisioning.scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    ERROR,
    LIST_RESPONSE,
    MEDIA_TYPE,
    USER_SCHEMA,
)
from tests.provisioning.payloads import entra_create_user, entra_op, entra_patch

pytestmark = pytest.mark.django_db

MANAGER = f"{ENTERPRISE_USER_SCHEMA}:manager"


def new_user(scim, name: str = "Sandy", **extra: Any) -> dict[str, Any]:
    """A user as the validator creates one: random-looking names, a work email, externalId."""
    user_name = f"{name.lower()}.{uuid.uuid4().hex[:8]}@contoso.com"
    body = entra_create_user(user_name, name, "Nia", user_name, externalId=str(uuid.uuid4()))
    response = scim.post("/Users", {**body, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def get(scim, user: dict[str, Any]) -> dict[str, Any]:
    response = scim.get(f"/Users/{user['id']}")
    assert response.status_code == 200, response.content
    return response.json()


def by_user_name(scim, user_name: str) -> list[dict[str, Any]]:
    response = scim.get("/Users", {"filter": f'userName eq "{user_name}"'})
    assert response.status_code == 200, response.content
    return response.json()["Resources"]


# User tests -------------------------------------------------------------------------------------


def test_post_users_creates_a_new_user(scim):
    created = new_user(scim)

    assert created["schemas"] == [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]
    assert (created["name"]["givenName"], created["active"]) == ("Sandy", True)
    assert created["meta"]["resourceType"] == "User"


def test_get_users_id_and_filter_find_the_user(scim):
    created = new_user(scim)

    assert get(scim, created) == created
    assert by_user_name(scim, created["userName"]) == [created]
    assert by_user_name(scim, "nobody@contoso.com") == []


def test_patch_updates_attributes_in_entras_default_shape(scim):
    # Capitalised ops, a path per attribute, the work email by value filter, booleans as
    # strings.
    created = new_user(scim)
    patch = entra_patch(
        entra_op("Replace", "displayName", "Dale Mohr"),
        entra_op("Replace", "name.givenName", "Dale"),
        entra_op("Replace", 'emails[type eq "work"].value', "dale.mohr@contoso.com"),
        entra_op("Replace", "title", "Engineer"),
        entra_op("Add", f"{ENTERPRISE_USER_SCHEMA}:department", "Research"),
        entra_op("Replace", "active", "True"),
    )

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    user = get(scim, created)
    assert (user["displayName"], user["name"]["givenName"], user["title"]) == (
        "Dale Mohr",
        "Dale",
        "Engineer",
    )
    assert user["emails"] == [{"value": "dale.mohr@contoso.com", "type": "work", "primary": True}]
    assert user[ENTERPRISE_USER_SCHEMA]["department"] == "Research"


def test_patch_updates_attributes_in_the_aadoptscim062020_shape(scim):
    # With the aadOptscim062020 flag Entra sends lower-case ops, real booleans, and a
    # path-less value whose keys are paths.
    created = new_user(scim)
    patch = entra_patch(
        {
            "op": "replace",
            "value": {
                "active": False,
                "name.familyName": "Mohr",
                "title": "Lead",
                f"{ENTERPRISE_USER_SCHEMA}:employeeNumber": "42",
            },
        }
    )

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    user = get(scim, created)
    assert (user["active"], user["name"]["familyName"], user["title"]) == (False, "Mohr", "Lead")
    assert user[ENTERPRISE_USER_SCHEMA]["employeeNumber"] == "42"


def test_patch_null_update_clears_attributes(scim):
    created = new_user(scim, title="Engineer", nickName="Sandy")
    patch = entra_patch(
        entra_op("Replace", "title", ""),
        {"op": "Replace", "path": "nickName", "value": None},
        entra_op("Remove", f"{ENTERPRISE_USER_SCHEMA}:department"),
    )

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    user = get(scim, created)
    assert "title" not in user and "nickName" not in user
    assert "department" not in user[ENTERPRISE_USER_SCHEMA]


def test_patch_disables_and_enables_the_user(scim):
    created = new_user(scim)

    for active in ("False", "True"):
        response = scim.patch(
            f"/Users/{created['id']}", entra_patch(entra_op("Replace", "active", active))
        )

        assert response.status_code == 200, response.content
        expected = active == "True"
        # "Response from a GET and filter request on a disabled User should have attribute
        # active" (the validator's own words).
        assert get(scim, created)["active"] is expected
        assert by_user_name(scim, created["userName"])[0]["active"] is expected


def test_delete_users_id_deletes_the_user(scim):
    created = new_user(scim)

    response = scim.delete(f"/Users/{created['id']}")

    assert response.status_code == 204
    assert scim.get(f"/Users/{created['id']}").status_code == 404
    assert by_user_name(scim, created["userName"]) == []


# Compliance tests -------------------------------------------------------------------------------


def test_a_filtered_patch_of_a_missing_element_creates_it(scim):
    created = new_user(scim)
    patch = entra_patch(
        entra_op("Add", 'phoneNumbers[type eq "mobile"].value', "+1 206 555 0100"),
        entra_op("Add", 'addresses[type eq "work"].locality', "Redmond"),
    )

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    user = get(scim, created)
    assert user["phoneNumbers"] == [{"value": "+1 206 555 0100", "type": "mobile", "primary": True}]
    assert user["addresses"] == [{"locality": "Redmond", "type": "work", "primary": True}]


def test_manager_is_set_with_a_bare_id(scim):
    manager, report = new_user(scim, "Morgan"), new_user(scim)

    response = scim.patch(
        f"/Users/{report['id']}", entra_patch(entra_op("Add", MANAGER, manager["id"]))
    )

    assert response.status_code == 200, response.content
    assert get(scim, report)[ENTERPRISE_USER_SCHEMA]["manager"]["value"] == manager["id"]


def test_manager_is_changed(scim):
    first, second = new_user(scim, "Morgan"), new_user(scim, "Riley")
    report = new_user(scim, **{ENTERPRISE_USER_SCHEMA: {"manager": {"value": first["id"]}}})

    response = scim.patch(
        f"/Users/{report['id']}", entra_patch(entra_op("Replace", MANAGER, second["id"]))
    )

    assert response.status_code == 200, response.content
    manager = get(scim, report)[ENTERPRISE_USER_SCHEMA]["manager"]
    assert manager == {
        "value": second["id"],
        "$ref": f"http://testserver/api/scim2/Users/{second['id']}",
    }


def test_manager_is_removed(scim):
    manager = new_user(scim, "Morgan")
    report = new_user(scim, **{ENTERPRISE_USER_SCHEMA: {"manager": manager["id"]}})

    response = scim.patch(f"/Users/{report['id']}", entra_patch(entra_op("Remove", MANAGER)))

    assert response.status_code == 200, response.content
    assert "manager" not in get(scim, report).get(ENTERPRISE_USER_SCHEMA, {})


def test_paging_with_count_5_walks_every_user_once_echoing_start_index(scim):
    created = {new_user(scim, f"User{n}")["id"] for n in range(12)}
    seen: list[str] = []
    start = 1
    while True:
        response = scim.get("/Users", {"startIndex": start, "count": 5})
        page = response.json()
        assert response.status_code == 200, response.content
        assert (page["schemas"], page["startIndex"], page["totalResults"]) == (
            [LIST_RESPONSE],
            start,
            12,
        )
        assert page["itemsPerPage"] == len(page["Resources"]) <= 5
        seen += [user["id"] for user in page["Resources"]]
        start += page["itemsPerPage"]
        if start > page["totalResults"]:
            break

    assert sorted(seen) == sorted(created)


def test_schema_discovery_describes_the_user_and_its_extension(scim):
    schemas = scim.get("/Schemas").json()
    by_id = {schema["id"]: schema for schema in schemas["Resources"]}

    user = {attribute["name"] for attribute in by_id[USER_SCHEMA]["attributes"]}
    assert {"userName", "name", "displayName", "title", "emails", "phoneNumbers"} <= user
    assert {"addresses", "active", "preferredLanguage", "nickName"} <= user
    enterprise = {attribute["name"] for attribute in by_id[ENTERPRISE_USER_SCHEMA]["attributes"]}
    assert {"employeeNumber", "department", "manager"} <= enterprise


def test_resource_types_and_service_provider_config_are_served(scim):
    resource_types = scim.get("/ResourceTypes").json()["Resources"]
    config = scim.get("/ServiceProviderConfig").json()

    [users] = [r for r in resource_types if r["name"] == "User"]
    assert (users["endpoint"], users["schema"]) == ("/Users", USER_SCHEMA)
    assert config["patch"]["supported"] is True
    assert config["filter"]["supported"] is True


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", f"/Users/{uuid.uuid4()}", 404),
        ("get", "/Users?filter=userName%20zz%20%22x%22", 400),
        ("post", "/Users", 400),
    ],
)
def test_errors_are_scim_errors_in_the_scim_media_type(scim, method, path, status):
    response = scim.post(path, {"schemas": [USER_SCHEMA]}) if method == "post" else scim.get(path)

    assert response.status_code == status
    assert response["Content-Type"] == MEDIA_TYPE
    assert response.json()["schemas"] == [ERROR]
    assert response.json()["status"] == str(status)


def test_a_filter_on_user_name_ignores_case(scim):
    created = new_user(scim)

    assert by_user_name(scim, created["userName"].upper()) == [created]


def test_a_second_user_with_the_same_user_name_is_a_uniqueness_conflict(scim):
    created = new_user(scim)
    body = entra_create_user(created["userName"], "Other", "User", "other@contoso.com")

    response = scim.post("/Users", body)

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


def test_a_user_that_does_not_exist_is_not_found_by_patch_or_delete(scim):
    missing = f"/Users/{uuid.uuid4()}"

    patched = scim.patch(missing, entra_patch(entra_op("Replace", "active", "False")))
    deleted = scim.delete(missing)

    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert patched["Content-Type"] == deleted["Content-Type"] == MEDIA_TYPE
