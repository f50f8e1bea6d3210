"""Several email addresses (RFC 7643 §4.1.2) and the enterprise manager's name: kept as sent,
changed by both IdPs' PATCH shapes, found by filters. The primary address, else the work one,
else the first, is the user's address in the portal: the unique one, the one shown and signed
in with; the others are kept beside it, not unique."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditEvent, User
from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA as ENTERPRISE
from tests.provisioning.payloads import entra_op, entra_patch, okta_create_user, patch_op

pytestmark = pytest.mark.django_db

EMAILS = [
    {"value": "bjensen@example.com", "type": "work", "primary": True},
    {"value": "babs@home.example", "type": "home"},
    {"value": "b.jensen@other.example", "type": "other"},
]


def body(user_name: str = "bjensen@example.com", **extra: Any) -> dict[str, Any]:
    payload = okta_create_user(user_name, "Barbara", "Jensen", user_name)
    return {**payload, "emails": EMAILS, **extra}


@pytest.fixture
def barbara(scim) -> dict[str, Any]:
    response = scim.post("/Users", body())
    assert response.status_code == 201, response.content
    return response.json()


def read(scim, user: dict[str, Any]) -> dict[str, Any]:
    return scim.get(f"/Users/{user['id']}").json()


def test_every_address_is_kept_and_read_back(scim, barbara):
    for document in (barbara, read(scim, barbara)):
        assert document["emails"] == EMAILS
    user = User.objects.get(scim_id=barbara["id"])
    assert user.email == "bjensen@example.com"
    assert user.other_emails == EMAILS[1:]


@pytest.mark.parametrize(
    ("emails", "portal_email"),
    [
        (
            [
                {"value": "a@home.example", "type": "home"},
                {"value": "b@x.example", "primary": True},
            ],
            "b@x.example",
        ),
        (
            [{"value": "a@home.example", "type": "home"}, {"value": "b@x.example", "type": "work"}],
            "b@x.example",
        ),
        (
            [
                {"value": "a@home.example", "type": "home"},
                {"value": "b@x.example", "type": "other"},
            ],
            "a@home.example",
        ),
    ],
    ids=["the-primary-one", "else-the-work-one", "else-the-first"],
)
def test_the_portal_address_is_the_primary_else_work_else_first(scim, emails, portal_email):
    response = scim.post("/Users", body(emails=emails))

    assert response.status_code == 201, response.content
    assert User.objects.get().email == portal_email
    assert sorted(e["value"] for e in response.json()["emails"]) == sorted(
        e["value"] for e in emails
    )


def test_only_the_portal_address_is_unique(scim, barbara):
    # Another user's home address may be Barbara's home address too, but not her portal one.
    shared_home = [{"value": "ann@example.com", "primary": True}, EMAILS[1]]
    assert scim.post("/Users", body("ann@example.com", emails=shared_home)).status_code == 201

    taken = [{"value": "BJENSEN@example.com", "type": "work"}]
    response = scim.post("/Users", body("bob@example.com", emails=taken))

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


def test_entra_changes_one_address_by_its_type_and_keeps_the_others(scim, barbara):
    patch = entra_patch(entra_op("Replace", 'emails[type eq "home"].value', "babs@new.example"))

    response = scim.patch(f"/Users/{barbara['id']}", patch)

    assert response.status_code == 200, response.content
    assert read(scim, barbara)["emails"] == [
        EMAILS[0],
        {**EMAILS[1], "value": "babs@new.example"},
        EMAILS[2],
    ]


def test_a_filtered_patch_of_a_missing_type_adds_the_address(scim):
    created = scim.post("/Users", body(emails=[EMAILS[0]])).json()
    patch = entra_patch(entra_op("Add", 'emails[type eq "home"].value', "babs@home.example"))

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    values = {e["type"]: e["value"] for e in read(scim, created)["emails"]}
    assert values == {"work": "bjensen@example.com", "home": "babs@home.example"}
    assert User.objects.get().email == "bjensen@example.com"


def test_making_another_address_primary_makes_it_the_portal_address(scim, barbara):
    patch = patch_op({"op": "replace", "path": 'emails[type eq "home"].primary', "value": True})

    response = scim.patch(f"/Users/{barbara['id']}", patch)

    assert response.status_code == 200, response.content
    primaries = [e["value"] for e in read(scim, barbara)["emails"] if e.get("primary")]
    assert primaries == ["babs@home.example"]
    assert User.objects.get().email == "babs@home.example"


def test_removing_an_address_by_filter_leaves_the_rest(scim, barbara):
    patch = entra_patch(entra_op("Remove", 'emails[type eq "other"]'))

    response = scim.patch(f"/Users/{barbara['id']}", patch)

    assert response.status_code == 200, response.content
    assert read(scim, barbara)["emails"] == EMAILS[:2]
    event = AuditEvent.objects.latest("pk")
    assert event.changes == [{"field": "other_emails", "before": EMAILS[1:], "after": [EMAILS[1]]}]


def test_a_put_without_the_other_addresses_clears_them(scim, barbara):
    response = scim.put(f"/Users/{barbara['id']}", body(emails=[EMAILS[0]]))

    assert response.status_code == 200, response.content
    assert read(scim, barbara)["emails"] == [EMAILS[0]]
    assert User.objects.get().other_emails == []


@pytest.mark.parametrize(
    ("emails", "detail"),
    [
        (
            [{"value": "a@x.example", "primary": True}, {"value": "b@x.example", "primary": True}],
            "at most one element may be primary",
        ),
        ([EMAILS[0], {"value": "b" * 250 + "@x.example"}], "at most 254 characters"),
        ([EMAILS[0], *({"value": f"{n}@x.example"} for n in range(21))], "at most 20"),
    ],
)
def test_a_bad_list_is_refused_and_nothing_is_saved(scim, emails, detail):
    response = scim.post("/Users", body(emails=emails))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert detail in response.json()["detail"]
    assert not User.objects.exists()


@pytest.fixture
def cast(scim) -> dict[str, str]:
    users = {
        "barbara": body(),
        "ann": body(
            "ann@example.com",
            emails=[
                {"value": "ann@example.com", "type": "work"},
                {"value": "ann@home.example", "type": "home"},
            ],
        ),
        "carl": body("carl@example.com", emails=[{"value": "carl@example.com"}]),
    }
    for payload in users.values():
        assert scim.post("/Users", payload).status_code == 201
    return {name: payload["userName"] for name, payload in users.items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('emails[type eq "work"].value eq "bjensen@example.com"', ["barbara"]),
        ('emails[type eq "home"].value eq "BABS@home.example"', ["barbara"]),
        ('emails[type eq "work"].value eq "babs@home.example"', []),  # not the same element
        ('emails.value eq "ann@home.example"', ["ann"]),
        ('emails.value eq "carl@example.com"', ["carl"]),
        ('emails co "home.example"', ["ann", "barbara"]),
        ('emails[type eq "other"]', ["barbara"]),
        # The portal's address is primary unless the IdP says otherwise.
        ("emails[primary eq true]", ["ann", "barbara", "carl"]),
        ('emails[type eq "home" and primary eq true]', []),
        ('not (emails.value ew "home.example")', ["carl"]),
    ],
)
def test_filters_find_users_by_any_of_their_addresses(scim, cast, text, expected):
    response = scim.get("/Users", {"filter": text, "sortBy": "userName"})

    assert response.status_code == 200, response.content
    names = {user: name for name, user in cast.items()}
    assert [names[r["userName"]] for r in response.json()["Resources"]] == expected


# The enterprise manager ---------------------------------------------------------------------


def manager(**values: Any) -> dict[str, Any]:
    return {ENTERPRISE: {"manager": values}}


def test_okta_pushes_the_manager_with_its_name(scim):
    created = scim.post("/Users", body(**manager(value="m-42", displayName="Eve Manager")))

    assert created.status_code == 201, created.content
    shown = read(scim, created.json())[ENTERPRISE]["manager"]
    assert shown["value"] == "m-42"
    assert shown["displayName"] == "Eve Manager"
    assert shown["$ref"].endswith("/Users/m-42")
    assert User.objects.get().manager_display_name == "Eve Manager"


def test_entra_sets_the_manager_by_id_and_keeps_its_name(scim):
    created = scim.post("/Users", body(**manager(value="m-1", displayName="Eve"))).json()
    patch = entra_patch(entra_op("Replace", f"{ENTERPRISE}:manager", "m-2"))

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    shown = read(scim, created)[ENTERPRISE]["manager"]
    assert (shown["value"], shown["displayName"]) == ("m-2", "Eve")


def test_the_manager_name_changes_and_clears_on_its_own(scim):
    created = scim.post("/Users", body(**manager(value="m-1", displayName="Eve"))).json()
    path = f"{ENTERPRISE}:manager.displayName"

    renamed = scim.patch(
        f"/Users/{created['id']}", patch_op({"op": "replace", "path": path, "value": "Eva"})
    )
    assert renamed.status_code == 200, renamed.content
    assert read(scim, created)[ENTERPRISE]["manager"]["displayName"] == "Eva"

    cleared = scim.patch(f"/Users/{created['id']}", patch_op({"op": "remove", "path": path}))
    assert cleared.status_code == 200, cleared.content
    assert read(scim, created)[ENTERPRISE]["manager"] == {
        "value": "m-1",
        "$ref": read(scim, created)[ENTERPRISE]["manager"]["$ref"],
    }


def test_the_managers_reference_keeps_an_idp_id_in_one_path_segment(scim):
    created = scim.post("/Users", body(**manager(value="ou=staff/eve smith"))).json()

    shown = read(scim, created)[ENTERPRISE]["manager"]
    assert shown["value"] == "ou=staff/eve smith"
    assert shown["$ref"].endswith("/Users/ou%3Dstaff%2Feve%20smith")
