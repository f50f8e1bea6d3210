"""RFC 7644 §3.5.2 PATCH: applying operations to a User resource.

Bodies mirror what Okta and Microsoft Entra ID really send. Every successful case compares the
whole resulting document with the starting one plus the expected top-level changes. Checking
and parsing the PatchOp body is tested in test_patch_operations.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from provisioning.scim import errors
from provisioning.scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    LMS_USER_SCHEMA,
    PATCH_OP,
    USER_SCHEMA,
)
from provisioning.scim.patch import PatchOperation, apply_patch, parse_patch_request

ENTERPRISE = ENTERPRISE_USER_SCHEMA
LMS = LMS_USER_SCHEMA
DELETED = object()

ALICE: dict[str, Any] = {
    "schemas": [USER_SCHEMA, ENTERPRISE, LMS],
    "id": "2f1c9a4e-0d6b-4c1e-9a55-7b3f4e8d2a10",
    "externalId": "00u1abcdEFGH",
    "userName": "alice@example.com",
    "name": {"formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alice"},
    "displayName": "Alice Liddell",
    "emails": [
        {"value": "alice@example.com", "type": "work", "primary": True},
        {"value": "alice@home.example", "type": "home"},
    ],
    "active": True,
    "locale": "en-GB",
    "groups": [{"value": "g1", "display": "Learners"}],
    ENTERPRISE: {
        "employeeNumber": "1001",
        "department": "Research",
        "manager": {"value": "m-1", "displayName": "Bob Manager"},
    },
    LMS: {"branch": "Oxford"},
    "meta": {
        "resourceType": "User",
        "created": "2025-01-02T03:04:05Z",
        "lastModified": "2025-01-02T03:04:05Z",
        "location": "https://lms.example.com/api/scim2/Users/2f1c9a4e-0d6b-4c1e-9a55-7b3f4e8d2a10",
        "version": 'W/"1"',
    },
}

INACTIVE_ALICE = {**ALICE, "active": False}
# A user created without any email: Entra's first work-email PATCH must create one.
CAROL: dict[str, Any] = {
    "schemas": [USER_SCHEMA],
    "id": "7d0e1f55-3b1a-4e0f-8c2d-0a9b8c7d6e5f",
    "userName": "carol",
    "active": True,
}
ONLY_HOME_EMAIL = {**ALICE, "emails": [{"value": "alice@home.example", "type": "home"}]}


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def okta_deactivate_patch() -> dict[str, Any]:
    return patch_body({"op": "replace", "value": {"active": False}})


def okta_reactivate_patch() -> dict[str, Any]:
    return patch_body({"op": "replace", "value": {"active": True}})


def okta_password_patch(password: str) -> dict[str, Any]:
    return patch_body({"op": "replace", "value": {"password": password}})


def entra_patch(*operations: dict[str, Any]) -> dict[str, Any]:
    """Entra ID: capitalised ops, booleans as strings, lower-case "operations" seen too."""
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def patched(body: dict[str, Any], start: dict[str, Any] = ALICE) -> dict[str, Any]:
    return apply_patch(start, parse_patch_request(body))


def edited(start: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``start`` with top-level keys replaced (or removed, for ``DELETED``)."""
    result = copy.deepcopy(start)
    for key, value in changes.items():
        if value is DELETED:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def email(value: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "type": type_, **extra}


WORK = email("alice@example.com", "work", primary=True)
HOME = email("alice@home.example", "home")

