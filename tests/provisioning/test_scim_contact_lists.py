"""phoneNumbers and addresses (RFC 7643 §4.1.2): kept as sent, changed by both IdPs' PATCH
shapes (a filtered PATCH of an element that does not exist yet creates it), and found by
value filters, on every database the suite runs on."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditEvent, User
from tests.provisioning.payloads import entra_op, entra_patch, okta_create_user, patch_op

pytestmark = pytest.mark.django_db

PHONES = [
    {"value": "+30 210 555 0100", "type": "work", "primary": True},
    {"value": "tel:+30-690-555-0199", "display": "Mobile", "type": "mobile"},
]
ADDRESSES = [
    {
        "formatted": "1 Main St\nAthens 105 57\nGR",
        "streetAddress": "1 Main St",
        "locality": "Athens",
        "region": "Attica",
        "postalCode": "105 57",
        "country": "GR",
        "type": "work",
        "primary": True,
    },
    {"locality": "Θεσσαλονίκη", "country": "GR", "type": "home"},
]


def body(user_name: str = "bjensen@example.com", **extra: Any) -> dict[str, Any]:
    payload = okta_create_user(user_name, "Barbara", "Jensen", user_name)
    return {**payload, "phoneNumbers": PHONES, "addresses": ADDRESSES, **extra}


@pytest.fixture
def barbara(scim) -> dict[str, Any]:
    response = scim.post("/Users", body())
    assert response.status_code == 201, response.content
    return response.json()


def read(scim, user: dict[str, Any]) -> dict[str, Any]:
    return scim.get(f"/Users/{user['id']}").json()


def test_lists_are_kept_and_read_back_as_sent(scim, barbara):
    for document in (barbara, read(scim, barbara)):
        assert (document["phoneNumbers"], document["addresses"]) == (PHONES, ADDRESSES)
    user = User.objects.get(scim_id=barbara["id"])
    assert (user.phone_numbers, user.addresses) == (PHONES, ADDRESSES)


def test_sub_attribute_names_are_read_in_any_case_and_unknown_ones_dropped(scim):
    phones = [{"VALUE": "555", "Type": "work", "extension": "12", "primary": "True"}]

    response = scim.post("/Users", body(phoneNumbers=phones, addresses=[]))

    assert response.status_code == 201, response.content
    assert response.json()["phoneNumbers"] == [{"value": "555", "type": "work", "primary": True}]
    assert "addresses" not in response.json()


def test_a_put_replaces_the_lists_and_clears_one_it_leaves_out(scim, barbara):
    replacement = body(id=barbara["id"], phoneNumbers=[{"value": "555", "type": "fax"}])
    del replacement["addresses"]

    response = scim.put(f"/Users/{barbara['id']}", replacement)

    assert response.status_code == 200, response.content
    document = read(scim, barbara)
    assert document["phoneNumbers"] == [{"value": "555", "type": "fax"}]
    assert "addresses" not in document


def test_entra_sets_a_first_mobile_number_with_a_filtered_path(scim):
    created = scim.post("/Users", body(phoneNumbers=[], addresses=[])).json()
    patch = entra_patch(entra_op("Add", 'phoneNumbers[type eq "mobile"].value', "+30 690 1"))

    response = scim.patch(f"/Users/{created['id']}", patch)

    assert response.status_code == 200, response.content
    assert read(scim, created)["phoneNumbers"] == [
        {"value": "+30 690 1", "type": "mobile", "primary": True}
    ]


def test_entra_changes_one_element_and_keeps_the_others(scim, barbara):
    patch = entra_patch(
        entra_op("Replace", 'phoneNumbers[type eq "mobile"].value', "+30 690 2"),
        entra_op("Replace", 'addresses[type eq "work"].locality', "Piraeus"),
        entra_op("Replace", 'addresses[type eq "home"].postalCode', "546 21"),
    )

    response = scim.patch(f"/Users/{barbara['id']}", patch)

    assert response.status_code == 200, response.content
    document = read(scim, barbara)
    assert document["phoneNumbers"] == [PHONES[0], {**PHONES[1], "value": "+30 690 2"}]
    assert document["addresses"] == [
        {**ADDRESSES[0], "locality": "Piraeus"},
        {**ADDRESSES[1], "postalCode": "546 21"},
    ]


def test_okta_replaces_a_whole_list_without_a_path(scim, barbara):
    patch = patch_op({"op": "replace", "value": {"phoneNumbers": [{"value": "1", "type": "home"}]}})

    response = scim.patch(f"/Users/{barbara['id']}", patch)

    assert response.status_code == 200, response.content
    assert read(scim, barbara)["phoneNumbers"] == [{"value": "1", "type": "home"}]


def test_removing_an_element_by_filter_leaves_the_rest(scim, barbara):
    patch = entra_patch(entra_op("Remove", 'phoneNumbers[type eq "work"]'))

    response = scim.patch(f"/Users/{barbara['id']}", patch)

    assert response.status_code == 200, response.content
    assert read(scim, barbara)["phoneNumbers"] == [PHONES[1]]


def test_the_trail_holds_the_list_before_and_after(scim, barbara):
    scim.patch(f"/Users/{barbara['id']}", entra_patch(entra_op("Remove", "phoneNumbers")))

    event = AuditEvent.objects.latest("pk")
    assert event.changes == [{"field": "phone_numbers", "before": PHONES, "after": []}]


@pytest.mark.parametrize(
    ("elements", "detail"),
    [
        ("555", "phoneNumbers must be a list of objects"),
        ([{"value": 5.5}], "phoneNumbers[0].value must be a string"),
        (
            [{"value": "1", "primary": True}, {"value": "2", "primary": True}],
            "at most one element may be primary",
        ),
        ([{"value": "1" * 101}], "value is a text of at most 100 characters"),
        ([{"value": str(n)} for n in range(21)], "at most 20 phone numbers"),
    ],
)
def test_a_bad_list_is_refused_and_nothing_is_saved(scim, elements, detail):
    response = scim.post("/Users", body(phoneNumbers=elements))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert detail in response.json()["detail"]
    assert not User.objects.exists()


@pytest.fixture
def cast(scim) -> dict[str, str]:
    """Users whose lists tell them apart; by userName."""
    users = {
        "both": body("both@example.com"),
        "home": body(
            "home@example.com",
            phoneNumbers=[{"value": "+44 20 7946 0000", "type": "home"}],
            addresses=[{"locality": "London", "type": "work", "primary": False}],
        ),
        "none": body("none@example.com", phoneNumbers=[], addresses=[]),
    }
    for payload in users.values():
        assert scim.post("/Users", payload).status_code == 201
    return {name: payload["userName"] for name, payload in users.items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('phoneNumbers[type eq "mobile"].value eq "tel:+30-690-555-0199"', ["both"]),
        ('phoneNumbers[type eq "MOBILE" and value sw "TEL:"]', ["both"]),
        ('phoneNumbers[type eq "work" and value sw "tel:"]', []),  # not the same element
        ('phoneNumbers.value co "7946"', ["home"]),
        ('phoneNumbers.value ew "0100"', ["both"]),
        ("phoneNumbers pr", ["both", "home"]),
        ('phoneNumbers[type eq "home"] or addresses[locality eq "athens"]', ["both", "home"]),
        ('addresses[type eq "work"].locality eq "London"', ["home"]),
        ("addresses[primary eq true]", ["both"]),
        ("addresses[primary eq false]", ["home"]),
        ('addresses[not (type eq "work")].locality pr', ["both"]),
        ('addresses.country ne "GR"', ["home"]),
        ("addresses.postalCode pr", ["both"]),
        ('not (phoneNumbers.type eq "work")', ["home", "none"]),
    ],
)
def test_value_filters_find_users_by_their_lists(scim, cast, text, expected):
    response = scim.get("/Users", {"filter": text, "sortBy": "userName"})

    assert response.status_code == 200, response.content
    names = {user: name for name, user in cast.items()}
    assert [names[r["userName"]] for r in response.json()["Resources"]] == expected


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('phoneNumbers[type eq "work" and userName eq "x"]', "'phoneNumbers.userName'"),
        ('phoneNumbers.primary co "t"', "does not support the 'co' operator"),
        ('phoneNumbers.display eq "x"', "Filtering on 'phoneNumbers.display' is not supported"),
        ('addresses.primary eq "perhaps"', "not a valid boolean"),
    ],
)
def test_a_filter_the_lists_cannot_answer_is_refused(scim, text, detail):
    response = scim.get("/Users", {"filter": text})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"
    assert detail in response.json()["detail"]
