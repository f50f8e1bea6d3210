"""Hostile or oversized input gets a clean SCIM 4xx: never a 500, never a header it chose."""

from __future__ import annotations

import json

import pytest

from provisioning.scim.constants import MAX_COUNT, PATCH_OP

pytestmark = pytest.mark.django_db


def error(response) -> tuple[int, str | None]:
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    return response.status_code, body.get("scimType")


def test_body_over_the_limit_is_413(scim, settings):
    settings.SCIM_MAX_BODY_BYTES = 1000

    response = scim.post("/Users", {"userName": "x" * 2000})

    assert error(response) == (413, None)


def test_deeply_nested_json_is_invalid_syntax(scim):
    response = scim.send("post", "/Users", "[" * 100_000 + "]" * 100_000)

    assert error(response) == (400, "invalidSyntax")


@pytest.mark.parametrize(
    "text",
    [
        'userName eq "' + "a" * 3000 + '"',
        "(" * 30 + 'userName eq "a"' + ")" * 30,
        " and ".join(['userName eq "a"'] * 400),
    ],
    ids=["too-long", "too-deep", "too-many-terms"],
)
def test_oversized_filters_are_invalid_filter(scim, text):
    assert error(scim.get("/Users", {"filter": text})) == (400, "invalidFilter")


def test_count_is_capped_at_the_advertised_maximum(scim):
    assert scim.get("/Users", {"count": "100000"}).json()["itemsPerPage"] <= MAX_COUNT


def test_too_many_patch_operations_are_refused(scim, alice):
    operations = [{"op": "replace", "path": "displayName", "value": str(n)} for n in range(101)]

    response = scim.patch(
        f"/Users/{alice.scim_id}", {"schemas": [PATCH_OP], "Operations": operations}
    )

    assert error(response) == (400, "invalidValue")


def test_filtering_on_password_is_refused_so_it_is_no_oracle(scim, alice):
    assert error(scim.get("/Users", {"filter": 'password sw "a"'})) == (400, "invalidFilter")


@pytest.mark.parametrize("raw", ["abc%0d%0aX-Injected:%201", "abc%00def", "%0aLocation:%20x"])
def test_control_characters_in_ids_never_reach_a_header(scim, raw):
    response = scim.get(f"/api/scim2/Users/{raw}")

    assert error(response) == (404, None)
    assert "X-Injected" not in response.headers
    assert "Location" not in response.headers
    assert "\n" not in json.dumps(dict(response.headers))


@pytest.mark.parametrize("start", [str(2**64 + 5), "31664818144798891311104"])
def test_a_huge_start_index_is_an_empty_page_not_an_error(scim, alice, start):
    response = scim.get("/Users", {"startIndex": start, "count": "10"})

    assert response.status_code == 200
    assert response.json()["Resources"] == []
