"""Okta's Group Push, request by request as Okta sends it (Okta's "SCIM 2.0 protocol
reference", Groups): look the group up by name, create it, push its members, rename it (by
PUT of the whole group and by PATCH), add and remove members, push its description, and
delete it when the push is unlinked with "delete the group in the target app"."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditEvent, Group, Membership, User
from provisioning.scim.constants import GROUP_SCHEMA, LMS_GROUP_SCHEMA, OKTA_GROUP_SCHEMA
from tests.factories import UserFactory
from tests.provisioning.conftest import body
from tests.provisioning.payloads import BASE_URL, list_response, patch_op

pytestmark = pytest.mark.django_db


# What Okta sends ----------------------------------------------------------------------------


def okta_lookup(name: str) -> dict[str, str]:
    """Okta's existence check before it pushes a group."""
    return {"filter": f'displayName eq "{name}"', "startIndex": "1", "count": "100"}


def okta_member(user: User) -> dict[str, str]:
    return {"value": str(user.scim_id), "display": user.username}


def okta_create_group(name: str, *members: User) -> dict[str, Any]:
    """POST /Groups: Okta names members by id and shows their userName as display."""
    return {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [okta_member(user) for user in members],
    }


def okta_put_group(name: str, *members: User) -> dict[str, Any]:
    """PUT /Groups/{id}: the whole group as Okta sees it (no id in the body)."""
    return okta_create_group(name, *members)


def okta_rename(scim_id: str, name: str) -> dict[str, Any]:
    """Okta renames by a path-less replace naming the group's id and its new name."""
    return patch_op({"op": "replace", "value": {"id": scim_id, "displayName": name}})


def okta_add_members(*users: User) -> dict[str, Any]:
    return patch_op({"op": "add", "path": "members", "value": [okta_member(u) for u in users]})


def okta_remove_member(user: User) -> dict[str, Any]:
    return patch_op({"op": "remove", "path": f'members[value eq "{user.scim_id}"]'})


def okta_description(text: str) -> dict[str, Any]:
    return patch_op({"op": "replace", "value": {OKTA_GROUP_SCHEMA: {"description": text}}})


# The cast -----------------------------------------------------------------------------------


@pytest.fixture
def ann(db) -> User:
    return UserFactory(username="ann@example.com")


@pytest.fixture
def ben(db) -> User:
    return UserFactory(username="ben@example.com")


@pytest.fixture
def pushed(db, ann) -> Group:
    """A group Okta has pushed, with Ann in it."""
    group = Group.objects.create(name="Engineering", managed_by="scim")
    Membership.objects.create(group=group, user=ann)
    return group


def path(group: Group) -> str:
    return f"/Groups/{group.scim_id}"


def member(user: User) -> dict[str, str]:
    return {
        "value": str(user.scim_id),
        "$ref": f"{BASE_URL}/Users/{user.scim_id}",
        "type": "User",
    }


def members_of(group: Group) -> list[str]:
    return sorted(Membership.objects.filter(group=group).values_list("user__username", flat=True))


# Each step ----------------------------------------------------------------------------------


def test_lookup_of_a_group_not_pushed_yet_is_an_empty_list(scim, pushed):
    response = scim.get("/Groups", okta_lookup("Sales"))

    assert response.status_code == 200
    assert response.json() == list_response([])


def test_lookup_finds_a_pushed_group_by_name_in_any_case(scim, pushed):
    response = scim.get("/Groups", okta_lookup("ENGINEERING"))

    [found] = response.json()["Resources"]
    assert (found["id"], found["displayName"]) == (str(pushed.scim_id), "Engineering")
    assert "members" not in found


def test_creates_the_group_with_its_members(scim, ann, ben):
    response = scim.post("/Groups", okta_create_group("Engineering", ann, ben))

    assert response.status_code == 201
    group = Group.objects.get()
    document = body(response)
    assert (document["id"], document["displayName"]) == (str(group.scim_id), "Engineering")
    assert document["members"] == [member(ann), member(ben)]
    assert response["Location"] == f"{BASE_URL}/Groups/{group.scim_id}"
    assert group.is_scim_managed


def test_pushes_members_with_patch_add(scim, pushed, ann, ben):
    response = scim.patch(path(pushed), okta_add_members(ben))

    assert response.status_code == 204
    assert members_of(pushed) == ["ann@example.com", "ben@example.com"]


