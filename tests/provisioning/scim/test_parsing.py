"""parse_user: a SCIM User payload into its values by storage key (no database)."""

from __future__ import annotations

import re

import pytest

from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA, USER_SCHEMA
from provisioning.scim.errors import InvalidSyntax, InvalidValue
from provisioning.scim.parsing import parse_user


def parse(body):
    """``parse_user`` of a body that names the User schema, as every IdP's does."""
    return parse_user({"schemas": [USER_SCHEMA], **body} if isinstance(body, dict) else body)


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
        "other_emails": [],
        "is_active": True,
        "password": "1mz050nq",
        "locale": "en-US",
    }


def test_attribute_names_are_case_insensitive():
    parsed = parse({"UserName": "a", "ACTIVE": "False", "Name": {"GIVENNAME": "Ann"}})

    assert parsed == {"username": "a", "is_active": False, "first_name": "Ann"}


def test_ignores_unknown_read_only_and_null_attributes():
    parsed = parse(
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
        return parse({"userName": "a", "emails": emails}).get("email")

    assert chosen([{"value": "h@x", "type": "home"}, {"value": "w@x", "type": "work"}]) == "w@x"
    assert chosen([{"value": "w@x", "type": "work"}, {"value": "p@x", "primary": "True"}]) == "p@x"
    assert chosen([{"value": "o@x", "type": "other"}]) == "o@x"
    assert chosen([]) is None


def test_reads_both_extensions():
    parsed = parse(
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
    parsed = parse({"userName": "a", ENTERPRISE_USER_SCHEMA: {"manager": "m-2"}})

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
        parse(body)


def test_reads_entras_booleans_in_any_case():
    parsed = parse(
        {"userName": "a", "active": "TRUE", "emails": [{"value": "a@x", "primary": "false"}]}
    )

    assert (parsed["is_active"], parsed["email_primary"]) == (True, False)


def test_what_it_returns_cannot_be_changed():
    with pytest.raises(TypeError):
        parse({"userName": "a"})["username"] = "b"  # type: ignore[index]


@pytest.mark.parametrize(
    ("schemas", "detail"),
    [
        (None, "schemas is required"),
        (USER_SCHEMA, "schemas is required"),
        ([], f'schemas must hold "{USER_SCHEMA}"'),
        ([ENTERPRISE_USER_SCHEMA], f'schemas must hold "{USER_SCHEMA}"'),
        (["urn:ietf:params:scim:schemas:core:2.0:Group"], f'schemas must hold "{USER_SCHEMA}"'),
        (
            [USER_SCHEMA, "urn:ietf:params:scim:schemas:core:2.0:Group"],
            "names 'urn:ietf:params:scim:schemas:core:2.0:Group', which is not a schema of a User",
        ),
        ([USER_SCHEMA, "urn:ietf:params:scim:api:messages:2.0:PatchOp"], "not a schema of a User"),
    ],
)
def test_refuses_a_body_that_does_not_say_it_is_a_user(schemas, detail):
    body = {"userName": "a"} if schemas is None else {"schemas": schemas, "userName": "a"}

    with pytest.raises(InvalidValue, match=re.escape(detail)):
        parse_user(body)


def test_takes_the_schemas_in_any_case_and_extensions_it_does_not_know():
    schemas = [USER_SCHEMA.upper(), "urn:example:custom:1.0:User", ENTERPRISE_USER_SCHEMA]

    assert parse_user({"Schemas": schemas, "userName": "a"}) == {"username": "a"}
