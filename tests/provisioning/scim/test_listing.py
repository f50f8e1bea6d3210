"""List queries and the ListResponse envelope (no database)."""

from __future__ import annotations

import pytest

from provisioning.scim.constants import LIST_RESPONSE, MAX_COUNT, SEARCH_REQUEST
from provisioning.scim.errors import InvalidFilter, InvalidSyntax, InvalidValue
from provisioning.scim.filters import parse_filter
from provisioning.scim.listing import ListQuery, build_query, list_response, query_from_search


def test_defaults():
    assert build_query({}) == ListQuery()


@pytest.mark.parametrize(
    ("params", "start", "count"),
    [
        ({"startIndex": "0", "count": "-5"}, 1, 0),
        ({"startindex": "-3"}, 1, 100),
        ({"count": str(MAX_COUNT + 1)}, 1, MAX_COUNT),
        ({"startIndex": "21", "count": "10"}, 21, 10),
    ],
)
def test_paging_is_normalised_as_rfc_7644_says(params, start, count):
    query = build_query(params)

    assert (query.start_index, query.count) == (start, count)


@pytest.mark.parametrize(
    "params",
    [
        {"startIndex": "1.5"},
        {"count": "ten"},
        {"sortOrder": "sideways"},
        # int() takes these; a query string's integer is ASCII digits.
        {"count": "1_000"},
        {"startIndex": "\u0663"},
        {"count": "\uff11"},
        {"count": "9" * 5000},
    ],
)
def test_refuses_non_integers_and_unknown_sort_orders(params):
    with pytest.raises(InvalidValue):
        build_query(params)


def test_a_search_body_names_its_schemas_in_any_case():
    with pytest.raises(InvalidValue):
        query_from_search({"Schemas": ["urn:example:not-a-search"], "count": 1})

    query = query_from_search({"SCHEMAS": [SEARCH_REQUEST], "Count": " 5 "})
    assert query.count == 5


def test_parses_filter_sort_and_attributes():
    query = build_query(
        {
            "filter": 'userName eq "a"',
            "sortBy": "userName",
            "sortOrder": "descending",
            "attributes": "userName, emails",
        }
    )

    assert query.filter == parse_filter('userName eq "a"')
    assert (query.sort_by, query.descending) == ("userName", True)
    assert query.attributes == ("userName", "emails")


def test_bad_filter_is_invalid_filter():
    with pytest.raises(InvalidFilter):
        build_query({"filter": 'userName eq "unterminated'})


def test_search_body():
    query = query_from_search(
        {
            "schemas": [SEARCH_REQUEST],
            "filter": "active eq true",
            "attributes": ["userName"],
            "startIndex": 2,
            "count": 5,
        }
    )

    assert (query.start_index, query.count, query.attributes) == (2, 5, ("userName",))


@pytest.mark.parametrize("body", [[], "x", None])
def test_search_body_must_be_an_object(body):
    with pytest.raises(InvalidSyntax):
        query_from_search(body)


def test_list_response_counts_what_it_returns():
    assert list_response([{"id": "1"}], total=10, start_index=3) == {
        "schemas": [LIST_RESPONSE],
        "totalResults": 10,
        "startIndex": 3,
        "itemsPerPage": 1,
        "Resources": [{"id": "1"}],
    }


def test_a_huge_start_index_is_capped():
    assert build_query({"startIndex": str(2**70)}).start_index == 2**31
