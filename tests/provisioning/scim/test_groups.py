"""The Group resource on the wire (no database): ``parse_group`` for POST and PUT bodies,
``interpret_patch`` for PATCH operations (RFC 7644 §3.5.2) as Okta and Entra send them,
``member_ids``, rendering and ``group_projection``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from provisioning.scim import errors
from provisioning.scim.constants import (
    GROUP_SCHEMA,
    LMS_GROUP_SCHEMA,
    OKTA_GROUP_SCHEMA,
    PATCH_OP,
    USER_SCHEMA,
)
from provisioning.scim.group_representation import group_projection, group_resource, member
from provisioning.scim.groups import (
    GroupBody,
    GroupPatch,
    interpret_patch,
    member_ids,
    parse_group,
)
from provisioning.scim.patch import parse_patch_request

GROUP_ID = "6c5bb468-14b2-4183-baf2-06d523e03bd3"
ANN = "2819c223-7f76-453a-919d-413861904646"
BEN = "902c246b-6245-4190-8e05-00816be7344a"
CAT = "0a3b6f29-49b1-4bb1-9a54-84c1bd3a37c4"
BASE_URL = "https://lms.example/api/scim2"


def group(**attributes: Any) -> dict[str, Any]:
    return {"schemas": [GROUP_SCHEMA], **attributes}


def patch(*operations: dict[str, Any]) -> GroupPatch:
    """``interpret_patch`` of a PatchOp message holding ``operations``."""
    message = {"schemas": [PATCH_OP], "Operations": list(operations)}
    return interpret_patch(parse_patch_request(message), group_id=GROUP_ID)


def values(*ids: str) -> list[dict[str, str]]:
    return [{"value": member_id} for member_id in ids]


# parse_group (RFC 7643 §4.2) ----------------------------------------------------------------


def test_parses_okta_create_body_with_members_and_their_display():
    body = group(
        displayName="Engineering",
        externalId="00g1emaKYZTWRYYRRTSK",
        members=[
            {"value": ANN, "display": "ann@example.com"},
            {"value": BEN, "display": "ben@example.com"},
        ],
    )

    assert parse_group(body) == GroupBody(
        {"name": "Engineering", "external_id": "00g1emaKYZTWRYYRRTSK", "description": ""},
        (ANN, BEN),
    )


def test_member_display_and_ref_may_be_null_and_each_id_counts_once():
    body = group(
        displayName="Sales",
        members=[
            {"value": ANN, "display": None, "$ref": None},
            {"value": f" {BEN} ", "type": "User"},
            {"value": ANN},
        ],
    )

    assert parse_group(body).members == (ANN, BEN)


def test_attribute_names_are_case_insensitive():
    body = {"Schemas": [GROUP_SCHEMA], "DISPLAYNAME": "Ops", "ExternalId": "e1", "Members": []}

    assert parse_group(body) == GroupBody(
        {"name": "Ops", "external_id": "e1", "description": ""}, ()
    )


def test_absent_optional_attributes_are_empty_so_a_put_clears_them():
    assert parse_group(group(displayName="Ops")) == GroupBody(
        {"name": "Ops", "external_id": "", "description": ""}, ()
    )


@pytest.mark.parametrize(
    "body",
    [
        {"displayName": "Ops"},
        {"schemas": GROUP_SCHEMA, "displayName": "Ops"},
        {"schemas": [], "displayName": "Ops"},
        {"schemas": [USER_SCHEMA], "displayName": "Ops"},
    ],
    ids=["absent", "not a list", "empty", "user schema only"],
)
def test_schemas_must_name_the_group_schema(body):
    with pytest.raises(errors.InvalidValue) as caught:
        parse_group(body)

    assert "schemas" in caught.value.detail
    assert caught.value.status_code == 400


def test_another_resources_schema_beside_the_group_schema_is_refused():
    with pytest.raises(errors.InvalidValue) as caught:
        parse_group({"schemas": [GROUP_SCHEMA, USER_SCHEMA], "displayName": "Ops"})

    assert USER_SCHEMA in caught.value.detail


@pytest.mark.parametrize("urn", [LMS_GROUP_SCHEMA, OKTA_GROUP_SCHEMA], ids=["ours", "okta"])
def test_description_extension_in_schemas_is_accepted(urn):
    body = {"schemas": [GROUP_SCHEMA, urn], "displayName": "Ops", urn: {"description": "On call"}}

    assert parse_group(body).fields == {"name": "Ops", "external_id": "", "description": "On call"}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (group(), "displayName is required and cannot be empty."),
        (group(displayName=None), "displayName is required and cannot be empty."),
        (group(displayName=""), "displayName is required and cannot be empty."),
        (group(displayName="   "), "displayName is required and cannot be empty."),
        (group(displayName=42), "displayName must be a string."),
    ],
    ids=["absent", "null", "empty", "blank", "number"],
)
def test_display_name_is_required(body, detail):
    with pytest.raises(errors.InvalidValue) as caught:
        parse_group(body)

    assert caught.value.detail == detail


def test_a_body_that_is_not_an_object_is_invalid_syntax():
    with pytest.raises(errors.InvalidSyntax):
        parse_group([group(displayName="Ops")])


@pytest.mark.parametrize(
    "members",
    [
        "2819c223",
        [ANN],
        [{"display": "ann@example.com"}],
        [{"value": ""}],
        [{"value": 7}],
    ],
    ids=["string", "bare ids", "no value", "empty value", "number"],
)
def test_malformed_members_are_invalid_values(members):
    with pytest.raises(errors.InvalidValue):
        parse_group(group(displayName="Ops", members=members))


def test_one_member_object_is_read_as_a_list_of_one():
    assert member_ids({"value": ANN}) == (ANN,)


@pytest.mark.parametrize(
    "element",
    [
        {"value": CAT, "type": "Group"},
        {"value": CAT, "type": "group"},
        {"value": CAT, "$ref": f"{BASE_URL}/Groups/{CAT}"},
    ],
    ids=["type Group", "type group", "$ref to /Groups/"],
)
def test_a_group_as_a_member_is_refused(element):
    with pytest.raises(errors.InvalidValue) as caught:
        parse_group(group(displayName="Ops", members=[element]))

    assert "nest" in caught.value.detail


def test_ignored_attributes_are_named_and_read_only_ones_are_not():
    body = group(
        id="client-chosen",
        meta={"resourceType": "Group"},
        displayName="Ops",
        owner="carol",
        nickName=None,
        labels=[],
    )
    body[OKTA_GROUP_SCHEMA] = {"description": "On call", "colour": "teal"}

    parsed = parse_group(body)

    assert parsed.fields["description"] == "On call"
    assert parsed.ignored == ("owner", f"{OKTA_GROUP_SCHEMA}:colour")


@pytest.mark.parametrize("urn", [LMS_GROUP_SCHEMA, OKTA_GROUP_SCHEMA.upper()])
def test_description_as_a_full_path_attribute(urn):
    body = group(displayName="Ops", **{f"{urn}:description": "On call"})

    assert parse_group(body).fields["description"] == "On call"


# interpret_patch: fields ------------------------------------------------------------------------


def test_okta_renames_without_path_sending_id_and_display_name():
    operation = {"op": "replace", "value": {"id": GROUP_ID, "displayName": "Engineering EMEA"}}

    assert patch(operation) == GroupPatch({"name": "Engineering EMEA"})


def test_a_rename_naming_another_id_is_a_mutability_error():
    operation = {"op": "replace", "value": {"id": CAT, "displayName": "Engineering"}}

    with pytest.raises(errors.Mutability):
        patch(operation)


def test_replacing_id_by_path_is_a_mutability_error():
    with pytest.raises(errors.Mutability):
        patch({"op": "replace", "path": "id", "value": CAT})


def test_display_name_by_path_including_the_core_urn():
    operation = {"op": "replace", "path": f"{GROUP_SCHEMA}:displayName", "value": "Ops"}

    assert patch(operation) == GroupPatch({"name": "Ops"})


def test_external_id_is_replaced_and_removed_by_path():
    assert patch({"op": "replace", "path": "externalId", "value": "e2"}).fields == {
        "external_id": "e2"
    }
    assert patch({"op": "remove", "path": "externalId"}).fields == {"external_id": ""}


def test_removing_display_name_is_a_mutability_error():
    with pytest.raises(errors.Mutability):
        patch({"op": "remove", "path": "displayName"})


def test_an_empty_display_name_is_invalid():
    with pytest.raises(errors.InvalidValue):
        patch({"op": "replace", "path": "displayName", "value": " "})


@pytest.mark.parametrize(
    "path", ["nickName", "meta.created", f"{OKTA_GROUP_SCHEMA}:colour", f"{USER_SCHEMA}:userName"]
)
def test_an_unknown_path_is_invalid_path(path):
    with pytest.raises(errors.InvalidPath):
        patch({"op": "replace", "path": path, "value": "x"})


EXTENSIONS = pytest.mark.parametrize(
    "urn", [OKTA_GROUP_SCHEMA, LMS_GROUP_SCHEMA], ids=["okta", "ours"]
)


@EXTENSIONS
def test_description_as_nested_extension_object(urn):
    operation = {"op": "replace", "value": {urn: {"description": "On call"}}}

    assert patch(operation) == GroupPatch({"description": "On call"})


@EXTENSIONS
def test_description_as_extension_path_without_path(urn):
    operation = {"op": "replace", "value": {f"{urn}:description": "On call"}}

    assert patch(operation) == GroupPatch({"description": "On call"})


@EXTENSIONS
def test_description_by_extension_path(urn):
    operation = {"op": "replace", "path": f"{urn}:description", "value": "On call"}

    assert patch(operation) == GroupPatch({"description": "On call"})
    assert patch({"op": "remove", "path": f"{urn}:description"}) == GroupPatch({"description": ""})


def test_unknown_attributes_without_path_are_ignored_and_named():
    operation = {"op": "replace", "value": {"displayName": "Ops", "owner": "carol", "x": None}}

    assert patch(operation) == GroupPatch({"name": "Ops"}, ignored=("owner",))


# interpret_patch: members -----------------------------------------------------------------------


def test_adds_members_by_path_and_value_list():
    operation = {"op": "add", "path": "members", "value": values(ANN, BEN)}

    assert patch(operation) == GroupPatch({}, add=(ANN, BEN))


def test_adds_members_without_path():
    assert patch({"op": "add", "value": {"members": values(ANN)}}) == GroupPatch({}, add=(ANN,))


def test_removes_one_member_by_filter():
    operation = {"op": "remove", "path": f'members[value eq "{ANN}"]'}

    assert patch(operation) == GroupPatch({}, remove=(ANN,))


def test_removes_members_by_filter_joined_with_or():
    operation = {"op": "remove", "path": f'members[value eq "{ANN}" or value eq "{BEN}"]'}

    assert patch(operation) == GroupPatch({}, remove=(ANN, BEN))


@pytest.mark.parametrize(
    "path",
    [
        'members[display eq "ann@example.com"]',
        f'members[value ne "{ANN}"]',
        f'members[value eq "{ANN}" and value eq "{BEN}"]',
        'members[value sw "2819"]',
        "members[value pr]",
    ],
)
def test_other_member_filters_are_invalid_filters(path):
    with pytest.raises(errors.InvalidFilter):
        patch({"op": "remove", "path": path})


def test_a_filter_does_not_select_members_to_add():
    with pytest.raises(errors.InvalidPath):
        patch({"op": "add", "path": f'members[value eq "{ANN}"]', "value": values(ANN)})


def test_a_member_sub_attribute_is_not_a_target():
    with pytest.raises(errors.InvalidPath):
        patch({"op": "replace", "path": f'members[value eq "{ANN}"].display', "value": "x"})


def test_entra_remove_with_path_members_removes_those_listed_only():
    # Entra: {"op": "Remove", "path": "members", "value": [{"value": "<id>"}, ...]}.
    operation = {"op": "Remove", "path": "members", "value": values(ANN, BEN)}

    assert patch(operation) == GroupPatch({}, remove=(ANN, BEN))


def test_remove_members_without_value_removes_every_member():
    assert patch({"op": "remove", "path": "members"}) == GroupPatch({}, replace=())


def test_replaces_members_with_the_list_sent():
    operation = {"op": "replace", "path": "members", "value": values(ANN, BEN)}

    assert patch(operation) == GroupPatch({}, replace=(ANN, BEN))


def test_replaces_members_without_path():
    operation = {"op": "replace", "value": {"members": values(BEN)}}

    assert patch(operation) == GroupPatch({}, replace=(BEN,))


@pytest.mark.parametrize("op", ["Add", "ADD", "add"])
def test_op_names_are_case_insensitive_for_entra(op):
    assert patch({"op": op, "path": "members", "value": values(ANN)}) == GroupPatch({}, add=(ANN,))


def test_replace_then_add_then_remove_apply_in_order():
    operations = [
        {"op": "replace", "path": "members", "value": values(ANN, BEN)},
        {"op": "add", "path": "members", "value": values(CAT)},
        {"op": "remove", "path": f'members[value eq "{ANN}"]'},
    ]

    assert patch(*operations) == GroupPatch({}, replace=(BEN, CAT))


def test_a_replace_after_adds_and_removes_discards_them():
    operations = [
        {"op": "add", "path": "members", "value": values(ANN)},
        {"op": "remove", "path": f'members[value eq "{BEN}"]'},
        {"op": "replace", "path": "members", "value": values(CAT)},
    ]

    assert patch(*operations) == GroupPatch({}, replace=(CAT,))


def test_the_last_of_an_add_and_a_remove_of_one_member_wins():
    add = {"op": "add", "path": "members", "value": values(ANN)}
    remove = {"op": "remove", "path": f'members[value eq "{ANN}"]'}

    assert patch(add, remove) == GroupPatch({}, remove=(ANN,))
    assert patch(remove, add) == GroupPatch({}, add=(ANN,))


def test_a_group_added_as_a_member_is_refused():
    operation = {"op": "add", "path": "members", "value": [{"value": CAT, "type": "Group"}]}

    with pytest.raises(errors.InvalidValue):
        patch(operation)


def test_members_changed_says_whether_members_are_touched():
    assert not GroupPatch({"name": "Ops"}).members_changed
    assert GroupPatch({}, add=(ANN,)).members_changed
    assert GroupPatch({}, replace=()).members_changed


# Rendering (RFC 7643 §4.2) ------------------------------------------------------------------


VIEW = {
    "scim_id": GROUP_ID,
    "name": "Ops",
    "external_id": "e1",
    "description": "On call",
    "created_at": dt.datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC),
    "updated_at": dt.datetime(2025, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
    "version": 4,
}


def test_renders_the_group_without_members():
    assert group_resource(VIEW, base_url=BASE_URL) == {
        "schemas": [GROUP_SCHEMA, LMS_GROUP_SCHEMA],
        "id": GROUP_ID,
        "externalId": "e1",
        "displayName": "Ops",
        LMS_GROUP_SCHEMA: {"description": "On call"},
        "meta": {
            "resourceType": "Group",
            "created": "2025-01-02T03:04:05.678Z",
            "lastModified": "2025-02-03T04:05:06.000Z",
            "location": f"{BASE_URL}/Groups/{GROUP_ID}",
            "version": 'W/"4"',
        },
    }


def test_leaves_out_empty_external_id_and_description():
    resource = group_resource({**VIEW, "external_id": "", "description": ""}, base_url=BASE_URL)

    assert resource["schemas"] == [GROUP_SCHEMA]
    assert list(resource) == ["schemas", "id", "displayName", "meta"]


def test_renders_a_member_without_a_display():
    # RFC 7643 §8.7.1's sub-attributes; a display sent by the IdP is not kept.
    assert member(ANN, base_url=BASE_URL) == {
        "value": ANN,
        "$ref": f"{BASE_URL}/Users/{ANN}",
        "type": "User",
    }


# group_projection (RFC 7644 §3.4.2.5) -------------------------------------------------------


def test_a_single_group_shows_members_unless_excluded():
    assert group_projection([], [], members_by_default=True).members
    assert not group_projection([], ["members"], members_by_default=True).members
    assert not group_projection([], [], members_by_default=False).members


def test_attributes_keep_only_what_they_name_and_id_and_schemas():
    shape = group_projection(["displayName"], [], members_by_default=True)

    assert not shape.members
    assert shape.apply(group_resource(VIEW, base_url=BASE_URL)) == {
        "schemas": [GROUP_SCHEMA, LMS_GROUP_SCHEMA],
        "id": GROUP_ID,
        "displayName": "Ops",
    }


def test_attributes_naming_members_show_them_in_a_list():
    shape = group_projection(["members"], [], members_by_default=False)

    assert shape.members
    assert shape.member_keys is None


def test_attributes_naming_a_member_sub_attribute_keep_only_it():
    shape = group_projection([f"{GROUP_SCHEMA}:members.value"], [], members_by_default=False)

    assert shape.members
    assert shape.member(member(ANN, base_url=BASE_URL)) == {"value": ANN}


def test_excluded_attributes_drop_what_they_name_but_never_id():
    shape = group_projection([], ["externalId", "id", LMS_GROUP_SCHEMA], members_by_default=True)

    assert shape.apply(group_resource(VIEW, base_url=BASE_URL)) == {
        "schemas": [GROUP_SCHEMA, LMS_GROUP_SCHEMA],
        "id": GROUP_ID,
        "displayName": "Ops",
        "meta": group_resource(VIEW, base_url=BASE_URL)["meta"],
    }


def test_excluded_attributes_may_name_the_core_urn():
    shape = group_projection(
        [], [f"{GROUP_SCHEMA}:externalId", f"{GROUP_SCHEMA}:members"], members_by_default=True
    )

    assert not shape.members
    assert "externalId" not in shape.apply(group_resource(VIEW, base_url=BASE_URL))


def test_excluding_a_member_sub_attribute_keeps_the_members():
    assert group_projection([], ["members.display"], members_by_default=True).members
