"""RFC 7644 §3.5.2 PATCH: checking a PatchOp body and parsing its operations.

Applying the operations to a User resource is tested in test_patch.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.scim import errors
from provisioning.scim.constants import PATCH_OP, USER_SCHEMA
from provisioning.scim.patch import PatchOperation, parse_patch_request, password_set_by


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def test_parses_ops_in_any_case_and_paths() -> None:
    operations = parse_patch_request(
        patch_body(
            {"op": "Add", "path": "name.givenName", "value": "A"},
            {"op": "REMOVE", "path": 'emails[type eq "work"]'},
            {"op": "replace", "value": {"active": False}},
        )
    )
    assert [operation.op for operation in operations] == ["add", "remove", "replace"]
    assert operations[0].path is not None and operations[0].path.attr.sub_attribute == "givenName"
    assert operations[1].path is not None and operations[1].path.value_filter is not None
    assert operations[2] == PatchOperation("replace", None, {"active": False})


def test_allows_exactly_max_operations() -> None:
    body = patch_body(*[{"op": "replace", "path": "active", "value": True}] * 3)
    assert len(parse_patch_request(body, max_operations=3)) == 3


def test_rejects_more_than_max_operations_naming_the_limit() -> None:
    body = patch_body(*[{"op": "replace", "path": "active", "value": True}] * 4)
    with pytest.raises(errors.InvalidValue) as caught:
        parse_patch_request(body, max_operations=3)
    assert caught.value.scim_type == "invalidValue"
    assert "at most 3" in caught.value.detail


PARSE_ERRORS = [
    pytest.param([], errors.InvalidSyntax, id="body-not-an-object"),
    pytest.param(
        {"Operations": [{"op": "add", "value": {}}]}, errors.InvalidSyntax, id="no-schemas"
    ),
    pytest.param(
        {"schemas": [USER_SCHEMA], "Operations": [{"op": "add", "value": {}}]},
        errors.InvalidSyntax,
        id="wrong-schema",
    ),
    pytest.param({"schemas": [PATCH_OP]}, errors.InvalidSyntax, id="no-operations"),
    pytest.param(patch_body(), errors.InvalidSyntax, id="empty-operations"),
    pytest.param(
        {"schemas": [PATCH_OP], "Operations": {"op": "add"}},
        errors.InvalidSyntax,
        id="operations-not-a-list",
    ),
    pytest.param(patch_body("add"), errors.InvalidSyntax, id="operation-not-an-object"),
    pytest.param(patch_body({"path": "active", "value": True}), errors.InvalidSyntax, id="no-op"),
    pytest.param(patch_body({"op": 1, "value": {}}), errors.InvalidSyntax, id="op-not-a-string"),
    pytest.param(
        patch_body({"op": "copy", "path": "active", "value": True}),
        errors.InvalidValue,
        id="unknown-op",
    ),
    pytest.param(
        patch_body({"op": "add", "path": 5, "value": True}), errors.InvalidPath, id="path-not-text"
    ),
    pytest.param(
        patch_body({"op": "add", "path": 'emails[type eq "work"', "value": "x"}),
        errors.InvalidPath,
        id="malformed-path",
    ),
    pytest.param(patch_body({"op": "remove"}), errors.NoTarget, id="remove-without-path"),
    pytest.param(
        patch_body({"op": "Remove", "value": {"active": True}}),
        errors.NoTarget,
        id="remove-without-path-but-value",
    ),
    pytest.param(
        patch_body({"op": "add", "path": "active"}), errors.InvalidValue, id="add-no-value"
    ),
    pytest.param(patch_body({"op": "replace"}), errors.InvalidValue, id="replace-no-value"),
    pytest.param(
        patch_body({"op": "add", "path": "displayName", "value": None}),
        errors.InvalidValue,
        id="add-null-value",
    ),
]


@pytest.mark.parametrize(("body", "error"), PARSE_ERRORS)
def test_rejects_invalid_request(body: Any, error: type[errors.ScimError]) -> None:
    with pytest.raises(error) as caught:
        parse_patch_request(body)
    assert caught.value.scim_type == error.scim_type is not None


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        ([{"op": "replace", "value": {"password": "p1"}}], "p1"),  # Okta's push
        ([{"op": "add", "value": {"PASSWORD": "p1"}}], "p1"),
        ([{"op": "replace", "path": "password", "value": "p2"}], "p2"),
        ([{"op": "replace", "path": f"{USER_SCHEMA}:password", "value": "p3"}], "p3"),
        (
            [
                {"op": "replace", "path": "password", "value": "first"},
                {"op": "replace", "value": {"password": "last"}},
            ],
            "last",
        ),
        ([{"op": "replace", "value": {"active": False}}], None),
        ([{"op": "remove", "path": "password"}], None),
        ([{"op": "replace", "path": "password", "value": ""}], None),
        ([{"op": "replace", "value": {"password": 12345}}], None),
        ([{"op": "replace", "path": "name.givenName", "value": "password"}], None),
    ],
)
def test_password_set_by_finds_the_password_a_patch_sets_plainly(operations, expected):
    parsed = parse_patch_request({"schemas": [PATCH_OP], "Operations": operations})

    assert password_set_by(parsed) == expected
