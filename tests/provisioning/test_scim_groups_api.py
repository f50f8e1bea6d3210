"""/api/scim2/Groups over HTTP (RFC 7644 §3.3-§3.6, §3.4.2-§3.4.3, §3.12, §3.14).

Responses are compared as whole documents: ids are the database's, timestamps are checked to
be RFC 3339 UTC and then frozen (``frozen_group``). A single group's answer is streamed;
``body`` reads either kind.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as accounts
from accounts.models import AuditEvent, Group, GroupManager, Membership, User
from provisioning.scim.constants import (
    GROUP_SCHEMA,
    LMS_GROUP_SCHEMA,
    MEDIA_TYPE,
    OKTA_GROUP_SCHEMA,
    USER_SCHEMA,
)
from tests.factories import UserFactory, user_type
from tests.provisioning.conftest import TIMESTAMP, body
from tests.provisioning.payloads import (
    BASE_URL,
    list_response,
    patch_op,
    scim_error,
    search_request,
)

pytestmark = pytest.mark.django_db


# Helpers ------------------------------------------------------------------------------------


def frozen_group(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with meta.created and meta.lastModified checked and set to "<timestamp>"."""
    meta = dict(document.get("meta", {}))
    for key in ("created", "lastModified"):
        if key in meta:
            assert TIMESTAMP.fullmatch(meta[key]), meta[key]
            meta[key] = "<timestamp>"
    return {**document, "meta": meta} if "meta" in document else dict(document)


def meta(group: Group, version: int = 1) -> dict[str, Any]:
    return {
        "resourceType": "Group",
        "created": "<timestamp>",
        "lastModified": "<timestamp>",
        "location": f"{BASE_URL}/Groups/{group.scim_id}",
        "version": f'W/"{version}"',
    }


def as_member(user: User) -> dict[str, str]:
    return {
        "value": str(user.scim_id),
        "$ref": f"{BASE_URL}/Users/{user.scim_id}",
        "type": "User",
    }


def resource(group: Group, *members: User, version: int = 1, **extra: Any) -> dict[str, Any]:
    """The group as the API shows it (members in user order), before ``frozen_group``."""
    document: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "id": str(group.scim_id)}
    document.update(extra)
    document.setdefault("displayName", group.name)
    if members:
        document["members"] = [as_member(user) for user in sorted(members, key=lambda u: u.pk)]
    document["meta"] = meta(group, version)
    return document


def group_body(name: str, *members: User, **extra: Any) -> dict[str, Any]:
    """A POST or PUT body naming ``members`` as Okta does (value and display)."""
    return {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": str(user.scim_id), "display": user.username} for user in members],
        **extra,
    }


def make_group(name: str, members: Iterable[User] = (), **fields: Any) -> Group:
    group = Group.objects.create(name=name, managed_by=GroupManager.SCIM, **fields)
    Membership.objects.bulk_create(Membership(group=group, user=user) for user in members)
    return group


def bulk_users(number: int, prefix: str = "bulk") -> list[User]:
    """``number`` users saved in one statement (the factories' saves take too long)."""
    learner = user_type()
    return User.objects.bulk_create(
        UserFactory.build(username=f"{prefix}-{n:05}@example.com", user_type=learner, password="!")
        for n in range(number)
    )


def big_group(name: str, number: int) -> Group:
    return make_group(name, bulk_users(number, prefix=name.lower()))


def path(group: Group) -> str:
    return f"/Groups/{group.scim_id}"


def member_ids(group: Group) -> set[uuid.UUID]:
    return set(Membership.objects.filter(group=group).values_list("user__scim_id", flat=True))


def events(event_type: str | None = None) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(event_type__startswith="group.").order_by("pk")
    return list(found.filter(event_type=event_type) if event_type else found)


def remove_op(*users: User) -> dict[str, Any]:
    selected = " or ".join(f'value eq "{user.scim_id}"' for user in users)
    return {"op": "remove", "path": f"members[{selected}]"}


def add_op(*ids: Any) -> dict[str, Any]:
    return {"op": "add", "path": "members", "value": [{"value": str(i)} for i in ids]}


