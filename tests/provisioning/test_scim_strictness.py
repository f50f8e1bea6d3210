"""Where RFC 7643/7644 are clear, the API says no: a body that does not say it is a User, an
empty filter, a PATCH path that names no attribute."""

from __future__ import annotations

import pytest

from accounts.models import User
from provisioning.scim.constants import USER_SCHEMA
from tests.provisioning.payloads import okta_create_user, okta_put_user, patch_op, search_request

pytestmark = pytest.mark.django_db

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


def carol(**extra):
    return okta_create_user("carol@example.com", "Carol", "Jones", "carol@example.com", **extra)


@pytest.mark.parametrize(
    ("schemas", "detail"),
    [
        (None, "schemas is required"),
        ([GROUP_SCHEMA], f'schemas must hold "{USER_SCHEMA}"'),
        ([USER_SCHEMA, GROUP_SCHEMA], "not a schema of a User"),
    ],
    ids=["missing", "a group", "a user and a group"],
)
def test_a_create_must_say_it_is_a_user(scim, schemas, detail):
    body = carol()
    del body["schemas"]
    if schemas is not None:
        body["schemas"] = schemas

    response = scim.post("/Users", body)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert detail in response.json()["detail"]
    assert not User.objects.exists()


def test_a_replace_must_say_it_is_a_user(scim):
    created = scim.post("/Users", carol()).json()
    body = okta_put_user(created["id"], "carol@example.com", "Caroline", "Jones", "c@example.com")
    body["schemas"] = [GROUP_SCHEMA]

    response = scim.put(f"/Users/{created['id']}", body)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert User.objects.get().first_name == "Carol"


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_filter_is_refused(scim, text):
    response = scim.get("/Users", {"filter": text})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"
    assert "filter is empty" in response.json()["detail"]


def test_an_empty_filter_is_refused_in_a_search_too(scim):
    response = scim.post("/Users/.search", search_request(filter=""))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_a_patch_path_that_names_no_attribute_is_refused(scim):
    created = scim.post("/Users", carol()).json()
    body = patch_op(
        {"op": "replace", "path": "title", "value": "CEO"},
        {"op": "replace", "path": "favouriteColour", "value": "teal"},
    )

    response = scim.patch(f"/Users/{created['id']}", body)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidPath"
    assert '"favouriteColour" names no attribute of a User' in response.json()["detail"]
    assert User.objects.get().title == ""  # all or nothing


def test_several_bad_values_are_named_together(scim):
    body = carol(timezone="Mars/Base", preferredLanguage="not a language tag")

    response = scim.post("/Users", body)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert "'Mars/Base' is not an IANA time zone" in response.json()["detail"]
    assert "is not a language tag" in response.json()["detail"]


def test_a_create_whose_username_and_email_are_both_taken_is_one_conflict(scim):
    assert scim.post("/Users", carol()).status_code == 201

    response = scim.post("/Users", carol())

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert "username 'carol@example.com'" in response.json()["detail"]
    assert "email 'carol@example.com'" in response.json()["detail"]