SUCCESS_CASES = [
    pytest.param(okta_deactivate_patch(), ALICE, {"active": False}, id="okta-deactivate"),
    pytest.param(
        patch_body({"op": "replace", "path": "active", "value": False}),
        ALICE,
        {"active": False},
        id="okta-deactivate-with-path",
    ),
    pytest.param(okta_reactivate_patch(), INACTIVE_ALICE, {"active": True}, id="okta-reactivate"),
    pytest.param(
        okta_password_patch("N3w-secret!"), ALICE, {"password": "N3w-secret!"}, id="okta-password"
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "password", "value": "N3w-secret!"}),
        ALICE,
        {"password": "N3w-secret!"},
        id="okta-password-with-path",
    ),
    pytest.param(
        entra_patch({"op": "Replace", "path": "active", "value": "False"}),
        ALICE,
        {"active": False},
        id="entra-capitalised-op-and-false-string",
    ),
    pytest.param(
        entra_patch({"op": "REPLACE", "path": "Active", "value": "True"}),
        INACTIVE_ALICE,
        {"active": True},
        id="entra-true-string",
    ),
    pytest.param(
        {"schemas": [PATCH_OP], "operations": [{"op": "Add", "value": {"active": "false"}}]},
        ALICE,
        {"active": False},
        id="entra-lower-case-operations-key",
    ),
    pytest.param(
        entra_patch(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "a.l@example.com"}
        ),
        ALICE,
        {"emails": [email("a.l@example.com", "work", primary=True), HOME]},
        id="entra-work-email-replaced",
    ),
    pytest.param(
        entra_patch(
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": "carol@example.com"}
        ),
        CAROL,
        {"emails": [email("carol@example.com", "work", primary=True)]},
        id="entra-work-email-created-as-only-primary",
    ),
    pytest.param(
        entra_patch(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "a@example.com"}
        ),
        ONLY_HOME_EMAIL,
        {"emails": [HOME, email("a@example.com", "work")]},
        id="entra-work-email-created-next-to-home",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "name.givenName", "value": "Alicia"}),
        ALICE,
        {"name": {"formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alicia"}},
        id="sub-attribute-path",
    ),
    pytest.param(
        patch_body({"op": "add", "path": "NAME.givenname", "value": "Alicia"}),
        ALICE,
        {"name": {"formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alicia"}},
        id="sub-attribute-path-any-case",
    ),
    pytest.param(
        patch_body({"op": "replace", "value": {"name.givenName": "Al", "name.familyName": "L"}}),
        ALICE,
        {"name": {"formatted": "Alice Liddell", "familyName": "L", "givenName": "Al"}},
        id="no-path-dotted-keys",
    ),
    pytest.param(
        patch_body(
            {"op": "replace", "value": {"UserName": "alice@new.example", "DISPLAYNAME": "A"}}
        ),
        ALICE,
        {"userName": "alice@new.example", "displayName": "A"},
        id="no-path-keys-any-case-stored-canonically",
    ),
    pytest.param(
        patch_body({"op": "replace", "value": {"name": {"givenName": "Alicia"}}}),
        ALICE,
        {"name": {"formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alicia"}},
        id="no-path-complex-replaces-only-given-sub-attributes",
    ),
    pytest.param(
        patch_body({"op": "replace", "value": {f"{ENTERPRISE}:department": "Sales"}}),
        ALICE,
        {ENTERPRISE: {**ALICE[ENTERPRISE], "department": "Sales"}},
        id="no-path-urn-qualified-key",
    ),
    pytest.param(
        patch_body(
            {
                "op": "add",
                "value": {
                    ENTERPRISE: {"costCenter": "CC-7", "Division": "North"},
                    LMS: {"branch": "Leeds"},
                },
            }
        ),
        ALICE,
        {
            ENTERPRISE: {**ALICE[ENTERPRISE], "costCenter": "CC-7", "division": "North"},
            LMS: {"branch": "Leeds"},
        },
        id="no-path-extension-urn-object",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": f"{ENTERPRISE}:manager.value", "value": "m-2"}),
        ALICE,
        {
            ENTERPRISE: {
                **ALICE[ENTERPRISE],
                "manager": {"value": "m-2", "displayName": "Bob Manager"},
            }
        },
        id="urn-qualified-sub-attribute-path",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Sales"}),
        ALICE,
        {ENTERPRISE: {**ALICE[ENTERPRISE], "department": "Sales"}},
        id="urn-qualified-path",
    ),
    pytest.param(
        entra_patch({"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "m-3"}),
        CAROL,
        {"schemas": [USER_SCHEMA, ENTERPRISE], ENTERPRISE: {"manager": {"value": "m-3"}}},
        id="entra-bare-manager-id-creates-and-declares-extension",
    ),
    pytest.param(
        patch_body({"op": "add", "path": f"{LMS}:branch", "value": "Leeds"}),
        ALICE,
        {LMS: {"branch": "Leeds"}},
        id="lms-extension-branch",
    ),
    pytest.param(
        patch_body({"op": "add", "path": "emails", "value": [email("a@other.example", "other")]}),
        ALICE,
        {"emails": [WORK, HOME, email("a@other.example", "other")]},
        id="add-appends-to-multi-valued",
    ),
    pytest.param(
        patch_body({"op": "add", "path": "emails", "value": email("ALICE@home.example", "home")}),
        ALICE,
        {},
        id="add-does-not-duplicate-an-equal-value",
    ),
    pytest.param(
        patch_body(
            {
                "op": "add",
                "path": "emails",
                "value": email("ALICE@home.example", "home", primary=True),
            }
        ),
        ALICE,
        {"emails": [{**WORK, "primary": False}, {**HOME, "primary": True}]},
        id="add-equal-value-takes-its-other-sub-attributes",
    ),
    pytest.param(
        entra_patch({"op": "Remove", "path": "emails", "value": [{"value": "alice@home.example"}]}),
        ALICE,
        {"emails": [WORK]},
        id="entra-remove-with-value-drops-only-those-values",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": ENTERPRISE, "value": {"department": "Sales"}}),
        ALICE,
        {ENTERPRISE: {**ALICE[ENTERPRISE], "department": "Sales"}},
        id="extension-urn-as-path",
    ),
    pytest.param(
        patch_body({"op": "remove", "path": LMS}),
        ALICE,
        {"schemas": [USER_SCHEMA, ENTERPRISE], LMS: DELETED},
        id="remove-extension-urn-path",
    ),
    pytest.param(
        patch_body(
            {"op": "add", "path": "emails", "value": email("a@new.example", "work", primary=True)}
        ),
        ALICE,
        {
            "emails": [
                {**WORK, "primary": False},
                HOME,
                email("a@new.example", "work", primary=True),
            ]
        },
        id="add-primary-clears-the-old-primary",
    ),
    pytest.param(
        entra_patch({"op": "Replace", "path": 'emails[type eq "home"].primary', "value": "True"}),
        ALICE,
        {"emails": [{**WORK, "primary": False}, {**HOME, "primary": True}]},
        id="last-primary-set-wins",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "emails", "value": [email("a@x.example", "work")]}),
        ALICE,
        {"emails": [email("a@x.example", "work")]},
        id="replace-whole-list",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "emails", "value": [WORK, {**HOME, "primary": True}]}),
        ALICE,
        {"emails": [{**WORK, "primary": False}, {**HOME, "primary": True}]},
        id="replace-with-two-primaries-keeps-the-last",
    ),
    pytest.param(
        patch_body(
            {
                "op": "replace",
                "path": 'emails[type eq "home"]',
                "value": email("h@x.example", "home"),
            }
        ),
        ALICE,
        {"emails": [WORK, email("h@x.example", "home")]},
        id="replace-matching-element",
    ),
    pytest.param(
        patch_body({"op": "remove", "path": 'emails[type eq "home"]'}),
        ALICE,
        {"emails": [WORK]},
        id="remove-matching-elements",
    ),
    pytest.param(
        patch_body({"op": "remove", "path": 'emails[type eq "work"].primary'}),
        ALICE,
        {"emails": [email("alice@example.com", "work"), HOME]},
        id="remove-sub-attribute-of-matching-elements",
    ),
    pytest.param(
        patch_body({"op": "remove", "path": "emails"}),
        ALICE,
        {"emails": DELETED},
        id="remove-multi-valued-attribute",
    ),
    pytest.param(
        patch_body({"op": "remove", "path": "name.givenName"}),
        ALICE,
        {"name": {"formatted": "Alice Liddell", "familyName": "Liddell"}},
        id="remove-sub-attribute",
    ),
    pytest.param(
        patch_body({"op": "remove", "path": f"{ENTERPRISE}:department"}),
        ALICE,
        {ENTERPRISE: {"employeeNumber": "1001", "manager": ALICE[ENTERPRISE]["manager"]}},
        id="remove-extension-attribute",
    ),
    pytest.param(
        patch_body({"op": "remove", "path": f"{LMS}:branch"}),
        ALICE,
        {"schemas": [USER_SCHEMA, ENTERPRISE], LMS: DELETED},
        id="remove-last-extension-attribute-drops-the-extension",
    ),
    pytest.param(
        patch_body(
            {"op": "remove", "path": "timezone"},
            {"op": "remove", "path": 'emails[type eq "other"]'},
            {"op": "remove", "path": f"{ENTERPRISE}:costCenter"},
        ),
        ALICE,
        {},
        id="removing-something-absent-changes-nothing",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "displayName", "value": None}),
        ALICE,
        {"displayName": DELETED},
        id="replace-with-null-unassigns",
    ),
    pytest.param(
        patch_body(
            {"op": "replace", "path": "meta.version", "value": 'W/"9"'},
            {"op": "replace", "path": "groups", "value": [{"value": "g2"}]},
            {"op": "replace", "path": "meta.lastModified", "value": "2026-01-01T00:00:00Z"},
            {"op": "add", "value": {"x509Certificates": [], "urn:example:custom:1.0:User:a": 1}},
        ),
        ALICE,
        {},
        id="read-only-attributes-and-unknown-keys-of-a-value-ignored",
    ),
    pytest.param(
        patch_body({"op": "replace", "value": {"active": False, "ims": [], "meta": {}}}),
        ALICE,
        {"active": False},
        id="unknown-keys-ignored-next-to-known-ones",
    ),
    pytest.param(
        entra_patch(
            {"op": "Replace", "path": "displayName", "value": "Alicia Liddell"},
            {"op": "Replace", "path": "name.givenName", "value": "Alicia"},
            {"op": "Add", "path": f"{ENTERPRISE}:employeeNumber", "value": "2002"},
            {"op": "Replace", "path": "active", "value": "False"},
        ),
        ALICE,
        {
            "displayName": "Alicia Liddell",
            "name": {"formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alicia"},
            ENTERPRISE: {**ALICE[ENTERPRISE], "employeeNumber": "2002"},
            "active": False,
        },
        id="entra-update-batch",
    ),
]