@pytest.fixture
def ann(db) -> User:
    return UserFactory(username="ann@example.com")


@pytest.fixture
def ben(db) -> User:
    return UserFactory(username="ben@example.com")


@pytest.fixture
def cat(db) -> User:
    return UserFactory(username="cat@example.com")


# Create (RFC 7644 §3.3) -----------------------------------------------------------------------


def test_creates_group_with_members(scim, ann, ben):
    response = scim.post("/Groups", group_body("Engineering", ben, ann, externalId="00g1"))

    assert response.status_code == 201
    group = Group.objects.get()
    assert frozen_group(body(response)) == resource(group, ann, ben, externalId="00g1")
    assert response["Location"] == f"{BASE_URL}/Groups/{group.scim_id}"
    assert response["ETag"] == 'W/"1"'
    assert response["Content-Type"] == MEDIA_TYPE
    assert member_ids(group) == {ann.scim_id, ben.scim_id}
    assert group.managed_by == GroupManager.SCIM
    [event] = events()
    assert (event.event_type, event.outcome, event.target_group) == (
        "group.created",
        "success",
        group,
    )
    assert event.changes[-1] == {
        "field": "members",
        "added": 2,
        "removed": 0,
        "added_names": ["ann@example.com", "ben@example.com"],
        "removed_names": [],
    }


@pytest.mark.parametrize("urn", [LMS_GROUP_SCHEMA, OKTA_GROUP_SCHEMA], ids=["ours", "okta"])
def test_creates_group_with_a_description_shown_in_our_extension(scim, urn):
    payload = {
        "schemas": [GROUP_SCHEMA, urn],
        "displayName": "Ops",
        urn: {"description": "On call"},
    }

    response = scim.post("/Groups", payload)

    group = Group.objects.get()
    assert group.description == "On call"
    assert frozen_group(body(response)) == {
        "schemas": [GROUP_SCHEMA, LMS_GROUP_SCHEMA],
        "id": str(group.scim_id),
        "displayName": "Ops",
        LMS_GROUP_SCHEMA: {"description": "On call"},
        "meta": meta(group),
    }


def test_duplicate_display_name_in_another_case_is_a_uniqueness_conflict(scim):
    make_group("Engineering")

    response = scim.post("/Groups", group_body("ENGINEERING"))

    assert response.status_code == 409
    assert response.json() == scim_error(
        409, "A group named 'ENGINEERING' already exists.", "uniqueness"
    )
    assert Group.objects.count() == 1
    [event] = events()
    assert (event.event_type, event.outcome, event.target_label) == (
        "group.created",
        "refused",
        "ENGINEERING",
    )


def test_display_name_is_required(scim):
    response = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "members": []})

    assert response.status_code == 400
    assert response.json() == scim_error(
        400, "displayName is required and cannot be empty.", "invalidValue"
    )


def test_unknown_member_id_is_skipped_and_named_in_the_event(scim, ann):
    unknown = str(uuid.uuid4())
    payload = group_body("Ops", ann)
    payload["members"].append({"value": unknown})

    response = scim.post("/Groups", payload)

    assert response.status_code == 201
    group = Group.objects.get()
    assert body(response)["members"] == [as_member(ann)]
    assert member_ids(group) == {ann.scim_id}
    [event] = events()
    assert event.detail == f"Skipped 1 unknown member id(s): {unknown}"


def test_group_id_as_member_of_a_new_group_is_refused(scim):
    other = make_group("Other")

    response = scim.post(
        "/Groups", {**group_body("Ops"), "members": [{"value": str(other.scim_id)}]}
    )

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert str(other.scim_id) in response.json()["detail"]
    assert list(Group.objects.values_list("name", flat=True)) == ["Other"]


# Read (RFC 7644 §3.4.1) -----------------------------------------------------------------------


