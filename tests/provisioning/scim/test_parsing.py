"""parse_user: a SCIM User payload into its values by storage key (no database)."""

from __future__ import annotations

import pytest

from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA, USER_SCHEMA
from provisioning.scim.errors import InvalidSyntax, InvalidValue
from provisioning.scim.parsing import parse_user


def test_parses_an_okta_create_body():
    body = {
        "schemas": [USER_SCHEMA],
        "userName": "isaac@example.com",
        "name": {"givenName": "Isaac", "familyName": "Brock"},
        "emails": [{"primary": True, "value": "isaac@example.com", "type": "work"}],
        "displayName": "Isaac Brock",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }

    assert parse_user(body) == {
        "username": "isaac@example.com",
        "external_id": "00ujl29u0le5T6Aj10h7",
        "first_name": "Isaac",
        "last_name": "Brock",
        "display_name": "Isaac Brock",
        "email": "isaac@example.com",
        "email_type": "work",
        "email_primary": True,
        "is_active": True,
        "password": "1mz050nq",
        "locale": "en-US",
    }


def test_attribute_names_are_case_insensitive():
    parsed = parse_user({"UserName": "a", "ACTIVE": "False", "Name": {"GIVENNAME": "Ann"}})

    assert parsed == {"username": "a", "is_active": False, "first_name": "Ann"}


def test_ignores_unknown_read_only_and_null_attributes():
    parsed = parse_user(
        {
            "userName": "a",
            "id": "x",
            "meta": {"version": "1"},
            "roles": [],
            "nickName": None,
            "title": None,
            "groups": [{"value": "g"}],
        }
    )

    assert parsed == {"username": "a"}


def test_keeps_the_primary_email_else_the_work_one_else_the_first():
    def chosen(emails):
        return parse_user({"userName": "a", "emails": emails}).get("email")

    assert chosen([{"value": "h@x", "type": "home"}, {"value": "w@x", "type": "work"}]) == "w@x"
    assert chosen([{"value": "w@x", "type": "work"}, {"value": "p@x", "primary": "True"}]) == "p@x"
    assert chosen([{"value": "o@x", "type": "other"}]) == "o@x"
    assert chosen([]) is None


def test_reads_both_extensions():
    parsed = parse_user(
        {
            "userName": "a",
            ENTERPRISE_USER_SCHEMA: {
                "department": "R&D",
                "manager": {"value": "m-1"},
                "employeeNumber": 42,
            },
            LMS_USER_SCHEMA: {"branch": "Sales"},
        }
    )

    assert parsed == {
        "username": "a",
        "department": "R&D",
        "manager_ref": "m-1",
        "employee_number": "42",
        "branches": "Sales",
    }


def test_accepts_entras_bare_manager_id():
    parsed = parse_user({"userName": "a", ENTERPRISE_USER_SCHEMA: {"manager": "m-2"}})

    assert parsed == {"username": "a", "manager_ref": "m-2"}


@pytest.mark.parametrize(
    ("body", "error", "detail"),
    [
        ([], InvalidSyntax, "JSON object"),
        ({}, InvalidValue, "userName is required"),
        ({"userName": "  "}, InvalidValue, "userName is required"),
        ({"userName": 5.5}, InvalidValue, "userName must be a string"),
        ({"userName": "a", "active": "maybe"}, InvalidValue, "active must be a boolean"),
        ({"userName": "a", "emails": "a@x"}, InvalidValue, "emails must be a list"),
        ({"userName": "a", "name": "Ann"}, InvalidValue, "name must be an object"),
        # PostgreSQL refused these with a DataError (a 503); found by the schemathesis run.
        (
            {"userName": "a", LMS_USER_SCHEMA: {"branch": "x\x00"}},
            InvalidValue,
            "branch cannot contain the NUL character",
        ),
        ({"userName": "a", "displayName": "\x00"}, InvalidValue, "displayName cannot contain"),
    ],
)
def test_refuses_malformed_payloads(body, error, detail):
    with pytest.raises(error, match=detail):
        parse_user(body)


def test_reads_entras_booleans_in_any_case():
    parsed = parse_user(
        {"userName": "a", "active": "TRUE", "emails": [{"value": "a@x", "primary": "false"}]}
    )

    assert (parsed["is_active"], parsed["email_primary"]) == (True, False)


def test_what_it_returns_cannot_be_changed():
    with pytest.raises(TypeError):
        parse_user({"userName": "a"})["username"] = "b"  # type: ignore[index]
