"""The core User profile an IdP's default mapping pushes (RFC 7643 §4.1.1): every attribute is
stored as it was sent and read back by GET, through POST, PUT, Okta's and Entra's PATCH
shapes, and Entra's null update."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditEvent, User
from tests.provisioning.payloads import entra_op, entra_patch, okta_create_user, patch_op

pytestmark = pytest.mark.django_db

# Every value as an IdP may send it: case, punctuation and letters beyond ASCII kept.
NAME = {
    "formatted": "Ms. Barbara J Jensen, III",
    "familyName": "Jensen",
    "givenName": "Barbara",
    "middleName": "Jane",
    "honorificPrefix": "Ms.",
    "honorificSuffix": "III",
}
PROFILE = {
    "nickName": "Babs",
    "profileUrl": "https://login.example.com/bjensen",
    "title": "Tour Guide (Ελλάδα)",
}
# Storage of each, as the user's row holds it.
COLUMNS = {
    "formatted_name": NAME["formatted"],
    "middle_name": "Jane",
    "honorific_prefix": "Ms.",
    "honorific_suffix": "III",
    "nick_name": "Babs",
    "profile_url": PROFILE["profileUrl"],
    "title": PROFILE["title"],
}


def barbara(**extra: Any) -> dict[str, Any]:
    body = okta_create_user("bjensen@example.com", "Barbara", "Jensen", "bjensen@example.com")
    return {**body, "name": NAME, **PROFILE, **extra}


def profile_of(document: dict[str, Any]) -> dict[str, Any]:
    return {"name": document.get("name"), **{key: document.get(key) for key in PROFILE}}


@pytest.fixture
def created(scim) -> dict[str, Any]:
    response = scim.post("/Users", barbara())
    assert response.status_code == 201, response.content
    return response.json()


def test_a_created_profile_is_stored_and_read_back_as_sent(scim, created):
    assert profile_of(created) == {"name": NAME, **PROFILE}
    assert profile_of(scim.get(f"/Users/{created['id']}").json()) == {"name": NAME, **PROFILE}
    user = User.objects.get(scim_id=created["id"])
    assert {column: getattr(user, column) for column in COLUMNS} == COLUMNS


def test_a_put_replaces_the_profile_and_clears_what_it_leaves_out(scim, created):
    body = barbara(id=created["id"], title="Head Guide", name={"givenName": "Barbara"})
    del body["nickName"]

    response = scim.put(f"/Users/{created['id']}", body)

    assert response.status_code == 200, response.content
    expected = {
        "name": {"givenName": "Barbara"},
        "nickName": None,
        "profileUrl": PROFILE["profileUrl"],
        "title": "Head Guide",
    }
    assert profile_of(response.json()) == expected
    assert profile_of(scim.get(f"/Users/{created['id']}").json()) == expected


def test_okta_patches_the_profile_with_a_value_and_no_path(scim, created):
    body = patch_op(
        {"op": "replace", "value": {"title": "CTO", "name": {**NAME, "middleName": "Joan"}}}
    )

    response = scim.patch(f"/Users/{created['id']}", body)

    assert response.status_code == 200, response.content
    document = scim.get(f"/Users/{created['id']}").json()
    assert document["title"] == "CTO"
    assert document["name"] == {**NAME, "middleName": "Joan"}
    assert document["nickName"] == "Babs"


@pytest.mark.parametrize(
    ("path", "value", "read"),
    [
        ("title", "Guide", lambda d: d["title"]),
        ("nickName", "Bab", lambda d: d["nickName"]),
        ("profileUrl", "https://example.org/b", lambda d: d["profileUrl"]),
        ("name.middleName", "Joan", lambda d: d["name"]["middleName"]),
        ("name.honorificPrefix", "Dr.", lambda d: d["name"]["honorificPrefix"]),
        ("name.honorificSuffix", "PhD", lambda d: d["name"]["honorificSuffix"]),
        ("name.formatted", "Dr. Barbara Jensen", lambda d: d["name"]["formatted"]),
    ],
)
def test_entra_patches_each_attribute_by_path(scim, created, path, value, read):
    response = scim.patch(f"/Users/{created['id']}", entra_patch(entra_op("Replace", path, value)))

    assert response.status_code == 200, response.content
    assert read(response.json()) == value
    assert read(scim.get(f"/Users/{created['id']}").json()) == value


@pytest.mark.parametrize(
    "operation",
    [
        entra_op("Replace", "title", ""),
        {"op": "Replace", "path": "title", "value": None},
        entra_op("Remove", "title"),
    ],
    ids=["replace with empty", "replace with null", "remove"],
)
def test_entra_null_update_clears_the_attribute(scim, created, operation):
    response = scim.patch(f"/Users/{created['id']}", entra_patch(operation))

    assert response.status_code == 200, response.content
    assert "title" not in response.json()
    assert "title" not in scim.get(f"/Users/{created['id']}").json()
    assert User.objects.get(scim_id=created["id"]).title == ""


def test_the_trail_holds_each_changed_attribute_before_and_after(scim, created):
    scim.patch(f"/Users/{created['id']}", entra_patch(entra_op("Replace", "title", "Guide")))

    event = AuditEvent.objects.latest("pk")
    assert event.changes == [{"field": "title", "before": PROFILE["title"], "after": "Guide"}]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('title eq "Tour Guide (Ελλάδα)"', True),
        ('nickName eq "babs"', True),  # not caseExact (RFC 7643 §4.1.1)
        ('name.middleName sw "Ja"', True),
        ('name.honorificSuffix eq "II"', False),
    ],
)
def test_filters_find_users_by_their_profile(scim, created, text, found):
    response = scim.get("/Users", {"filter": text})

    assert response.status_code == 200, response.content
    assert [r["id"] for r in response.json()["Resources"]] == ([created["id"]] if found else [])


@pytest.mark.parametrize(
    ("attribute", "longest"),
    [("title", 255), ("profileUrl", 2048), ("name.honorificPrefix", 50)],
)
def test_a_value_too_long_to_keep_is_refused_naming_the_attribute(scim, attribute, longest):
    if "." in attribute:
        parent, child = attribute.split(".")
        body = barbara(**{parent: {**NAME, child: "x" * (longest + 1)}})
    else:
        body = barbara(**{attribute: "x" * (longest + 1)})

    response = scim.post("/Users", body)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert f"at most {longest} characters" in response.json()["detail"]
    assert not User.objects.exists()