def test_gets_group_with_its_members(scim, ann, ben):
    group = make_group("Engineering", [ben, ann], external_id="00g1", description="Builds")

    response = scim.get(path(group))

    assert response.status_code == 200
    assert response.streaming
    assert response["ETag"] == 'W/"1"'
    assert frozen_group(body(response)) == {
        "schemas": [GROUP_SCHEMA, LMS_GROUP_SCHEMA],
        "id": str(group.scim_id),
        "externalId": "00g1",
        "displayName": "Engineering",
        LMS_GROUP_SCHEMA: {"description": "Builds"},
        "members": [as_member(ann), as_member(ben)],
        "meta": meta(group),
    }


def test_gets_an_empty_group_without_members(scim):
    group = make_group("Empty")

    assert frozen_group(body(scim.get(path(group)))) == resource(group)


def test_excluded_members_are_left_out(scim, ann):
    group = make_group("Engineering", [ann])

    response = scim.get(path(group), {"excludedAttributes": "members"})

    assert frozen_group(body(response)) == resource(group)
    assert response["ETag"] == 'W/"1"'


def test_attributes_keep_only_those_named(scim, ann):
    group = make_group("Engineering", [ann], external_id="00g1")

    response = scim.get(path(group), {"attributes": "displayName"})

    assert body(response) == {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.scim_id),
        "displayName": "Engineering",
    }


def test_if_none_match_the_current_version_is_not_modified(scim):
    group = make_group("Engineering")

    response = scim.get(path(group), If_None_Match='W/"1"')

    assert response.status_code == 304
    assert response["ETag"] == 'W/"1"'


@pytest.mark.parametrize(
    "scim_id",
    [
        "6c5bb468-14b2-4183-baf2-06d523e03bd3",
        "not-a-uuid",
        "42",
    ],
)
def test_unknown_or_malformed_id_is_not_found(scim, scim_id):
    make_group("Engineering")

    response = scim.get(f"/Groups/{scim_id}")

    assert response.status_code == 404
    assert response.json()["status"] == "404"
    assert response.json()["schemas"] == scim_error(404, "")["schemas"]


def test_an_id_spelt_with_other_digits_is_not_found(scim):
    group = make_group("Engineering")
    ascii_id = str(group.scim_id)
    digit = next(char for char in ascii_id if char.isdigit())
    # The fullwidth digit, which uuid.UUID() would read as the ASCII one.
    spelt = ascii_id.replace(digit, chr(ord(digit) + 0xFEE0), 1)

    assert scim.get(path(group)).status_code == 200
    assert scim.get(f"/Groups/{spelt}").status_code == 404


# List (RFC 7644 §3.4.2) ---------------------------------------------------------------------


def test_display_name_filter_is_case_insensitive_and_shows_no_members(scim, ann):
    group = make_group("Engineering", [ann])
    make_group("Sales")

    response = scim.get(
        "/Groups",
        {"filter": 'displayName eq "engineering"', "startIndex": "1", "count": "100"},
    )

    assert response.status_code == 200
    document = response.json()
    document["Resources"] = [frozen_group(item) for item in document["Resources"]]
    assert document == list_response([resource(group)])


def test_filters_on_external_id(scim):
    make_group("Engineering", external_id="00g1")
    sales = make_group("Sales", external_id="00g2")

    response = scim.get("/Groups", {"filter": 'externalId eq "00g2"'})

    assert [item["id"] for item in response.json()["Resources"]] == [str(sales.scim_id)]


def test_filters_on_id(scim):
    engineering = make_group("Engineering")
    make_group("Sales")

    response = scim.get("/Groups", {"filter": f'id eq "{engineering.scim_id}"'})

    assert [item["displayName"] for item in response.json()["Resources"]] == ["Engineering"]


def test_member_filter_matches_a_group_once(scim, ann, ben, cat):
    engineering = make_group("Engineering", [ann, ben])
    make_group("Sales", [cat])
    make_group("Empty")

    response = scim.get(
        "/Groups",
        {"filter": f'members[value eq "{ann.scim_id}" or value eq "{ben.scim_id}"]'},
    )

    document = response.json()
    assert document["totalResults"] == 1
    assert [item["id"] for item in document["Resources"]] == [str(engineering.scim_id)]