def test_renames_by_put_of_the_whole_group_without_id(scim, pushed, ann, ben):
    response = scim.put(path(pushed), okta_put_group("Engineering EMEA", ann, ben))

    assert response.status_code == 200
    document = body(response)
    assert (document["displayName"], document["members"]) == (
        "Engineering EMEA",
        [member(ann), member(ben)],
    )
    pushed.refresh_from_db()
    assert (pushed.name, pushed.version) == ("Engineering EMEA", 2)
    assert members_of(pushed) == ["ann@example.com", "ben@example.com"]


def test_renames_by_patch_with_id_and_display_name(scim, pushed, ann):
    response = scim.patch(path(pushed), okta_rename(str(pushed.scim_id), "Engineering EMEA"))

    assert response.status_code == 204
    pushed.refresh_from_db()
    assert pushed.name == "Engineering EMEA"
    assert members_of(pushed) == ["ann@example.com"]
    event = AuditEvent.objects.filter(event_type="group.renamed").get()
    assert event.changes == [
        {"field": "name", "before": "Engineering", "after": "Engineering EMEA"}
    ]


def test_removes_a_member_by_filter(scim, pushed, ann, ben):
    Membership.objects.create(group=pushed, user=ben)

    response = scim.patch(path(pushed), okta_remove_member(ann))

    assert response.status_code == 204
    assert members_of(pushed) == ["ben@example.com"]
    assert User.objects.filter(pk=ann.pk).exists()


def test_pushes_the_description_in_oktas_extension(scim, pushed):
    response = scim.patch(path(pushed), okta_description("Builds the portal"))

    assert response.status_code == 204
    pushed.refresh_from_db()
    assert pushed.description == "Builds the portal"
    document = body(scim.get(path(pushed), {"excludedAttributes": "members"}))
    # Okta's URN is read as our extension's, which is what the group is shown with.
    assert document["schemas"] == [GROUP_SCHEMA, LMS_GROUP_SCHEMA]
    assert document[LMS_GROUP_SCHEMA] == {"description": "Builds the portal"}


def test_pushes_the_description_by_extension_path(scim, pushed):
    operation = {"op": "replace", "path": f"{OKTA_GROUP_SCHEMA}:description", "value": "Builds"}

    scim.patch(path(pushed), patch_op(operation))

    pushed.refresh_from_db()
    assert pushed.description == "Builds"


def test_unlink_with_delete_removes_the_group_and_keeps_its_users(scim, pushed, ann):
    response = scim.delete(path(pushed))

    assert response.status_code == 204
    assert not Group.objects.exists()
    assert User.objects.filter(pk=ann.pk).exists()
    assert scim.get("/Groups", okta_lookup("Engineering")).json() == list_response([])


# The whole push -----------------------------------------------------------------------------


def test_group_push_from_lookup_to_delete(scim, ann, ben):
    cat = UserFactory(username="cat@example.com")

    assert scim.get("/Groups", okta_lookup("Engineering")).json()["totalResults"] == 0
    created = scim.post("/Groups", okta_create_group("Engineering", ann))
    assert created.status_code == 201
    scim_id = body(created)["id"]
    group_path = f"/Groups/{scim_id}"
    assert scim.patch(group_path, okta_add_members(ben, cat)).status_code == 204
    assert scim.patch(group_path, okta_remove_member(ann)).status_code == 204
    renamed = scim.patch(group_path, okta_rename(scim_id, "Platform"))
    assert renamed.status_code == 204
    put = scim.put(group_path, okta_put_group("Platform Team", ben, ann))
    assert put.status_code == 200
    assert scim.patch(group_path, okta_description("Runs the platform")).status_code == 204

    [found] = scim.get("/Groups", okta_lookup("platform team")).json()["Resources"]
    document = body(scim.get(group_path))
    assert found["id"] == document["id"] == scim_id
    assert {key: document[key] for key in ("displayName", "members", LMS_GROUP_SCHEMA)} == {
        "displayName": "Platform Team",
        "members": [member(ann), member(ben)],
        LMS_GROUP_SCHEMA: {"description": "Runs the platform"},
    }
    assert document["meta"]["version"] == 'W/"6"'

    assert scim.delete(group_path).status_code == 204
    assert scim.get(group_path).status_code == 404
    assert list(
        AuditEvent.objects.filter(event_type__startswith="group.")
        .order_by("pk")
        .values_list("event_type", flat=True)
    ) == [
        "group.created",
        "group.members",
        "group.members",
        "group.renamed",
        "group.renamed",
        "group.updated",
        "group.deleted",
    ]
