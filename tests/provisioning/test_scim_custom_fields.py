"""The custom user fields over SCIM: off by default; switched on, they are attributes of the LMS
extension schema that /Schemas lists, POST/PUT/PATCH (Okta's and Entra's shapes) set, GET
returns and eq filters find by, each value checked against its field."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditEvent, CustomField, User
from provisioning import services
from provisioning.scim.constants import ERROR, LMS_USER_SCHEMA, USER_SCHEMA
from tests.provisioning.payloads import entra_op, entra_patch, okta_create_user, patch_op

pytestmark = pytest.mark.django_db

VALUES = {"costCenter": "4130", "badge": 12, "remote": True, "startDate": "2026-01-31"}


@pytest.fixture
def fields(db) -> None:
    for key, label, kind, options, unique in [
        ("costCenter", "Cost center", "text", [], True),
        ("badge", "Badge", "number", [], False),
        ("remote", "Remote", "yes_no", [], False),
        ("startDate", "Start date", "date", [], False),
        ("shirt", "Shirt", "dropdown", ["S", "M", "L"], False),
    ]:
        CustomField.objects.create(key=key, label=label, type=kind, options=options, unique=unique)


@pytest.fixture
def enabled(fields, actor) -> None:
    services.set_custom_fields_provisioning(True, actor=actor)


def body(user_name: str = "erin@example.com", **custom: Any) -> dict[str, Any]:
    payload = okta_create_user(user_name, "Erin", "Hale", user_name)
    payload["schemas"] = [USER_SCHEMA, LMS_USER_SCHEMA]
    return {**payload, LMS_USER_SCHEMA: custom}


def lms(document: dict[str, Any]) -> dict[str, Any]:
    return document.get(LMS_USER_SCHEMA, {})


def test_off_by_default_the_fields_are_neither_shown_nor_taken(scim, fields):
    created = scim.post("/Users", body(costCenter="4130")).json()
    User.objects.filter(scim_id=created["id"]).update(custom_fields={"badge": 7})

    schema = scim.get(f"/Schemas/{LMS_USER_SCHEMA}").json()
    assert [a["name"] for a in schema["attributes"]] == ["branch"]
    assert lms(scim.get(f"/Users/{created['id']}").json()) == {}
    assert AuditEvent.objects.filter(target_user__isnull=False).get().detail == (
        f"Ignored (not kept here): {LMS_USER_SCHEMA}:costCenter"
    )


def test_schemas_lists_each_field_with_its_type(scim, enabled):
    schema = scim.get(f"/Schemas/{LMS_USER_SCHEMA}").json()

    attributes = {a["name"]: a for a in schema["attributes"]}
    assert list(attributes) == ["branch", "costCenter", "badge", "remote", "startDate", "shirt"]
    assert (attributes["badge"]["type"], attributes["remote"]["type"]) == ("decimal", "boolean")
    assert attributes["shirt"]["canonicalValues"] == ["S", "M", "L"]
    assert attributes["costCenter"]["uniqueness"] == "server"
    assert attributes["costCenter"]["caseExact"] is True


def test_a_create_keeps_the_values_and_get_returns_them(scim, enabled):
    response = scim.post("/Users", body(**VALUES, shirt="M"))

    assert response.status_code == 201, response.content
    expected = VALUES | {"shirt": "M"}
    assert lms(response.json()) == expected
    assert lms(scim.get(f"/Users/{response.json()['id']}").json()) == expected
    assert User.objects.get().custom_fields == expected


@pytest.mark.parametrize(
    ("custom", "detail"),
    [
        ({"badge": "twelve"}, "Badge is a number, not 'twelve'."),
        ({"shirt": "XXL"}, "Shirt is one of S, M, L; not 'XXL'."),
        ({"remote": "maybe"}, "Remote is yes or no (true or false)."),
        ({"startDate": "31/01/2026"}, "Start date is a date as YYYY-MM-DD"),
    ],
)
def test_a_value_the_field_cannot_hold_is_refused_naming_it(scim, enabled, custom, detail):
    response = scim.post("/Users", body(**custom))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert detail in response.json()["detail"]
    assert not User.objects.exists()


HELD = "Cost center (costCenter): '4130' is held by another user."


def test_a_unique_value_held_by_another_user_is_a_uniqueness_conflict(scim, enabled):
    assert scim.post("/Users", body(costCenter="4130")).status_code == 201

    response = scim.post("/Users", body("other@example.com", costCenter="4130"))

    assert response.status_code == 409
    assert response.json() == {
        "schemas": [ERROR],
        "status": "409",
        "scimType": "uniqueness",
        "detail": HELD,
    }
    assert not User.objects.filter(username="other@example.com").exists()


def test_a_put_to_a_unique_value_another_user_holds_is_a_conflict(scim, enabled):
    scim.post("/Users", body(costCenter="4130"))
    other = scim.post("/Users", body("other@example.com", costCenter="4200")).json()

    response = scim.put(
        f"/Users/{other['id']}", body("other@example.com", costCenter="4130") | {"id": other["id"]}
    )

    assert (response.status_code, response.json()["scimType"]) == (409, "uniqueness")
    assert response.json()["detail"] == HELD
    assert User.objects.get(username="other@example.com").custom_fields == {"costCenter": "4200"}


@pytest.mark.parametrize(
    "patch",
    [
        patch_op({"op": "replace", "value": {LMS_USER_SCHEMA: {"costCenter": "4130"}}}),
        entra_patch(entra_op("Replace", f"{LMS_USER_SCHEMA}:costCenter", "4130")),
    ],
    ids=["okta", "entra"],
)
def test_a_patch_to_a_unique_value_another_user_holds_is_a_conflict(scim, enabled, patch):
    scim.post("/Users", body(costCenter="4130"))
    other = scim.post("/Users", body("other@example.com")).json()

    response = scim.patch(f"/Users/{other['id']}", patch)

    assert (response.status_code, response.json()["scimType"]) == (409, "uniqueness")
    assert response.json()["detail"] == HELD
    assert User.objects.get(username="other@example.com").custom_fields == {}


def test_a_unique_value_a_deleted_user_holds_is_a_conflict_that_says_so(scim, enabled):
    created = scim.post("/Users", body(costCenter="4130")).json()
    assert scim.delete(f"/Users/{created['id']}").status_code == 204

    response = scim.post("/Users", body("other@example.com", costCenter="4130"))

    assert (response.status_code, response.json()["scimType"]) == (409, "uniqueness")
    assert response.json()["detail"].startswith(
        "Cost center (costCenter): '4130' is held by a deleted user."
    )


def test_a_user_keeps_its_own_unique_value_on_put(scim, enabled):
    created = scim.post("/Users", body(costCenter="4130")).json()

    response = scim.put(f"/Users/{created['id']}", body(costCenter="4130") | {"id": created["id"]})

    assert response.status_code == 200, response.content


def test_a_put_replaces_the_values_and_clears_those_it_leaves_out(scim, enabled):
    created = scim.post("/Users", body(**VALUES)).json()

    response = scim.put(f"/Users/{created['id']}", body(badge=13) | {"id": created["id"]})

    assert response.status_code == 200, response.content
    assert lms(scim.get(f"/Users/{created['id']}").json()) == {"badge": 13}


def test_okta_patches_a_value_in_the_extension_object(scim, enabled):
    created = scim.post("/Users", body(**VALUES)).json()
    patch = patch_op({"op": "replace", "value": {LMS_USER_SCHEMA: {"costCenter": "4200"}}})

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    assert lms(scim.get(f"/Users/{created['id']}").json()) == VALUES | {"costCenter": "4200"}


def test_entra_patches_and_removes_by_urn_path(scim, enabled):
    created = scim.post("/Users", body(**VALUES)).json()
    patch = entra_patch(
        entra_op("Replace", f"{LMS_USER_SCHEMA}:shirt", "L"),
        entra_op("Replace", f"{LMS_USER_SCHEMA}:remote", "False"),
        entra_op("Remove", f"{LMS_USER_SCHEMA}:badge"),
    )

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    values = lms(scim.get(f"/Users/{created['id']}").json())
    assert values == {
        "costCenter": "4130",
        "remote": False,
        "startDate": "2026-01-31",
        "shirt": "L",
    }


def test_a_patch_to_a_field_that_does_not_exist_is_an_invalid_path(scim, enabled):
    created = scim.post("/Users", body()).json()
    patch = entra_patch(entra_op("Replace", f"{LMS_USER_SCHEMA}:colour", "teal"))

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidPath"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'{LMS_USER_SCHEMA}:costCenter eq "4130"', ["a"]),
        (f"{LMS_USER_SCHEMA}:badge eq 12", ["a"]),
        (f"{LMS_USER_SCHEMA}:remote eq false", ["b"]),
        (f"{LMS_USER_SCHEMA}:shirt pr", ["b"]),
        (f'{LMS_USER_SCHEMA}:costCenter ne "4130"', ["b"]),
    ],
)
def test_filters_find_users_by_a_custom_field(scim, enabled, text, expected):
    names = {"a@example.com": "a", "b@example.com": "b"}
    scim.post("/Users", body("a@example.com", costCenter="4130", badge=12, remote=True))
    scim.post("/Users", body("b@example.com", costCenter="4200", remote=False, shirt="S"))

    response = scim.get("/Users", {"filter": text, "sortBy": "userName"})

    assert response.status_code == 200, response.content
    assert [names[r["userName"]] for r in response.json()["Resources"]] == expected


def test_a_custom_field_filters_with_eq_ne_and_pr_only(scim, enabled):
    response = scim.get("/Users", {"filter": f'{LMS_USER_SCHEMA}:costCenter sw "41"'})

    assert response.status_code == 400
    assert "supports eq, ne and pr only" in response.json()["detail"]


def test_switched_off_again_the_values_stay_for_the_portal(scim, enabled, actor):
    created = scim.post("/Users", body(**VALUES)).json()

    services.set_custom_fields_provisioning(False, actor=actor)

    assert lms(scim.get(f"/Users/{created['id']}").json()) == {}
    assert User.objects.get().custom_fields == VALUES


def test_entras_true_and_false_strings_are_booleans(scim, enabled):
    response = scim.post("/Users", body(remote="True"))

    assert response.status_code == 201, response.content
    assert User.objects.get().custom_fields == {"remote": True}


def test_a_key_renamed_in_the_portal_returns_the_value_under_the_new_key(
    scim, enabled, client, admin_user
):
    created = scim.post("/Users", body(**VALUES)).json()
    etag = scim.get(f"/Users/{created['id']}")["ETag"]
    field = CustomField.objects.get(key="costCenter")
    client.force_login(admin_user)

    edit = client.post(
        f"/settings/custom-fields/{field.pk}/edit/",
        {"label": "Cost center", "key": "costCentre", "unique": "on"},
    )

    assert edit.status_code == 302
    response = scim.get(f"/Users/{created['id']}")
    values = lms(response.json())
    assert values == {"costCentre": "4130", "badge": 12, "remote": True, "startDate": "2026-01-31"}
    assert response["ETag"] != etag
    found = scim.get("/Users", {"filter": f'{LMS_USER_SCHEMA}:costCentre eq "4130"'}).json()
    assert [user["id"] for user in found["Resources"]] == [created["id"]]
    schema = scim.get(f"/Schemas/{LMS_USER_SCHEMA}").json()
    assert "costCentre" in [a["name"] for a in schema["attributes"]]