def test_member_value_filter_finds_each_group_of_a_user(scim, ann, ben):
    first, second = make_group("First", [ann, ben]), make_group("Second", [ann])
    make_group("Third", [ben])

    response = scim.get("/Groups", {"filter": f'members.value eq "{ann.scim_id}"'})

    assert [item["id"] for item in response.json()["Resources"]] == [
        str(first.scim_id),
        str(second.scim_id),
    ]


def test_member_filter_finds_no_group_by_a_member_hidden_from_the_idp(scim, ann, deleted_bob):
    make_group("Engineering", [ann, deleted_bob])
    make_group("Alumni", [deleted_bob])

    by_deleted = scim.get("/Groups", {"filter": f'members[value eq "{deleted_bob.scim_id}"]'})
    with_members = scim.get("/Groups", {"filter": "members pr"})

    assert by_deleted.json() == list_response([])
    assert [item["displayName"] for item in with_members.json()["Resources"]] == ["Engineering"]


def test_pages_through_groups(scim):
    for name in ("A", "B", "C", "D", "E"):
        make_group(name)

    response = scim.get("/Groups", {"startIndex": "2", "count": "2"})

    document = response.json()
    assert (document["totalResults"], document["startIndex"], document["itemsPerPage"]) == (5, 2, 2)
    assert [item["displayName"] for item in document["Resources"]] == ["B", "C"]


def test_last_page_and_count_zero_still_give_the_total(scim):
    for name in ("A", "B", "C"):
        make_group(name)

    last = scim.get("/Groups", {"startIndex": "3", "count": "2"}).json()
    beyond = scim.get("/Groups", {"startIndex": "10", "count": "2"}).json()
    count_only = scim.get("/Groups", {"count": "0"}).json()

    assert (last["totalResults"], last["itemsPerPage"]) == (3, 1)
    assert (beyond["totalResults"], beyond["itemsPerPage"], beyond["Resources"]) == (3, 0, [])
    assert (count_only["totalResults"], count_only["itemsPerPage"]) == (3, 0)


@pytest.mark.parametrize(
    ("order", "names"),
    [("ascending", ["alpha", "Beta", "gamma"]), ("descending", ["gamma", "Beta", "alpha"])],
)
def test_sorts_by_display_name_ignoring_case(scim, order, names):
    for name in ("gamma", "alpha", "Beta"):
        make_group(name)

    response = scim.get("/Groups", {"sortBy": "displayName", "sortOrder": order})

    assert [item["displayName"] for item in response.json()["Resources"]] == names


def test_sorting_by_an_unsortable_attribute_is_refused(scim):
    response = scim.get("/Groups", {"sortBy": "members"})

    assert response.status_code == 400
    assert response.json() == scim_error(
        400,
        "Cannot sort Groups by 'members'; sortable: externalId, meta.created, "
        "meta.lastModified, displayName.",
        "invalidValue",
    )


def test_filtering_on_an_attribute_groups_lack_is_an_invalid_filter(scim):
    response = scim.get("/Groups", {"filter": 'userName eq "x"'})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_attributes_members_shows_members_in_a_list(scim, ann, ben):
    engineering = make_group("Engineering", [ben, ann])
    empty = make_group("Empty")

    response = scim.get("/Groups", {"attributes": "members"})

    assert response.json()["Resources"] == [
        {
            "schemas": [GROUP_SCHEMA],
            "id": str(engineering.scim_id),
            "members": [as_member(ann), as_member(ben)],
        },
        {"schemas": [GROUP_SCHEMA], "id": str(empty.scim_id)},
    ]


def test_searches_by_post(scim, ann):
    group = make_group("Engineering", [ann])
    make_group("Sales")

    response = scim.post(
        "/Groups/.search",
        search_request(filter='displayName eq "ENGINEERING"', attributes=["displayName"]),
    )

    assert response.status_code == 200
    assert response.json() == list_response(
        [{"schemas": [GROUP_SCHEMA], "id": str(group.scim_id), "displayName": "Engineering"}]
    )


# Replace (RFC 7644 §3.5.1) ----------------------------------------------------------------


