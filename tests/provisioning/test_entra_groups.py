"""Microsoft Entra ID's group provisioning, as its SCIM validator and provisioning service
send it (Microsoft's "Tutorial: develop a SCIM endpoint", group request examples): create with
and without members, capitalised "Add"/"Remove"/"Replace" ops, "Remove" naming the members
to remove in a value list, lookup by name without members, concurrent member PATCHes, and
delete."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from accounts.models import Group, Membership, User
from provisioning import services
from provisioning.scim.constants import GROUP_SCHEMA
from tests.factories import UserFactory
from tests.provisioning.conftest import body
from tests.provisioning.payloads import BASE_URL, entra_op, entra_patch, list_response

pytestmark = pytest.mark.django_db


# What Entra sends ---------------------------------------------------------------------------


def entra_create_group(name: str, *members: User) -> dict[str, Any]:
    """Entra's POST /Groups: externalId is the Entra group's object id; members by id."""
    document: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": name,
        "meta": {"resourceType": "Group"},
    }
    if members:
        document["members"] = [{"value": str(user.scim_id)} for user in members]
    return document


def entra_members(op: str, *users: User) -> dict[str, Any]:
    """Entra's member change: ``{"op": "Add"|"Remove"|"Replace", "path": "members",
    "value": [{"value": "<id>"}, ...]}``, one operation for one or many members."""
    return entra_patch(entra_op(op, "members", [{"value": str(u.scim_id)} for u in users]))


def entra_lookup(name: str) -> dict[str, str]:
    """Entra's check that a group exists, members left out."""
    return {"excludedAttributes": "members", "filter": f'displayName eq "{name}"'}


# The cast -----------------------------------------------------------------------------------


@pytest.fixture
def ann(db) -> User:
    return UserFactory(username="ann@contoso.com")


@pytest.fixture
def ben(db) -> User:
    return UserFactory(username="ben@contoso.com")


@pytest.fixture
def cat(db) -> User:
    return UserFactory(username="cat@contoso.com")


@pytest.fixture
def sales(db, ann, ben, cat) -> Group:
    """A group Entra provisioned, with Ann, Ben and Cat in it."""
    group = Group.objects.create(name="Sales", managed_by="scim")
    Membership.objects.bulk_create(Membership(group=group, user=u) for u in (ann, ben, cat))
    return group


def path(group: Group) -> str:
    return f"/Groups/{group.scim_id}"


def members_of(group: Group) -> list[str]:
    return sorted(Membership.objects.filter(group=group).values_list("user__username", flat=True))


# Create -------------------------------------------------------------------------------------


def test_creates_a_group_without_members(scim):
    response = scim.post("/Groups", entra_create_group("Sales"))

    assert response.status_code == 201
    document = body(response)
    assert "members" not in document
    group = Group.objects.get()
    assert (group.name, group.external_id) == ("Sales", "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159")
    assert document["meta"]["location"] == f"{BASE_URL}/Groups/{group.scim_id}"


def test_creates_a_group_with_members(scim, ann, ben):
    response = scim.post("/Groups", entra_create_group("Sales", ann, ben))

    assert response.status_code == 201
    assert [item["value"] for item in body(response)["members"]] == [
        str(ann.scim_id),
        str(ben.scim_id),
    ]
    assert members_of(Group.objects.get()) == ["ann@contoso.com", "ben@contoso.com"]


# Members ------------------------------------------------------------------------------------


def test_adds_a_single_member(scim, ann):
    group = Group.objects.create(name="Sales")

    response = scim.patch(path(group), entra_members("Add", ann))

    assert response.status_code == 204
    assert members_of(group) == ["ann@contoso.com"]


def test_adds_several_members_in_one_operation(scim, ann, ben, cat):
    group = Group.objects.create(name="Sales")

    response = scim.patch(path(group), entra_members("Add", ann, ben, cat))

    assert response.status_code == 204
    assert members_of(group) == ["ann@contoso.com", "ben@contoso.com", "cat@contoso.com"]


def test_removes_a_single_member_listed_in_the_value(scim, sales, ben):
    response = scim.patch(path(sales), entra_members("Remove", ben))

    assert response.status_code == 204
    assert members_of(sales) == ["ann@contoso.com", "cat@contoso.com"]


def test_removes_only_the_members_listed_in_the_value(scim, sales, ann, cat):
    response = scim.patch(path(sales), entra_members("Remove", ann, cat))

    assert response.status_code == 204
    assert members_of(sales) == ["ben@contoso.com"]


def test_replaces_the_members(scim, sales, cat):
    dan = UserFactory(username="dan@contoso.com")

    response = scim.patch(path(sales), entra_members("Replace", cat, dan))

    assert response.status_code == 204
    assert members_of(sales) == ["cat@contoso.com", "dan@contoso.com"]


def test_renames_with_a_capitalised_replace(scim, sales):
    response = scim.patch(path(sales), entra_patch(entra_op("Replace", "displayName", "EMEA")))

    assert response.status_code == 204
    sales.refresh_from_db()
    assert sales.name == "EMEA"
    assert members_of(sales) == ["ann@contoso.com", "ben@contoso.com", "cat@contoso.com"]


# Lookup -------------------------------------------------------------------------------------


def test_looks_a_group_up_by_name_without_its_members(scim, sales):
    response = scim.get("/Groups", entra_lookup("sales"))

    assert response.status_code == 200
    [found] = response.json()["Resources"]
    assert found["id"] == str(sales.scim_id)
    assert "members" not in found
    assert response.json()["totalResults"] == 1


def test_lookup_of_an_unknown_name_is_an_empty_list(scim, sales):
    response = scim.get("/Groups", entra_lookup("Marketing"))

    assert response.json() == list_response([])


# Delete -------------------------------------------------------------------------------------


def test_deletes_the_group(scim, sales, ann):
    response = scim.delete(path(sales))

    assert response.status_code == 204
    assert scim.get(path(sales)).status_code == 404
    assert not Membership.objects.exists()
    assert User.objects.filter(pk=ann.pk).exists()


# Concurrent PATCHes: Entra sends one per member change, several at a time -----------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_single_member_patches_to_one_group_both_land():
    group = Group.objects.create(name="Race", managed_by="scim")
    users = [UserFactory(username=f"racer{n}@contoso.com") for n in range(2)]
    bodies = [entra_members("Add", user) for user in users]
    barrier = threading.Barrier(len(bodies), timeout=10)
    failures: list[BaseException] = []

    def send(patch: dict[str, Any]) -> None:
        try:
            barrier.wait()
            services.patch_group(str(group.scim_id), patch, actor=services.Actor.system("race"))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(patch,)) for patch in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    group.refresh_from_db()
    assert members_of(group) == ["racer0@contoso.com", "racer1@contoso.com"]
    assert group.version == 3
