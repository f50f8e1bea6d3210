"""In-memory matching of SCIM filters (RFC 7644 §3.4.2.2), as PATCH value filters use it."""

import pytest

from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from provisioning.scim.filters import matches, parse_filter

WORK_EMAIL = {"value": "Babs@Example.com", "type": "work", "primary": True}
HOME_EMAIL = {"value": "babs@home.test", "type": "home", "primary": False}
USER = {
    "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    "userName": "bjensen",
    "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "title": "",
    "active": True,
    "emails": [WORK_EMAIL, HOME_EMAIL],
    "meta": {"lastModified": "2011-05-13T04:42:34Z"},
    ENTERPRISE_USER_SCHEMA: {"department": "Tour Operations", "manager": {"value": "26118915"}},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('type eq "work"', True),
        ('TYPE eq "WORK"', True),
        ('type eq "home"', False),
        ('type ne "home"', True),
        ('value co "@example."', True),
        ('value sw "BABS"', True),
        ('value ew ".COM"', True),
        ('value ew ".org"', False),
        ("primary eq true", True),
        ('primary eq "True"', True),
        ("primary eq false", False),
        ('type eq "work" and value co "@example.com"', True),
        ('type eq "home" or value co "@example.com"', True),
        ('not (type eq "work")', False),
        ("display pr", False),
        ("display eq null", True),
        ("display ne null", False),
        ('display ne "x"', True),
        ("value pr", True),
    ],
)
def test_matches_one_email_element(text, expected):
    assert matches(parse_filter(text), WORK_EMAIL) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "BJensen"', True),
        ('name.familyName co "ens"', True),
        (f'{USER_SCHEMA}:userName sw "bj"', True),
        ("title pr", False),
        ("name pr", True),
        ("active eq true", True),
        (f'schemas eq "{ENTERPRISE_USER_SCHEMA}"', True),
        ('emails co "home.test"', True),
        ('emails.type eq "home"', True),
        ('emails[type eq "work" and value co "home.test"]', False),
        ('emails[type eq "home" and value co "home.test"]', True),
        ('meta.lastModified gt "2011-05-13T04:42:33Z"', True),
        ('meta.lastModified gt "2011-05-13T06:42:34+02:00"', False),
        ('meta.lastModified ge "2011-05-13T06:42:34+02:00"', True),
        ('meta.lastModified lt "2012-01-01T00:00:00Z"', True),
        (f'{ENTERPRISE_USER_SCHEMA}:department eq "tour operations"', True),
        (f'{ENTERPRISE_USER_SCHEMA}:manager.value eq "26118915"', True),
        ('nickName eq "x"', False),
        ('nickName ne "x"', True),
        ('userType eq "Employee" and (emails.type eq "work")', False),
    ],
)
def test_matches_whole_resource(text, expected):
    assert matches(parse_filter(text), USER) is expected


def test_matches_simple_multi_valued_elements_by_value():
    node = parse_filter('tags[value eq "b"]')

    assert matches(node, {"tags": ["a", "b"]})
    assert not matches(node, {"tags": ["a"]})


def test_compares_numbers_numerically():
    assert matches(parse_filter("count gt 9"), {"count": 10})
    assert not matches(parse_filter('count gt "9"'), {"count": 10})