def test_put_replaces_name_external_id_and_members_writing_only_the_difference(scim, ann, ben, cat):
    group = make_group("Engineering", [ann, ben], external_id="00g1", description="Builds")
    kept = Membership.objects.get(group=group, user=ann)
    payload = {**group_body("Platform", ann, cat, externalId="00g2"), "id": str(group.scim_id)}

    response = scim.put(path(group), payload)

    assert response.status_code == 200
    assert response["ETag"] == 'W/"2"'
    group.refresh_from_db()
    assert frozen_group(body(response)) == resource(
        group, ann, cat, version=2, externalId="00g2", displayName="Platform"
    )
    assert (group.name, group.external_id, group.description) == ("Platform", "00g2", "")
    after = Membership.objects.get(group=group, user=ann)
    assert (after.pk, after.created_at) == (kept.pk, kept.created_at)
    assert member_ids(group) == {ann.scim_id, cat.scim_id}
    [event] = events()
    assert event.event_type == "group.renamed"
    assert event.changes[-1] == {
        "field": "members",
        "added": 1,
        "removed": 1,
        "added_names": ["cat@example.com"],
        "removed_names": ["ben@example.com"],
    }


def test_put_without_id_works(scim, ann):
    group = make_group("Engineering")

    response = scim.put(path(group), group_body("Engineering", ann))

    assert response.status_code == 200
    assert body(response)["members"] == [as_member(ann)]
    assert member_ids(group) == {ann.scim_id}


def test_put_of_the_same_group_changes_nothing(scim, ann):
    group = make_group("Engineering", [ann])

    response = scim.put(path(group), group_body("Engineering", ann))

    assert response["ETag"] == 'W/"1"'
    [event] = events()
    assert (event.changes, event.detail) == ([], "no change")


def test_put_to_another_groups_name_is_a_conflict(scim):
    make_group("Sales")
    group = make_group("Engineering")

    response = scim.put(path(group), group_body("sales"))

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    group.refresh_from_db()
    assert (group.name, group.version) == ("Engineering", 1)


# Patch (RFC 7644 §3.5.2) --------------------------------------------------------------------


def test_patch_renames_and_answers_no_content(scim):
    group = make_group("Engineering")
    rename = {"op": "replace", "value": {"id": str(group.scim_id), "displayName": "Platform"}}

    response = scim.patch(path(group), patch_op(rename))

    assert response.status_code == 204
    assert response.content == b""
    assert response["ETag"] == 'W/"2"'
    group.refresh_from_db()
    assert (group.name, group.version) == ("Platform", 2)
    [event] = events()
    assert (event.event_type, event.changes) == (
        "group.renamed",
        [{"field": "name", "before": "Engineering", "after": "Platform"}],
    )


def test_patch_adds_and_removes_members(scim, ann, ben, cat):
    group = make_group("Engineering", [ann, ben])

    response = scim.patch(path(group), patch_op(add_op(cat.scim_id), remove_op(ann)))

    assert response.status_code == 204
    assert member_ids(group) == {ben.scim_id, cat.scim_id}
    [event] = events()
    assert event.event_type == "group.members"
    assert event.changes == [
        {
            "field": "members",
            "added": 1,
            "removed": 1,
            "added_names": ["cat@example.com"],
            "removed_names": ["ann@example.com"],
        }
    ]


def test_patch_replaces_members(scim, ann, ben, cat):
    group = make_group("Engineering", [ann, ben])
    replace = {"op": "replace", "path": "members", "value": [{"value": str(cat.scim_id)}]}

    scim.patch(path(group), patch_op(replace))

    assert member_ids(group) == {cat.scim_id}


def test_patch_removes_every_member_without_a_value(scim, ann, ben):
    group = make_group("Engineering", [ann, ben])

    scim.patch(path(group), patch_op({"op": "remove", "path": "members"}))

    assert member_ids(group) == set()
    assert User.objects.filter(pk__in=[ann.pk, ben.pk]).count() == 2


