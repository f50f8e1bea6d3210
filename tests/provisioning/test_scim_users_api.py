"""/api/scim2/Users over HTTP (RFC 7644 §3.3-§3.6, §3.4.2-§3.4.3, §3.12, §3.14).

Bodies are what Okta and Microsoft Entra ID really send (tests/provisioning/payloads.py).
Responses are compared as whole documents, with ids and timestamps frozen (see ``freeze``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Group, User, UserType
from provisioning import queries, services
from provisioning.scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    LMS_USER_SCHEMA,
    MAX_COUNT,
    MEDIA_TYPE,
    PATCH_OP,
    USER_SCHEMA,
)
from tests.factories import BranchFactory, UserFactory, account_settings, user_type
from tests.provisioning.payloads import (
    BASE_URL,
    ENTERPRISE_DEPARTMENT,
    ENTRA_WORK_EMAIL,
    STRONG_PASSWORD,
    entra_create_user,
    entra_op,
    entra_patch,
    list_response,
    lms_branch,
    okta_create_user,
    okta_deactivate_patch,
    okta_password_patch,
    okta_put_user,
    okta_reactivate_patch,
    patch_op,
    scim_error,
    search_request,
)

pytestmark = pytest.mark.django_db

FACTORY_PASSWORD = "correct horse battery staple"
DROP = object()


def meta(version: int = 1) -> dict[str, Any]:
    return {
        "resourceType": "User",
        "created": "<timestamp>",
        "lastModified": "<timestamp>",
        "location": f"{BASE_URL}/Users/<id>",
        "version": f'W/"{version}"',
    }


# The ``alice`` fixture (tests/conftest.py) as the API shows her.
ALICE: dict[str, Any] = {
    "schemas": [USER_SCHEMA],
    "id": "<id>",
    "userName": "alice@example.com",
    "name": {"familyName": "Liddell", "givenName": "Alice"},
    "emails": [{"value": "alice@example.com", "type": "work", "primary": True}],
    "active": True,
    "timezone": "UTC",
    "userType": "Learner-Type",
    "preferredLanguage": "en",
    "meta": meta(1),
}

# okta_create_user("carol@example.com", "Carol", "Jones", "carol@example.com") once created.
CAROL: dict[str, Any] = {
    "schemas": [USER_SCHEMA],
    "id": "<id>",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "userName": "carol@example.com",
    "name": {"familyName": "Jones", "givenName": "Carol"},
    "displayName": "Carol Jones",
    "emails": [{"value": "carol@example.com", "type": "work", "primary": True}],
    "active": True,
    "timezone": "UTC",
    "userType": "Learner-Type",
    "preferredLanguage": "en",
    "locale": "en-US",
    "meta": meta(1),
}


def revised(document: dict[str, Any], changes: dict[str, Any], *, version: int) -> dict:
    """``document`` after a write: ``changes`` applied (``DROP`` removes a key), version moved."""
    result = {**document, **changes, "meta": meta(version)}
    return {key: value for key, value in result.items() if value is not DROP}


def carol(**extra: Any) -> dict[str, Any]:
    return okta_create_user("carol@example.com", "Carol", "Jones", "carol@example.com", **extra)


def users_path(user: User) -> str:
    return f"/Users/{user.scim_id}"


def created_user(response) -> User:
    return User.objects.get(scim_id=response.json()["id"])


# Create (RFC 7644 §3.3) -----------------------------------------------------------------------


def test_creates_user_from_okta_payload(scim, frozen):
    response = scim.post("/Users", carol())

    assert response.status_code == 201
    assert frozen(response.json()) == CAROL
    user = created_user(response)
    assert response["Location"] == f"{BASE_URL}/Users/{user.scim_id}"
    assert response["Location"] == response.json()["meta"]["location"]
    assert response["ETag"] == 'W/"1"'
    assert response["Content-Type"] == MEDIA_TYPE
    assert user.source == "scim"


def test_creates_user_from_entra_payload_keeping_the_enterprise_extension(scim, frozen):
    body = entra_create_user("dave@contoso.com", "Dave", "Smith", "dave@contoso.com")

    response = scim.post("/Users", body)

    assert response.status_code == 201
    assert frozen(response.json()) == {
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "id": "<id>",
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "dave@contoso.com",
        "name": {"formatted": "Dave Smith", "familyName": "Smith", "givenName": "Dave"},
        "displayName": "Dave Smith",
        "emails": [{"value": "dave@contoso.com", "type": "work", "primary": True}],
        "active": True,
        "timezone": "UTC",
        "userType": "Learner-Type",
        "preferredLanguage": "en",
        ENTERPRISE_USER_SCHEMA: {
            "employeeNumber": "701984",
            "costCenter": "4130",
            "organization": "Contoso",
            "division": "EMEA",
            "department": "Sales",
        },
        "meta": meta(1),
    }


def test_id_is_a_uuid_and_not_the_database_key(scim):
    response = scim.post("/Users", carol())

    scim_id = response.json()["id"]
    assert str(uuid.UUID(scim_id)) == scim_id
    assert scim_id != str(created_user(response).pk)


def test_ignores_unknown_and_read_only_attributes_on_create(scim, frozen):
    body = carol(
        id="my-own-id",
        meta={"resourceType": "User", "version": 'W/"42"'},
        roles=[],
        groups=[{"value": "admins"}],
        nickName=None,
        displayName=None,
        favouriteColour="teal",
    )

    response = scim.post("/Users", body)

    assert response.status_code == 201
    assert frozen(response.json()) == revised(CAROL, {"displayName": DROP}, version=1)
    assert response.json()["id"] != "my-own-id"


def test_attribute_names_are_case_insensitive(scim, frozen):
    body = {
        "Schemas": [USER_SCHEMA],
        "UserName": "carol@example.com",
        "NAME": {"GivenName": "Carol", "familyname": "Jones"},
        "Emails": [{"Value": "carol@example.com", "TYPE": "work", "Primary": True}],
        "Active": False,
    }

    response = scim.post("/Users", body)

    assert response.status_code == 201
    assert frozen(response.json()) == {
        **ALICE,
        "userName": "carol@example.com",
        "name": {"familyName": "Jones", "givenName": "Carol"},
        "emails": [{"value": "carol@example.com", "type": "work", "primary": True}],
        "active": False,
    }


def test_refuses_create_without_user_name(scim):
    body = carol()
    del body["userName"]

    response = scim.post("/Users", body)

    assert response.status_code == 400
    assert response.json() == scim_error(400, "userName is required.", "invalidValue")
    assert not User.objects.exists()


def test_password_is_stored_hashed_and_never_returned(scim):
    response = scim.post("/Users", carol(password=STRONG_PASSWORD))

    user = created_user(response)
    assert user.check_password(STRONG_PASSWORD)
    assert STRONG_PASSWORD not in user.password
    assert "password" not in {key.lower() for key in response.json()}
    assert STRONG_PASSWORD.encode() not in response.content
    assert STRONG_PASSWORD.encode() not in scim.get(users_path(user)).content
    assert authenticate(username="carol@example.com", password=STRONG_PASSWORD) == user


def test_refuses_weak_password_with_the_reason(scim):
    response = scim.post("/Users", carol(password="123"))

    assert response.status_code == 400
    assert response.json() == scim_error(
        400,
        "This password is too short. It must contain at least 8 characters. "
        "This password is too common. This password is entirely numeric.",
        "invalidValue",
    )
    assert not User.objects.exists()


def test_user_created_without_password_has_no_usable_password(scim):
    response = scim.post("/Users", entra_create_user("dave", "Dave", "Smith", "d@contoso.com"))

    assert not created_user(response).has_usable_password()


# Uniqueness ----------------------------------------------------------------------------------


def test_refuses_user_name_taken_in_another_case(scim, alice):
    body = okta_create_user("ALICE@Example.com", "Alice", "Again", "other@example.com")

    response = scim.post("/Users", body)

    assert response.status_code == 409
    assert response.json() == scim_error(
        409, "The username 'ALICE@Example.com' is already used by another user.", "uniqueness"
    )
    assert User.objects.count() == 1


def test_refuses_email_taken_in_another_case(scim, alice):
    body = okta_create_user("alice2", "Alice", "Again", "Alice@EXAMPLE.com")

    response = scim.post("/Users", body)

    assert response.status_code == 409
    assert response.json() == scim_error(
        409, "The email 'Alice@EXAMPLE.com' is already used by another user.", "uniqueness"
    )


def test_refused_email_of_deleted_user_says_how_to_free_it(scim, deleted_bob):
    body = okta_create_user("robert", "Robert", "Jones", "bob@example.com")

    response = scim.post("/Users", body)

    assert response.status_code == 409
    assert response.json() == scim_error(
        409,
        "The email 'bob@example.com' belongs to a deleted user. Restore that user, or delete "
        "it permanently to free the email: in the portal under Users → Deleted users "
        "(/users/deleted/), or with manage.py purge_deleted_users --email 'bob@example.com' "
        "--commit.",
        "uniqueness",
    )


def test_refused_user_name_of_deleted_user_says_how_to_free_it(scim, deleted_bob):
    body = okta_create_user("bob@example.com", "Bob", "Jones", "robert@example.com")

    response = scim.post("/Users", body)

    assert response.status_code == 409
    assert response.json() == scim_error(
        409,
        "The username 'bob@example.com' belongs to a deleted user. Restore that user, or "
        "delete it permanently to free the username: in the portal under Users → Deleted users "
        "(/users/deleted/), or with manage.py purge_deleted_users --username 'bob@example.com' "
        "--commit.",
        "uniqueness",
    )


# Defaults and the portal's own attributes -----------------------------------------------------


@pytest.fixture
def portal_defaults(db):
    """Account defaults, a branch with its own defaults and a branch without any."""
    account_settings(
        default_time_zone="America/Chicago", default_user_type=user_type(UserType.TRAINER)
    )
    BranchFactory(
        name="Athens",
        slug="athens",
        default_time_zone="Europe/Athens",
        default_user_type=user_type(UserType.ADMIN),
    )
    BranchFactory(name="Plain", slug="plain")


@pytest.mark.parametrize(
    ("extra", "time_zone", "type_name", "branch"),
    [
        ({}, "America/Chicago", "Trainer-Type", None),
        (lms_branch("Athens"), "Europe/Athens", "Admin-Type", "Athens"),
        (lms_branch("athens"), "Europe/Athens", "Admin-Type", "Athens"),
        (lms_branch("Plain"), "America/Chicago", "Trainer-Type", "Plain"),
        (
            {"timezone": "Asia/Tokyo", "userType": "learner-type", **lms_branch("Athens")},
            "Asia/Tokyo",
            "Learner-Type",
            "Athens",
        ),
    ],
    ids=["account", "branch", "branch-any-case", "branch-without-defaults", "explicit"],
)
def test_absent_time_zone_and_user_type_take_branch_else_account_defaults(
    scim, frozen, portal_defaults, extra, time_zone, type_name, branch
):
    response = scim.post("/Users", carol(**extra))

    assert response.status_code == 201
    expected = revised(CAROL, {"timezone": time_zone, "userType": type_name}, version=1)
    if branch:
        expected |= {"schemas": [USER_SCHEMA, LMS_USER_SCHEMA], LMS_USER_SCHEMA: {"branch": branch}}
    assert frozen(response.json()) == expected


def test_refuses_unknown_user_type_naming_the_known_ones(scim):
    response = scim.post("/Users", carol(userType="Wizard"))

    assert response.status_code == 400
    assert response.json() == scim_error(
        400,
        "Unknown userType 'Wizard'; known user types: "
        "SuperAdmin, Admin-Type, Trainer-Type, Learner-Type.",
        "invalidValue",
    )
    assert not User.objects.exists()


def test_refuses_unknown_branch(scim):
    response = scim.post("/Users", carol(**lms_branch("Atlantis")))

    assert response.status_code == 400
    assert response.json() == scim_error(
        400,
        "No active branch is named 'Atlantis'; create or activate it in the portal first.",
        "invalidValue",
    )


def test_refuses_an_inactive_branch_as_sso_does(scim):
    BranchFactory(name="Closed", slug="closed", is_active=False)

    response = scim.post("/Users", carol(**lms_branch("closed")))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not User.objects.exists()


def test_refuses_invalid_time_zone(scim):
    response = scim.post("/Users", carol(timezone="Mars/Olympus_Mons"))

    assert response.status_code == 400
    assert response.json() == scim_error(
        400,
        "'Mars/Olympus_Mons' is not an IANA time zone name (e.g. Europe/Athens).",
        "invalidValue",
    )


# Read (RFC 7644 §3.4.1) --------------------------------------------------------------------


def test_gets_user_by_id(scim, frozen, alice):
    response = scim.get(users_path(alice))

    assert response.status_code == 200
    assert frozen(response.json()) == ALICE
    assert response.json()["id"] == str(alice.scim_id)
    assert response["ETag"] == response.json()["meta"]["version"] == 'W/"1"'


@pytest.mark.parametrize(
    ("scim_id", "detail"),
    [
        ("not-a-uuid", "User 'not-a-uuid' not found."),
        (str(uuid.UUID(int=7)), f"User {uuid.UUID(int=7)} not found."),
    ],
)
def test_unknown_id_is_not_found(scim, alice, scim_id, detail):
    response = scim.get(f"/Users/{scim_id}")

    assert response.status_code == 404
    assert response.json() == scim_error(404, detail)


def test_an_id_in_other_digits_is_not_the_users(scim, alice):
    arabic = str.maketrans("0123456789", "".join(chr(0x660 + d) for d in range(10)))
    response = scim.get(f"/Users/{str(alice.scim_id).translate(arabic)}")

    assert response.status_code == 404


def test_database_key_is_not_an_id(scim, alice):
    response = scim.get(f"/Users/{alice.pk}")

    assert response.status_code == 404


def test_shows_groups(scim, frozen, alice):
    group = Group.objects.create(name="Learners")
    alice.member_of.add(group)

    response = scim.get(users_path(alice))

    assert frozen(response.json()) == {
        **ALICE,
        "groups": [
            {
                "value": str(group.scim_id),
                "$ref": f"{BASE_URL}/Groups/{group.scim_id}",
                "display": "Learners",
                "type": "direct",
            }
        ],
    }


def test_projects_attributes_keeping_id(scim, frozen, alice):
    response = scim.get(users_path(alice), {"attributes": "userName,name.givenName"})

    assert frozen(response.json()) == {
        "schemas": [USER_SCHEMA],
        "id": "<id>",
        "userName": "alice@example.com",
        "name": {"givenName": "Alice"},
    }


def test_excluded_attributes_never_drop_id(scim, frozen, alice):
    response = scim.get(users_path(alice), {"excludedAttributes": "emails,meta,id"})

    expected = {key: value for key, value in ALICE.items() if key not in {"emails", "meta"}}
    assert frozen(response.json()) == expected


# ETags (RFC 7644 §3.14) ----------------------------------------------------------------------


@pytest.mark.parametrize("header", ['W/"1"', '"1"', "*", 'W/"7", W/"1"'])
def test_get_with_current_etag_in_if_none_match_is_not_modified(scim, alice, header):
    response = scim.get(users_path(alice), If_None_Match=header)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == 'W/"1"'


@pytest.mark.parametrize("header", ['W/"1"', 'W/"12"'])
def test_get_with_stale_etag_in_if_none_match_returns_the_user(scim, frozen, alice, header):
    scim.patch(users_path(alice), okta_deactivate_patch())

    response = scim.get(users_path(alice), If_None_Match=header)

    assert response.status_code == 200
    assert frozen(response.json()) == revised(ALICE, {"active": False}, version=2)
    assert response["ETag"] == 'W/"2"'


def send_write(scim, method: str, user: User, **headers: str):
    if method == "put":
        body = okta_put_user(str(user.scim_id), user.username, "Alicia", "Liddell", user.email)
        return scim.put(users_path(user), body, **headers)
    if method == "patch":
        return scim.patch(users_path(user), okta_deactivate_patch(), **headers)
    return scim.delete(users_path(user), **headers)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_write_with_stale_if_match_is_refused_and_changes_nothing(scim, alice, method):
    response = send_write(scim, method, alice, If_Match='W/"7"')

    assert response.status_code == 412
    assert response.json() == scim_error(412, "The user has changed (version 1, expected 7).")
    alice.refresh_from_db()
    assert (alice.version, alice.is_active, alice.first_name) == (1, True, "Alice")
    assert alice.deleted_at is None


@pytest.mark.parametrize("method", ["put", "patch"])
def test_write_with_current_if_match_succeeds(scim, alice, method):
    response = send_write(scim, method, alice, If_Match='W/"1"')

    assert response.status_code == 200
    assert response["ETag"] == response.json()["meta"]["version"] == 'W/"2"'


def test_delete_with_current_if_match_succeeds(scim, alice):
    response = send_write(scim, "delete", alice, If_Match='W/"1"')

    assert response.status_code == 204
    alice.refresh_from_db()
    assert alice.is_deleted


def test_if_match_with_several_etags_lets_the_write_through_at_any_of_them(scim, alice):
    response = scim.patch(users_path(alice), okta_deactivate_patch(), If_Match='W/"7", W/"1"')

    assert response.status_code == 200
    assert response["ETag"] == 'W/"2"'


def test_if_match_with_several_etags_none_current_is_refused(scim, alice):
    response = scim.patch(users_path(alice), okta_deactivate_patch(), If_Match='W/"7", "abc"')

    assert response.status_code == 412
    assert response.json() == scim_error(412, "The user has changed (version 1, expected 7).", None)
    alice.refresh_from_db()
    assert alice.is_active


# Digits int() refuses (superscript), reads as another number (Arabic-Indic), or is not allowed
# to read (over 4,300 of them); more digits than any version of ours.
NOT_OUR_ETAGS = [
    "abc",
    'W/"\u00b9"',
    'W/"\u0663"',
    'W/"' + "9" * 5000 + '"',
    'W/"1' + "0" * 19 + '"',
]


@pytest.mark.parametrize("header", NOT_OUR_ETAGS)
def test_if_match_that_is_no_etag_of_ours_is_refused(scim, alice, header):
    response = scim.patch(users_path(alice), okta_deactivate_patch(), If_Match=header)

    assert response.status_code == 412
    assert response.json() == scim_error(412, "If-Match must name one ETag given by this server.")
    alice.refresh_from_db()
    assert alice.is_active


@pytest.mark.parametrize("header", NOT_OUR_ETAGS)
def test_if_none_match_that_is_no_etag_of_ours_matches_nothing(scim, alice, header):
    response = scim.get(users_path(alice), If_None_Match=header)

    assert response.status_code == 200


# List and filter (RFC 7644 §3.4.2) ---------------------------------------------------------------


def test_lists_users_in_a_list_response(scim, frozen, alice, deleted_bob):
    scim.post("/Users", carol())

    response = scim.get("/Users")

    assert response.status_code == 200
    assert frozen(response.json()) == list_response([ALICE, CAROL])


@pytest.mark.parametrize("user_name", ["carol@example.com", "CAROL@Example.COM"])
def test_okta_pre_create_lookup_finds_user_name_in_any_case(scim, frozen, user_name):
    scim.post("/Users", carol())

    response = scim.get("/Users", {"filter": f'userName eq "{user_name}"'})

    assert frozen(response.json()) == list_response([CAROL])


def test_okta_pre_create_lookup_of_unknown_user_name_is_an_empty_list(scim, alice):
    response = scim.get("/Users", {"filter": 'userName eq "nobody@example.com"'})

    assert response.json() == list_response([])


@pytest.fixture
def cast(alice, deleted_bob) -> dict[str, User]:
    """Users with distinct emails, statuses and modification times."""
    users = {
        "alice": alice,
        "xavier": UserFactory(username="xavier", email="xavier@x.example"),
        "home": UserFactory(username="home", email="home@x.example", email_type="home"),
        "idle": UserFactory(username="idle", email="idle@x.example", inactive=True),
        # Soft-deleted: matches several filters below, and must never be listed.
        "gone": UserFactory(username="gone", email="gone@x.example", deleted=True),
    }
    User.objects.update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    User.objects.filter(username="xavier").update(updated_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
    return users


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "ALICE@EXAMPLE.COM"', ["alice@example.com"]),
        ('emails[type eq "work" and value co "@x"]', ["xavier", "idle"]),
        ('emails.value ew "@X.EXAMPLE"', ["xavier", "home", "idle"]),
        # Entra's match on the work email (outside RFC 7644's grammar)
        ('emails[type eq "work"].value eq "XAVIER@x.example"', ["xavier"]),
        ('emails[type eq "work"].value eq "home@x.example"', []),
        ("active eq false", ["idle"]),
        ('active eq "False"', ["idle"]),
        ('meta.lastModified gt "2024-01-01T00:00:00Z"', ["xavier"]),
        ('userName sw "x" or not (active eq true)', ["xavier", "idle"]),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "home"', ["home"]),
    ],
)
def test_filters_users(scim, cast, text, expected):
    response = scim.get("/Users", {"filter": text})

    assert response.status_code == 200
    assert [user["userName"] for user in response.json()["Resources"]] == expected
    assert response.json()["totalResults"] == len(expected)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            "userName eq",
            "Expected a value (a quoted string, a number, true, false or null) after 'eq', "
            "found the end of the text.",
        ),
        ('password eq "x"', "Filtering on 'password' is not supported."),
        ('profileUrl eq "x"', "Filtering on 'profileUrl' is not supported."),
    ],
)
def test_refuses_bad_filter(scim, alice, text, detail):
    response = scim.get("/Users", {"filter": text})

    assert response.status_code == 400
    assert response.json() == scim_error(400, detail, "invalidFilter")


def test_sorts_by_user_name_descending(scim, cast):
    response = scim.get("/Users", {"sortBy": "userName", "sortOrder": "descending"})

    names = [user["userName"] for user in response.json()["Resources"]]
    assert names == ["xavier", "idle", "home", "alice@example.com"]


def test_refuses_sort_by_unknown_attribute(scim, alice):
    response = scim.get("/Users", {"sortBy": "password"})

    assert response.status_code == 400
    assert response.json() == scim_error(
        400,
        "Cannot sort by 'password'; sortable: externalId, meta.created, meta.lastModified, "
        "userName, name.familyName, name.givenName, displayName, emails, emails.value, active.",
        "invalidValue",
    )


def test_lists_projected_users(scim, frozen, cast):
    response = scim.get(
        "/Users", {"filter": 'userName eq "xavier"', "attributes": "userName,active"}
    )

    assert frozen(response.json()) == list_response(
        [{"schemas": [USER_SCHEMA], "id": "<id>", "userName": "xavier", "active": True}]
    )


@pytest.mark.parametrize("path", ["/Users/.search", "/.search"])
def test_searches_with_post(scim, frozen, cast, path):
    body = search_request(filter="active eq false", attributes=["userName"], startIndex=1, count=10)

    response = scim.post(path, body)

    assert response.status_code == 200
    assert frozen(response.json()) == list_response(
        [{"schemas": [USER_SCHEMA], "id": "<id>", "userName": "idle"}]
    )


# Paging (RFC 7644 §3.4.2.4) ------------------------------------------------------------------


@pytest.fixture
def five_users(db) -> list[str]:
    return [UserFactory(username=f"user-{n}").username for n in range(1, 6)]


@pytest.mark.parametrize(
    ("params", "start_index", "names"),
    [
        ({"startIndex": "2", "count": "2"}, 2, ["user-2", "user-3"]),
        ({"startIndex": "0", "count": "2"}, 1, ["user-1", "user-2"]),
        ({"startIndex": "-4", "count": "1"}, 1, ["user-1"]),
        ({"startIndex": "5"}, 5, ["user-5"]),
        ({"startIndex": "9"}, 9, []),
        ({"count": "0"}, 1, []),
        ({"count": "-3"}, 1, []),
    ],
)
def test_pages_in_a_stable_order(scim, five_users, params, start_index, names):
    response = scim.get("/Users", params)

    page = response.json()
    assert {key: value for key, value in page.items() if key != "Resources"} == {
        "schemas": list_response([])["schemas"],
        "totalResults": 5,
        "startIndex": start_index,
        "itemsPerPage": len(names),
    }
    assert [user["userName"] for user in page["Resources"]] == names


@pytest.mark.parametrize("params", [{"startIndex": "abc"}, {"count": "1.5"}])
def test_refuses_paging_values_that_are_not_integers(scim, params):
    response = scim.get("/Users", params)

    name, value = next(iter(params.items()))
    assert response.status_code == 400
    assert response.json() == scim_error(
        400, f"{name} must be an integer, not {value!r}.", "invalidValue"
    )


def many_users(number: int) -> None:
    """``number`` users, each in a branch and a group, as cheaply as the factories allow."""
    learner = user_type()
    users = User.objects.bulk_create(
        UserFactory.build(username=f"bulk-{n:04}", user_type=learner, password="!")
        for n in range(number)
    )
    branch = BranchFactory()
    group = Group.objects.create(name="Everyone")
    for user in users:
        user.branches.add(branch)
        user.member_of.add(group)


def test_count_is_capped_at_the_advertised_maximum(scim):
    many_users(MAX_COUNT + 1)

    response = scim.get("/Users", {"count": "500"})

    assert response.json()["itemsPerPage"] == MAX_COUNT == 200
    assert response.json()["totalResults"] == 201
    config = scim.get("/ServiceProviderConfig").json()
    assert config["filter"]["maxResults"] == MAX_COUNT


@pytest.mark.parametrize(("start_index", "count"), [(1, 10), (1, 100), (101, 10), (111, 10)])
def test_listing_takes_the_same_queries_whatever_the_page(
    scim, django_assert_num_queries, start_index, count
):
    many_users(120)
    # The token's last use is written at most once a minute: let the first request write it.
    scim.get("/Users", {"count": "1"})

    # Token settings, the page's ids, its users (user type, branches and groups joined), and
    # the users after the page (counted for totalResults).
    with django_assert_num_queries(4):
        response = scim.get("/Users", {"startIndex": str(start_index), "count": str(count)})

    page = response.json()
    assert (page["totalResults"], page["itemsPerPage"]) == (120, count)
    assert page["Resources"][0]["userName"] == f"bulk-{start_index - 1:04}"
    assert page["Resources"][0]["groups"][0]["display"] == "Everyone"


def test_lookup_by_user_name_takes_two_queries(scim, django_assert_num_queries, alice):
    scim.get("/Users", {"count": "1"})

    # Token settings, the user (userName is unique, so its one match is the whole result).
    with django_assert_num_queries(2):
        response = scim.get(
            "/Users",
            {"filter": 'userName eq "ALICE@example.com"', "startIndex": "1", "count": "100"},
        )

    assert response.json()["totalResults"] == 1
    assert response.json()["Resources"][0]["userName"] == "alice@example.com"


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59"], ids=["year 0", "10000"]
)
def test_a_time_with_no_utc_equivalent_is_an_invalid_filter(scim, alice, moment):
    response = scim.get("/Users", {"filter": f'meta.created gt "{moment}"'})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_a_time_with_an_offset_compares_in_utc(scim, alice):
    created = alice.created_at.astimezone(dt.timezone(dt.timedelta(hours=14)))
    before = (created - dt.timedelta(seconds=1)).isoformat(timespec="seconds")
    after = (created + dt.timedelta(seconds=1)).isoformat(timespec="seconds")

    def matches(text: str) -> int:
        return scim.get("/Users", {"filter": text}).json()["totalResults"]

    assert matches(f'meta.created gt "{before}"') == 1
    assert matches(f'meta.created gt "{after}"') == 0


@pytest.mark.parametrize(("start_index", "count"), [("2", "100"), ("1", "0")])
def test_lookup_by_user_name_pages_its_one_match(scim, alice, start_index, count):
    response = scim.get(
        "/Users",
        {"filter": 'userName eq "alice@example.com"', "startIndex": start_index, "count": count},
    )

    assert response.json()["totalResults"] == 1
    assert response.json()["Resources"] == []


def test_lookup_by_user_name_refuses_what_no_user_name_holds(scim, alice):
    response = scim.get("/Users", {"filter": 'userName eq "alice\\u0000"'})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_lookup_of_an_unknown_user_takes_two_queries(scim, django_assert_num_queries, alice):
    scim.get("/Users", {"count": "1"})

    with django_assert_num_queries(2):
        response = scim.get("/Users", {"filter": 'userName eq "nobody@example.com"'})

    assert response.json()["totalResults"] == 0


def test_get_takes_two_queries(scim, django_assert_num_queries, alice):
    scim.get("/Users", {"count": "1"})

    # Token settings, the user (user type, branches and groups joined).
    with django_assert_num_queries(2):
        response = scim.get(users_path(alice))

    assert response.json()["userName"] == "alice@example.com"


def test_patch_takes_a_fixed_number_of_queries(scim, django_assert_num_queries, alice):
    alice.branches.set([BranchFactory(name="Sales")])
    scim.get("/Users", {"count": "1"})
    deactivate = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }

    # Token settings; in one transaction (a savepoint and its release in a test): the user
    # under a row lock with its view (user type, branches, groups joined), the update, the
    # provisioning event. The answer is the view the write left, not read again. The user
    # type and branch a PATCH carries back cost no lookup.
    with django_assert_num_queries(6):
        response = scim.patch(users_path(alice), deactivate)

    assert response.status_code == 200
    assert response.json()["active"] is False


def test_delete_takes_a_fixed_number_of_queries(scim, django_assert_num_queries, alice):
    scim.get("/Users", {"count": "1"})

    # Token settings; in one transaction (a savepoint and its release in a test): the user
    # under a row lock, the update, the provisioning event. The locked user is not read again.
    with django_assert_num_queries(6):
        response = scim.delete(users_path(alice))

    assert response.status_code == 204
    alice.refresh_from_db()
    assert alice.is_deleted


def test_a_write_updates_only_the_columns_it_changes(scim, alice):
    deactivate = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }

    with CaptureQueriesContext(connection) as captured:
        scim.patch(users_path(alice), deactivate)

    [update] = [q["sql"] for q in captured if q["sql"].startswith('UPDATE "accounts_user"')]
    assigned = update.split(" SET ")[1].split(" WHERE ")[0]
    columns = {part.split(" = ")[0].strip('"') for part in assigned.split(", ")}
    assert columns == {"is_active", "status_changed_at", "version", "updated_at"}
    alice.refresh_from_db()
    assert (alice.is_active, alice.version) == (False, 2)


def test_put_takes_a_fixed_number_of_queries(scim, django_assert_num_queries, alice):
    scim.get("/Users", {"count": "1"})
    body = okta_put_user(
        str(alice.scim_id), "alice@example.com", "Alicia", "Liddell", "alice@example.com"
    )
    body["userType"] = "learner-type"  # the type it has, named in another case

    # As a PATCH: token, savepoint, locked read, update, event, release.
    with django_assert_num_queries(6):
        response = scim.put(users_path(alice), body)

    assert response.json()["name"]["givenName"] == "Alicia"


def test_counts_every_match_when_sorted(scim, five_users):
    response = scim.get(
        "/Users", {"sortBy": "userName", "sortOrder": "descending", "startIndex": "2", "count": "2"}
    )

    page = response.json()
    assert page["totalResults"] == 5
    assert [user["userName"] for user in page["Resources"]] == ["user-4", "user-3"]


def test_shows_first_branch_and_each_group_once_in_lists_and_by_id(scim, frozen, alice):
    first, second = BranchFactory(name="North"), BranchFactory(name="South")
    admins, learners = Group.objects.create(name="Admins"), Group.objects.create(name="Learners")
    alice.branches.add(second, first)
    alice.member_of.add(learners, admins)
    expected = {
        **ALICE,
        "schemas": [USER_SCHEMA, LMS_USER_SCHEMA],
        LMS_USER_SCHEMA: {"branch": "North"},
        "groups": [
            {
                "value": str(admins.scim_id),
                "$ref": f"{BASE_URL}/Groups/{admins.scim_id}",
                "display": "Admins",
                "type": "direct",
            },
            {
                "value": str(learners.scim_id),
                "$ref": f"{BASE_URL}/Groups/{learners.scim_id}",
                "display": "Learners",
                "type": "direct",
            },
        ],
    }

    listed = scim.get("/Users", {"filter": 'userName eq "alice@example.com"'})

    assert frozen(listed.json()) == list_response([expected])
    assert frozen(scim.get(users_path(alice)).json()) == expected


# Replace (RFC 7644 §3.5.1) -------------------------------------------------------------------


def test_replaces_user_with_okta_put(scim, frozen, alice):
    body = okta_put_user(
        str(alice.scim_id), "alice@example.com", "Alicia", "Liddell", "alice@example.com"
    )

    response = scim.put(users_path(alice), body)

    assert response.status_code == 200
    assert frozen(response.json()) == revised(
        ALICE,
        {
            "externalId": "00ujl29u0le5T6Aj10h7",
            "name": {"familyName": "Liddell", "givenName": "Alicia"},
            "displayName": "Alicia Liddell",
            "locale": "en-US",
            # Replace semantics: absent optional attributes are cleared (RFC 7644 §3.5.1).
            "preferredLanguage": DROP,
        },
        version=2,
    )
    assert response["ETag"] == 'W/"2"'


def test_put_clears_absent_optional_attributes(scim, frozen, alice):
    scim.put(
        users_path(alice), okta_put_user(str(alice.scim_id), alice.username, "A", "L", "a@e.com")
    )
    body = {"schemas": [USER_SCHEMA], "userName": "alice@example.com"}

    response = scim.put(users_path(alice), body)

    assert frozen(response.json()) == revised(
        ALICE, {"name": DROP, "emails": DROP, "preferredLanguage": DROP}, version=3
    )


def test_put_without_active_keeps_the_status(scim, frozen):
    idle = UserFactory(username="idle", email="idle@example.com", inactive=True)
    body = {"schemas": [USER_SCHEMA], "userName": "idle", "emails": [{"value": "idle@example.com"}]}

    response = scim.put(users_path(idle), body)

    assert response.status_code == 200
    assert response.json()["active"] is False
    idle.refresh_from_db()
    assert not idle.is_active


def test_put_without_password_keeps_the_password(scim, alice):
    body = okta_put_user(str(alice.scim_id), alice.username, "Alicia", "Liddell", alice.email)

    scim.put(users_path(alice), body)

    assert authenticate(username="alice@example.com", password=FACTORY_PASSWORD) == alice


def test_put_with_password_sets_it(scim, alice):
    body = okta_put_user(
        str(alice.scim_id),
        alice.username,
        "Alice",
        "Liddell",
        alice.email,
        password="N3w-pass-phrase!",
    )

    response = scim.put(users_path(alice), body)

    assert b"N3w-pass-phrase!" not in response.content
    alice.refresh_from_db()
    assert alice.check_password("N3w-pass-phrase!")


def test_put_ignores_read_only_attributes(scim, frozen, alice):
    body = {
        "schemas": [USER_SCHEMA],
        "id": str(uuid.UUID(int=1)),
        "userName": "alice@example.com",
        "name": {"givenName": "Alice", "familyName": "Liddell"},
        "emails": [{"value": "alice@example.com", "type": "work", "primary": True}],
        "preferredLanguage": "en",
        "meta": {"version": 'W/"99"', "created": "1999-01-01T00:00:00Z"},
        "groups": [{"value": "admins"}],
    }

    response = scim.put(users_path(alice), body)

    assert response.status_code == 200
    assert frozen(response.json()) == ALICE  # nothing changed, so the version did not move
    assert response.json()["id"] == str(alice.scim_id)


def test_put_never_creates(scim):
    missing = str(uuid.UUID(int=3))

    response = scim.put(f"/Users/{missing}", carol())

    assert response.status_code == 404
    assert response.json() == scim_error(404, f"User {missing} not found.")
    assert not User.objects.exists()


def test_put_refuses_user_name_of_another_user(scim, alice):
    other = UserFactory(username="other", email="other@example.com")
    body = okta_put_user(str(other.scim_id), "Alice@Example.com", "O", "T", "other@example.com")

    response = scim.put(users_path(other), body)

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    other.refresh_from_db()
    assert other.username == "other"


# Modify (RFC 7644 §3.5.2) --------------------------------------------------------------------


@pytest.mark.parametrize("with_path", [False, True], ids=["okta-no-path", "okta-path"])
def test_deactivates_user_on_okta_patch_active_false(scim, frozen, alice, with_path):
    response = scim.patch(users_path(alice), okta_deactivate_patch(with_path=with_path))

    assert response.status_code == 200
    assert frozen(response.json()) == revised(ALICE, {"active": False}, version=2)
    alice.refresh_from_db()
    assert not alice.is_active
    assert alice.deleted_at is None


@pytest.mark.parametrize("with_path", [False, True], ids=["okta-no-path", "okta-path"])
def test_reactivates_user_on_okta_patch_active_true(scim, frozen, with_path):
    idle = UserFactory(username="idle", email="idle@example.com", inactive=True)

    response = scim.patch(users_path(idle), okta_reactivate_patch(with_path=with_path))

    assert response.json()["active"] is True
    assert authenticate(username="idle", password=FACTORY_PASSWORD) == idle


@pytest.mark.parametrize(("value", "active"), [("False", False), ("True", True)])
def test_entra_string_booleans_set_active(scim, alice, value, active):
    alice.is_active = not active
    alice.save()

    response = scim.patch(users_path(alice), entra_patch(entra_op("Replace", "active", value)))

    assert response.status_code == 200
    assert response.json()["active"] is active


def test_deactivated_user_stays_readable_and_listed_but_cannot_sign_in(scim, frozen, alice):
    assert authenticate(username="alice@example.com", password=FACTORY_PASSWORD) == alice

    scim.patch(users_path(alice), okta_deactivate_patch())

    inactive = revised(ALICE, {"active": False}, version=2)
    assert frozen(scim.get(users_path(alice)).json()) == inactive
    assert frozen(scim.get("/Users").json()) == list_response([inactive])
    assert frozen(scim.get("/Users", {"filter": "active eq false"}).json()) == list_response(
        [inactive]
    )
    assert authenticate(username="alice@example.com", password=FACTORY_PASSWORD) is None


@pytest.mark.parametrize("with_path", [False, True], ids=["okta-no-path", "okta-path"])
def test_changes_password_on_okta_patch(scim, frozen, alice, with_path):
    response = scim.patch(
        users_path(alice), okta_password_patch("N3w-pass-phrase!", with_path=with_path)
    )

    assert response.status_code == 200
    assert frozen(response.json()) == revised(ALICE, {}, version=2)
    assert authenticate(username="alice@example.com", password="N3w-pass-phrase!") == alice


def test_refuses_weak_password_on_patch_and_keeps_the_old_one(scim, alice):
    response = scim.patch(users_path(alice), okta_password_patch("password"))

    assert response.status_code == 400
    assert response.json() == scim_error(400, "This password is too common.", "invalidValue")
    assert authenticate(username="alice@example.com", password=FACTORY_PASSWORD) == alice


def test_patches_sub_attribute_path(scim, frozen, alice):
    body = patch_op({"op": "replace", "path": "name.givenName", "value": "Alicia"})

    response = scim.patch(users_path(alice), body)

    assert frozen(response.json()) == revised(
        ALICE, {"name": {"familyName": "Liddell", "givenName": "Alicia"}}, version=2
    )


def test_patches_entra_work_email_value_filter_path_and_urn_path(scim, frozen, alice):
    body = entra_patch(
        entra_op("Replace", ENTRA_WORK_EMAIL, "alice.liddell@example.com"),
        entra_op("Add", ENTERPRISE_DEPARTMENT, "R&D"),
        entra_op("Replace", "name.familyName", "Hargreaves"),
    )

    response = scim.patch(users_path(alice), body)

    assert response.status_code == 200
    assert frozen(response.json()) == revised(
        ALICE,
        {
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "name": {"familyName": "Hargreaves", "givenName": "Alice"},
            "emails": [{"value": "alice.liddell@example.com", "type": "work", "primary": True}],
            ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
        },
        version=2,
    )


def test_entra_work_email_path_creates_the_email_when_there_is_none(scim):
    user = UserFactory(username="nomail", email=None)

    body = entra_patch(entra_op("Add", ENTRA_WORK_EMAIL, "nomail@example.com"))
    response = scim.patch(users_path(user), body)

    assert response.json()["emails"] == [
        {"value": "nomail@example.com", "type": "work", "primary": True}
    ]


def test_patch_without_path_takes_dotted_and_urn_qualified_keys(scim, frozen, alice):
    body = patch_op(
        {
            "op": "replace",
            "value": {
                "name.givenName": "Alicia",
                f"{ENTERPRISE_USER_SCHEMA}:department": "R&D",
                "displayName": "Alicia L.",
            },
        }
    )

    response = scim.patch(users_path(alice), body)

    assert frozen(response.json()) == revised(
        ALICE,
        {
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "name": {"familyName": "Liddell", "givenName": "Alicia"},
            "displayName": "Alicia L.",
            ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
        },
        version=2,
    )


def test_patch_moves_user_to_a_branch_by_lms_extension_path(scim, frozen, alice):
    BranchFactory(name="Athens", slug="athens")
    body = patch_op({"op": "add", "path": f"{LMS_USER_SCHEMA}:branch", "value": "Athens"})

    response = scim.patch(users_path(alice), body)

    assert frozen(response.json()) == revised(
        ALICE,
        {"schemas": [USER_SCHEMA, LMS_USER_SCHEMA], LMS_USER_SCHEMA: {"branch": "Athens"}},
        version=2,
    )


def test_first_branch_brings_its_defaults_to_inherited_values(scim, frozen, portal_defaults):
    created = scim.post("/Users", carol())
    path = f"/Users/{created.json()['id']}"
    scim.patch(path, okta_deactivate_patch())  # touches neither time zone nor user type

    body = patch_op({"op": "add", "path": f"{LMS_USER_SCHEMA}:branch", "value": "Athens"})
    response = scim.patch(path, body)

    assert frozen(response.json()) == revised(
        CAROL,
        {
            "schemas": [USER_SCHEMA, LMS_USER_SCHEMA],
            "active": False,
            "timezone": "Europe/Athens",
            "userType": "Admin-Type",
            LMS_USER_SCHEMA: {"branch": "Athens"},
        },
        version=3,
    )


def test_first_branch_keeps_values_given_explicitly(scim, frozen, portal_defaults):
    created = scim.post("/Users", carol(timezone="Asia/Tokyo", userType="Learner-Type"))

    body = patch_op({"op": "add", "value": lms_branch("Athens")})
    response = scim.patch(f"/Users/{created.json()['id']}", body)

    assert frozen(response.json()) == revised(
        CAROL,
        {
            "schemas": [USER_SCHEMA, LMS_USER_SCHEMA],
            "timezone": "Asia/Tokyo",
            "userType": "Learner-Type",
            LMS_USER_SCHEMA: {"branch": "Athens"},
        },
        version=2,
    )


def test_refuses_remove_without_path(scim, alice):
    response = scim.patch(users_path(alice), patch_op({"op": "remove"}))

    assert response.status_code == 400
    assert response.json() == scim_error(
        400, "Operation 1: remove needs a path (RFC 7644 §3.5.2.2).", "noTarget"
    )


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "id", "value": "new-id"},
        {"op": "replace", "value": {"id": "new-id"}},
    ],
    ids=["path", "no-path"],
)
def test_refuses_changing_id(scim, alice, operation):
    response = scim.patch(users_path(alice), patch_op(operation))

    assert response.status_code == 400
    assert response.json() == scim_error(
        400, '"id" is assigned by this server and cannot be changed.', "mutability"
    )


@pytest.mark.parametrize("attribute", ["timezone", "active", "userType"])
def test_refuses_removing_required_attributes(scim, alice, attribute):
    response = scim.patch(users_path(alice), patch_op({"op": "remove", "path": attribute}))

    assert response.status_code == 400
    assert response.json() == scim_error(
        400, f"{attribute} is required and cannot be removed; replace it instead.", "mutability"
    )


@pytest.mark.parametrize(
    ("failing", "status", "scim_type"),
    [
        ({"op": "remove", "path": "timezone"}, 400, "mutability"),
        (
            {"op": "replace", "path": ENTRA_WORK_EMAIL, "value": "BOB@example.com"},
            409,
            "uniqueness",
        ),
        ({"op": "replace", "path": "password", "value": "123"}, 400, "invalidValue"),
        ({"op": "replace", "path": "userType", "value": "Wizard"}, 400, "invalidValue"),
    ],
    ids=["engine", "uniqueness", "password", "user-type"],
)
def test_patch_is_atomic(scim, frozen, alice, deleted_bob, failing, status, scim_type):
    body = patch_op({"op": "replace", "path": "name.givenName", "value": "Mallory"}, failing)

    response = scim.patch(users_path(alice), body)

    assert response.status_code == status
    assert response.json()["scimType"] == scim_type
    assert frozen(scim.get(users_path(alice)).json()) == ALICE
    alice.refresh_from_db()
    assert (alice.version, alice.first_name) == (1, "Alice")
    assert alice.check_password(FACTORY_PASSWORD)


# Delete (RFC 7644 §3.6) ----------------------------------------------------------------------


def test_delete_soft_deletes_and_hides_the_user(scim, frozen, alice):
    scim.post("/Users", carol())

    response = scim.delete(users_path(alice))

    assert response.status_code == 204
    assert response.content == b""
    assert frozen(scim.get("/Users").json()) == list_response([CAROL])
    filtered = scim.get("/Users", {"filter": 'userName eq "alice@example.com"'})
    assert filtered.json() == list_response([])
    alice.refresh_from_db()
    assert alice.deleted_at is not None


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_deleted_user_answers_not_found(scim, alice, method):
    scim.delete(users_path(alice))

    if method in {"get", "delete"}:
        response = getattr(scim, method)(users_path(alice))
    else:
        body = okta_deactivate_patch() if method == "patch" else carol()
        response = getattr(scim, method)(users_path(alice), body)

    assert response.status_code == 404
    assert response.json() == scim_error(404, f"User {alice.scim_id} not found.")
    assert User.objects.filter(pk=alice.pk, deleted_at__isnull=False).exists()


# HTTP: media types, errors, routing -------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["application/scim+json", "application/json", "application/scim+json; charset=utf-8"],
)
def test_accepts_scim_and_plain_json_and_answers_scim(scim, frozen, content_type):
    body = json.dumps(carol())

    response = scim.send(
        "post", "/Users", body, content_type=content_type, Accept="application/json"
    )

    assert response.status_code == 201
    assert response["Content-Type"] == MEDIA_TYPE
    assert frozen(response.json()) == CAROL


def test_refuses_other_media_types(scim):
    response = scim.send("post", "/Users", "userName=carol", content_type="text/plain")

    assert response.status_code == 415
    assert response.json() == scim_error(415, 'Unsupported media type "text/plain" in request.')


def test_refuses_invalid_json(scim):
    response = scim.send("post", "/Users", '{"userName": ')

    assert response.status_code == 400
    assert response.json() == scim_error(
        400,
        "The request body is not valid JSON: Expecting value: line 1 column 14 (char 13)",
        "invalidSyntax",
    )


def test_refuses_body_that_is_not_an_object(scim):
    response = scim.post("/Users", [carol()])

    assert response.status_code == 400
    assert response.json() == scim_error(
        400, "The request body must be a JSON object.", "invalidSyntax"
    )


def test_refuses_oversized_body(scim, settings):
    settings.SCIM_MAX_BODY_BYTES = 100

    response = scim.post("/Users", carol())

    assert response.status_code == 413
    assert response.json() == scim_error(413, "The request body is larger than 100 bytes.")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("patch", "/Users", "GET, POST, HEAD"),
        ("delete", "/Users", "GET, POST, HEAD"),
        ("put", "/Users", "GET, POST, HEAD"),
        ("post", "/Users/<id>", "GET, PUT, PATCH, DELETE, HEAD"),
        ("get", "/Users/.search", "POST"),
        ("options", "/Users", "GET, POST, HEAD"),
        ("options", "/Users/<id>", "GET, PUT, PATCH, DELETE, HEAD"),
    ],
)
def test_wrong_method_is_405_with_scim_body(scim, alice, method, path, allowed):
    path = path.replace("<id>", str(alice.scim_id))

    if method == "options":
        response = scim.client.options(scim.url(path), headers=scim.headers({}))
    elif method in {"get", "delete"}:
        response = getattr(scim, method)(path)
    else:
        response = getattr(scim, method)(path, {})

    assert response.status_code == 405
    assert response.json() == scim_error(405, f'Method "{method.upper()}" not allowed.')
    assert response["Allow"] == allowed


@pytest.mark.parametrize("path", ["/Users/", "/users", "/USERS/"])
def test_users_list_answers_with_trailing_slash_and_in_any_case(scim, frozen, alice, path):
    response = scim.get(path)

    assert frozen(response.json()) == list_response([ALICE])


@pytest.mark.parametrize("template", ["/Users/{}/", "/users/{}", "/uSeRs/{}/"])
def test_user_answers_with_trailing_slash_and_in_any_case(scim, frozen, alice, template):
    response = scim.get(template.format(alice.scim_id))

    assert frozen(response.json()) == ALICE


def test_locations_use_the_public_url_when_set(scim, settings):
    settings.PUBLIC_URL = "https://lms.example.com"

    response = scim.post("/Users", carol())

    location = f"https://lms.example.com/api/scim2/Users/{response.json()['id']}"
    assert response["Location"] == response.json()["meta"]["location"] == location


def test_creates_through_lower_case_path_with_trailing_slash(scim, frozen):
    response = scim.post("/users/", carol())

    assert response.status_code == 201
    assert frozen(response.json()) == CAROL


def test_unexpected_error_is_a_generic_500_that_leaks_nothing(scim, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(services, "provision_user", explode)

    response = scim.post("/Users", carol())

    assert response.status_code == 500
    assert response.json() == scim_error(500, "An unexpected error occurred. It has been logged.")
    assert b"secret" not in response.content
    assert b"Traceback" not in response.content
    assert "secret detail" in caplog.text  # the details go to the log


def test_unexpected_error_while_listing_is_a_generic_500(scim, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(queries, "search_users", explode)

    response = scim.get("/Users")

    assert response.status_code == 500
    assert b"secret" not in response.content


def test_database_error_is_a_503_that_leaks_nothing(scim, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("secret detail")

    monkeypatch.setattr(queries, "search_users", fail)

    response = scim.get("/Users")

    assert response.status_code == 503
    assert response.json() == scim_error(
        503, "The service is temporarily unavailable; retry later."
    )
    assert response["Retry-After"] == "5"


def test_super_admin_cannot_be_assigned_by_provisioning(scim):
    response = scim.post("/Users", carol(userType="superadmin"))

    assert response.status_code == 400
    assert response.json() == scim_error(
        400,
        "The user type 'SuperAdmin' is granted only in the portal, by a SuperAdmin.",
        "invalidValue",
    )


def test_a_super_admin_is_not_changed_by_provisioning(scim):
    owner = UserFactory(username="owner@example.com", user_type=user_type(UserType.SUPER_ADMIN))
    deactivate = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }

    response = scim.patch(users_path(owner), deactivate)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    owner.refresh_from_db()
    assert (owner.is_active, owner.version) == (True, 1)


def test_back_office_accounts_are_not_the_idps_to_read_or_change(scim, admin_user):
    staff = UserFactory(username="staff@example.com", is_staff=True)
    listed = scim.get("/Users").json()

    assert {r["userName"] for r in listed["Resources"]}.isdisjoint(
        {admin_user.username, staff.username}
    )
    for account in (admin_user, staff):
        assert scim.get(f"/Users/{account.scim_id}").status_code == 404
        patched = scim.patch(
            f"/Users/{account.scim_id}",
            {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "value": {"password": "Taken-over-2026!"}}],
            },
        )
        assert patched.status_code == 404


@pytest.mark.parametrize(
    "extra",
    [{"userType": "x" * 60_000}, {LMS_USER_SCHEMA: {"branch": "x" * 60_000}}],
    ids=["userType", "branch"],
)
def test_a_name_longer_than_any_is_unknown_not_a_database_error(scim, extra):
    BranchFactory(name="Sales")

    response = scim.post("/Users", carol(**extra))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert f"'{'x' * 100}...'" in response.json()["detail"]
    assert len(response.json()["detail"]) < 500