@pytest.mark.parametrize(("body", "start", "changes"), SUCCESS_CASES)
def test_applies_patch(body: dict, start: dict, changes: dict) -> None:
    assert patched(body, start) == edited(start, changes)


def test_leaves_input_untouched_on_success() -> None:
    snapshot = copy.deepcopy(ALICE)
    patched(okta_deactivate_patch())
    assert snapshot == ALICE


def test_is_atomic_when_a_later_operation_fails() -> None:
    resource = copy.deepcopy(ALICE)
    snapshot = copy.deepcopy(resource)
    operations = parse_patch_request(
        patch_body(
            {"op": "replace", "path": "active", "value": False},
            {"op": "remove", "path": 'emails[type eq "home"]'},
            {"op": "replace", "path": "id", "value": "another"},
        )
    )
    with pytest.raises(errors.Mutability):
        apply_patch(resource, operations)
    assert resource == snapshot


APPLY_ERRORS = [
    pytest.param(
        patch_body({"op": "replace", "path": "id", "value": "x"}),
        errors.Mutability,
        id="replace-id",
    ),
    pytest.param(patch_body({"op": "remove", "path": "ID"}), errors.Mutability, id="remove-id"),
    pytest.param(
        patch_body({"op": "add", "value": {"id": ALICE["id"], "active": False}}),
        errors.Mutability,
        id="id-in-path-less-value",
    ),
    pytest.param(
        entra_patch({"op": "Replace", "path": "active", "value": "No"}),
        errors.InvalidValue,
        id="boolean-from-other-string",
    ),
    pytest.param(
        patch_body({"op": "replace", "value": {"active": 0}}),
        errors.InvalidValue,
        id="boolean-from-number",
    ),
    pytest.param(
        patch_body({"op": "add", "path": "emails", "value": {"value": "a@x", "primary": "yes"}}),
        errors.InvalidValue,
        id="sub-attribute-boolean",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "userName", "value": {"value": "x"}}),
        errors.InvalidValue,
        id="object-for-string",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "name", "value": ["Alice"]}),
        errors.InvalidValue,
        id="array-for-complex",
    ),
    pytest.param(
        patch_body({"op": "replace", "value": "inactive"}),
        errors.InvalidValue,
        id="path-less-value-not-an-object",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": 'emails[value eq "x@y"].type', "value": "home"}),
        errors.NoTarget,
        id="filter-matches-nothing",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": 'userName[value eq "x"]', "value": "y"}),
        errors.InvalidPath,
        id="filter-on-single-valued-attribute",
    ),
    pytest.param(
        patch_body({"op": "add", "path": "x509Certificates", "value": [{"value": "MIIB"}]}),
        errors.InvalidPath,
        id="path-to-an-attribute-not-kept",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "name.nickName", "value": "Al"}),
        errors.InvalidPath,
        id="path-to-a-sub-attribute-not-declared",
    ),
    pytest.param(
        patch_body({"op": "remove", "path": 'phoneNumbers[type eq "work"].extension'}),
        errors.InvalidPath,
        id="path-to-an-element-key-not-declared",
    ),
    pytest.param(
        patch_body({"op": "replace", "path": "urn:example:custom:1.0:User:colour", "value": "x"}),
        errors.InvalidPath,
        id="path-in-a-schema-not-served",
    ),
]


@pytest.mark.parametrize(("body", "error"), APPLY_ERRORS)
def test_rejects_invalid_change(body: dict, error: type[errors.ScimError]) -> None:
    operations = parse_patch_request(body)
    with pytest.raises(error) as caught:
        apply_patch(ALICE, operations)
    assert caught.value.scim_type == error.scim_type is not None


def test_apply_rejects_remove_without_path_built_by_hand() -> None:
    with pytest.raises(errors.NoTarget):
        apply_patch(ALICE, [PatchOperation("remove", None)])


def test_replacing_with_two_primaries_again_changes_nothing() -> None:
    # Found by tests/provisioning/scim/test_properties.py: the second replace used to make the
    # other element primary, as it alone looked newly set.
    body = patch_body(
        {"op": "replace", "path": "emails", "value": [WORK, {**HOME, "primary": True}]}
    )
    once = patched(body)

    assert patched(body, once) == once