def test_patch_with_attributes_answers_the_group(scim, ann):
    group = make_group("Engineering")

    response = scim.patch(
        f"{path(group)}?excludedAttributes=members", patch_op(add_op(ann.scim_id))
    )

    assert response.status_code == 200
    assert frozen_group(body(response)) == resource(group, version=2)


def test_patch_adding_a_present_member_changes_nothing(scim, ann):
    group = make_group("Engineering", [ann])

    response = scim.patch(path(group), patch_op(add_op(ann.scim_id)))

    assert response["ETag"] == 'W/"1"'
    [event] = events()
    assert event.detail == "no change"


def test_unknown_member_ids_among_known_ones_are_skipped_and_named(scim, ann, ben):
    group = make_group("Engineering")
    unknown = ["d1b3a5f0-0000-4000-8000-000000000000", "not-an-id"]

    response = scim.patch(path(group), patch_op(add_op(ann.scim_id, *unknown, ben.scim_id)))

    assert response.status_code == 204
    assert member_ids(group) == {ann.scim_id, ben.scim_id}
    [event] = events()
    assert event.outcome == "success"
    assert event.detail == (
        "Skipped 2 unknown member id(s): not-an-id, d1b3a5f0-0000-4000-8000-000000000000"
    )


def test_a_soft_deleted_user_as_member_is_skipped(scim, ann, deleted_bob):
    group = make_group("Engineering")

    response = scim.patch(path(group), patch_op(add_op(ann.scim_id, deleted_bob.scim_id)))

    assert response.status_code == 204
    assert set(Membership.objects.filter(group=group).values_list("user", flat=True)) == {ann.pk}
    [event] = events()
    assert event.detail == f"Skipped 1 unknown member id(s): {deleted_bob.scim_id}"


def test_a_group_as_member_is_refused_and_nothing_changes(scim, ann):
    group = make_group("Engineering")
    other = make_group("Sales")

    response = scim.patch(path(group), patch_op(add_op(ann.scim_id, other.scim_id)))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert member_ids(group) == set()
    [event] = events()
    assert (event.event_type, event.outcome, event.target_group) == (
        "group.updated",
        "refused",
        group,
    )


def test_patch_of_an_unknown_group_is_not_found(scim, ann):
    response = scim.patch(f"/Groups/{uuid.uuid4()}", patch_op(add_op(ann.scim_id)))

    assert response.status_code == 404


# Delete (RFC 7644 §3.6) ---------------------------------------------------------------------


def test_deletes_group_and_memberships_but_not_users(scim, ann, ben):
    group = make_group("Engineering", [ann, ben])

    response = scim.delete(path(group))

    assert response.status_code == 204
    assert scim.get(path(group)).status_code == 404
    assert scim.delete(path(group)).status_code == 404
    assert not Group.objects.exists()
    assert not Membership.objects.exists()
    assert User.objects.filter(pk__in=[ann.pk, ben.pk]).count() == 2
    deleted = events("group.deleted")
    assert [(e.outcome, e.target_label) for e in deleted] == [
        ("success", "Engineering"),
        ("refused", str(group.scim_id)),
    ]


# Preconditions (RFC 7644 §3.14) --------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_another_version_is_refused_once(scim, ann, method):
    group = make_group("Engineering", [ann])
    send = getattr(scim, method)
    payload = {
        "put": group_body("Platform"),
        "patch": patch_op(remove_op(ann)),
        "delete": None,
    }[method]
    args = (path(group),) if payload is None else (path(group), payload)

    response = send(*args, If_Match='W/"7"')

    assert response.status_code == 412
    assert response.json()["status"] == "412"
    group.refresh_from_db()
    assert (group.name, group.version) == ("Engineering", 1)
    assert member_ids(group) == {ann.scim_id}
    [event] = events()
    assert (event.outcome, event.target_group) == ("refused", group)


def test_if_match_the_current_version_goes_ahead(scim, ann):
    group = make_group("Engineering", [ann])

    response = scim.patch(path(group), patch_op(remove_op(ann)), If_Match='W/"1"')

    assert response.status_code == 204
    assert response["ETag"] == 'W/"2"'


# Users and their groups ---------------------------------------------------------------------


def test_users_groups_attribute_lists_memberships(scim, ann):
    engineering = make_group("Engineering")
    scim.patch(path(engineering), patch_op(add_op(ann.scim_id)))

    response = scim.get(f"/Users/{ann.scim_id}")

    assert response.json()["groups"] == [
        {
            "value": str(engineering.scim_id),
            "$ref": f"{BASE_URL}/Groups/{engineering.scim_id}",
            "display": "Engineering",
            "type": "direct",
        }
    ]
    assert response.json()["schemas"] == [USER_SCHEMA]


def test_soft_deleted_member_is_hidden_until_restored(scim, actor, ann, ben):
    group = make_group("Engineering", [ann, ben])

    accounts.soft_delete_user(ann, actor=actor)
    hidden = body(scim.get(path(group)))["members"]
    accounts.restore_user(ann, actor=actor)
    restored = body(scim.get(path(group)))["members"]

    assert hidden == [as_member(ben)]
    assert restored == [as_member(ann), as_member(ben)]


def test_put_keeps_a_soft_deleted_members_membership_for_its_restore(scim, actor, ann, ben):
    group = make_group("Engineering", [ann, ben])
    accounts.soft_delete_user(ann, actor=actor)

    scim.put(path(group), group_body("Engineering", ben))
    accounts.restore_user(ann, actor=actor)

    assert member_ids(group) == {ann.scim_id, ben.scim_id}


def test_deactivated_user_stays_a_member(scim, actor, ann):
    group = make_group("Engineering", [ann])

    scim.patch(f"/Users/{ann.scim_id}", patch_op({"op": "replace", "value": {"active": False}}))

    assert body(scim.get(path(group)))["members"] == [as_member(ann)]


def test_purging_a_user_removes_its_memberships(scim, actor, ann, ben):
    group = make_group("Engineering", [ann, ben])
    accounts.soft_delete_user(ann, actor=actor)

    accounts.permanently_delete_user(ann, actor=actor)

    assert member_ids(group) == {ben.scim_id}
    assert body(scim.get(path(group)))["members"] == [as_member(ben)]


# Large groups ---------------------------------------------------------------------------------


def test_a_group_of_3000_members_is_answered_in_full(scim):
    group = big_group("Everyone", 3000)
    in_user_order = User.objects.filter(memberships__group=group).order_by("pk")
    expected = [str(scim_id) for scim_id in in_user_order.values_list("scim_id", flat=True)]

    response = scim.get(path(group))

    document = json.loads(b"".join(response.streaming_content))
    assert [item["value"] for item in document["members"]] == expected
    assert len(expected) == 3000
    assert document["members"][-1] == as_member(in_user_order.last())
    assert document["meta"]["location"] == f"{BASE_URL}/Groups/{group.scim_id}"


# Query counts: what a write or a lookup costs does not grow with the group ------------------


def queries_of(scim, method: str, *args: Any, **params: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(scim, method)(*args, **params)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code < 300, response.content
    return len(captured.captured_queries)


@pytest.fixture
def small_and_large(scim) -> tuple[Group, Group]:
    """Groups of 10 and of 1,000 members, and the token's last use already written."""
    small, large = big_group("Small", 10), big_group("Large", 1000)
    scim.get("/Groups", {"count": "1"})
    return small, large


def test_adding_one_member_costs_the_same_for_10_and_1000_members(scim, small_and_large):
    costs = [
        queries_of(scim, "patch", path(group), patch_op(add_op(UserFactory().scim_id)))
        for group in small_and_large
    ]

    # The token; the transaction (2); the group, locked; the user named; which of them is a
    # member already; the insert; the names for the event; the group's version; the event.
    assert costs == [10, 10]


def test_removing_one_member_costs_the_same_for_10_and_1000_members(scim, small_and_large):
    costs = []
    for group in small_and_large:
        member = User.objects.filter(memberships__group=group).first()
        costs.append(queries_of(scim, "patch", path(group), patch_op(remove_op(member))))

    # As for an add, a delete for the insert.
    assert costs == [10, 10]
    assert [Membership.objects.filter(group=g).count() for g in small_and_large] == [9, 999]


def test_get_without_members_costs_the_same_for_10_and_1000_members(scim, small_and_large):
    costs = [
        queries_of(scim, "get", path(group), {"excludedAttributes": "members"})
        for group in small_and_large
    ]

    assert costs == [2, 2]  # the token, the group


def test_lookup_by_name_costs_the_same_for_10_and_1000_members(scim, small_and_large):
    costs = [
        queries_of(
            scim,
            "get",
            "/Groups",
            {"filter": f'displayName eq "{group.name}"', "startIndex": "1", "count": "100"},
        )
        for group in small_and_large
    ]

    assert costs == [2, 2]  # the token, the page (its one row shows the total)


def test_a_list_asking_for_members_reads_them_in_one_query_for_the_page(scim):
    for n in range(5):
        big_group(f"Team{n}", 3)
    scim.get("/Groups", {"count": "1"})  # the token's last use written
    few = queries_of(scim, "get", "/Groups", {"attributes": "members", "count": "1"})

    many = queries_of(scim, "get", "/Groups", {"attributes": "members", "count": "5"})

    assert many == few


# Edges found along the way -----------------------------------------------------------------


def test_a_search_refused_records_no_write(scim):
    response = scim.post("/Groups/.search", search_request(filter="nickName eq 1"))

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(event_type__in=["group.created", "user.created"])


def test_remove_with_an_empty_value_list_removes_nobody(scim, ann, ben):
    group = make_group("Engineering", [ann, ben])

    response = scim.patch(path(group), patch_op({"op": "Remove", "path": "members", "value": []}))

    assert response.status_code == 204
    assert member_ids(group) == {ann.scim_id, ben.scim_id}


def test_removing_a_member_deleted_since_sticks_after_its_restore(scim, actor, ann, ben):
    group = make_group("Engineering", [ann, ben])
    accounts.soft_delete_user(ann, actor=actor)

    response = scim.patch(path(group), patch_op(remove_op(ann)))
    accounts.restore_user(ann, actor=actor)

    assert response.status_code == 204
    assert member_ids(group) == {ben.scim_id}


def test_the_group_id_in_a_rename_may_be_written_in_upper_case(scim):
    group = make_group("Eng")

    response = scim.patch(
        path(group),
        patch_op(
            {"op": "replace", "value": {"id": str(group.scim_id).upper(), "displayName": "R&D"}}
        ),
    )

    assert response.status_code == 204
    group.refresh_from_db()
    assert group.name == "R&D"


def test_a_description_longer_than_2000_characters_is_refused(scim):
    response = scim.post(
        "/Groups", group_body("Eng", **{LMS_GROUP_SCHEMA: {"description": "x" * 2001}})
    )

    assert response.status_code == 400
    assert body(response)["scimType"] == "invalidValue"
    assert "2000" in body(response)["detail"]
    assert not Group.objects.exists()


def test_purging_a_user_takes_its_name_out_of_group_events(scim, actor, ann):
    group = make_group("Engineering")
    scim.patch(path(group), patch_op(add_op(ann.scim_id)))
    accounts.soft_delete_user(ann, actor=actor)

    accounts.permanently_delete_user(ann, actor=actor)

    [added] = events("group.members")
    assert added.changes[0]["added_names"] == [f"purged user {ann.scim_id}"]
    assert "ann@example.com" not in json.dumps(added.changes)


def test_adding_1000_members_in_one_patch_is_one_batched_insert(scim):
    group = make_group("Everyone")
    users = bulk_users(1000)

    with CaptureQueriesContext(connection) as captured:
        response = scim.patch(path(group), patch_op(add_op(*(user.scim_id for user in users))))

    assert response.status_code == 204
    assert len(member_ids(group)) == 1000
    table = Membership._meta.db_table
    inserts = [
        q for q in captured.captured_queries if q["sql"].startswith("INSERT") and table in q["sql"]
    ]
    # One statement where the database takes every row's parameters (PostgreSQL); on SQLite,
    # Django keeps to 999 parameters a statement: batches of 333 rows.
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 4)
