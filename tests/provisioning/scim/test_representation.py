"""user_resource and project: the SCIM User document (no database)."""

from __future__ import annotations

import datetime as dt
import uuid

from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA, USER_SCHEMA
from provisioning.scim.representation import UserView, etag, project, user_resource

BASE = "https://lms.example.com/api/scim2"
CREATED = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)


def view(**fields) -> UserView:
    """A user's view as the queries read it: values by the registry's storage keys."""
    defaults = {
        "scim_id": uuid.UUID("2819c223-7f76-453a-919d-413861904646"),
        "username": "bjensen@example.com",
        "email": "bjensen@example.com",
        "email_type": "work",
        "email_primary": True,
        "is_active": True,
        "created_at": CREATED,
        "updated_at": CREATED + dt.timedelta(hours=1),
        "version": 3,
        "external_id": "",
        "first_name": "Barbara",
        "last_name": "Jensen",
        "display_name": "",
        "formatted_name": "",
        "middle_name": "",
        "honorific_prefix": "",
        "honorific_suffix": "",
        "nick_name": "",
        "title": "",
        "profile_url": "",
        "phone_numbers": [],
        "addresses": [],
        "time_zone": "Europe/Athens",
        "user_type__name": "Learner-Type",
        "language": "en",
        "locale": "",
        "employee_number": "",
        "cost_center": "",
        "organization": "",
        "division": "",
        "department": "",
        "manager_ref": "",
        "manager_display_name": "",
        "other_emails": [],
        "branches": "",
        "groups": (),
    }
    return {**defaults, **fields}


def test_renders_the_whole_document():
    resource = user_resource(
        view(
            branches="Sales",
            department="R&D",
            manager_ref="m-1",
            groups=((7, "Staff"),),
            middle_name="Jane",
            honorific_prefix="Ms.",
            nick_name="Babs",
            title="Tour Guide",
            profile_url="https://login.example.com/bjensen",
        ),
        base_url=BASE,
    )

    assert resource == {
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "userName": "bjensen@example.com",
        "name": {
            "familyName": "Jensen",
            "givenName": "Barbara",
            "middleName": "Jane",
            "honorificPrefix": "Ms.",
        },
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "title": "Tour Guide",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
        "active": True,
        "timezone": "Europe/Athens",
        "userType": "Learner-Type",
        "preferredLanguage": "en",
        "groups": [
            {"value": "7", "$ref": f"{BASE}/Groups/7", "display": "Staff", "type": "direct"}
        ],
        ENTERPRISE_USER_SCHEMA: {
            "department": "R&D",
            "manager": {"value": "m-1", "$ref": f"{BASE}/Users/m-1"},
        },
        LMS_USER_SCHEMA: {"branch": "Sales"},
        "meta": {
            "resourceType": "User",
            "created": "2026-01-02T03:04:05.678Z",
            "lastModified": "2026-01-02T04:04:05.678Z",
            "location": f"{BASE}/Users/2819c223-7f76-453a-919d-413861904646",
            "version": 'W/"3"',
        },
    }


def test_omits_unassigned_attributes_but_keeps_false():
    resource = user_resource(
        view(email=None, first_name="", last_name="", is_active=False), base_url=BASE
    )

    assert "emails" not in resource and "name" not in resource
    assert resource["active"] is False


def test_etag_is_weak_and_versioned():
    assert etag(12) == 'W/"12"'


def test_projection_keeps_asked_attributes_and_always_id_and_schemas():
    resource = user_resource(view(), base_url=BASE)

    assert project(resource, attributes=["userName", "NAME.givenName", "meta.version"]) == {
        "schemas": [USER_SCHEMA],
        "id": resource["id"],
        "userName": "bjensen@example.com",
        "name": {"givenName": "Barbara"},
        "meta": {"version": 'W/"3"'},
    }


def test_projection_excludes_attributes_but_never_id():
    resource = user_resource(view(), base_url=BASE)

    projected = project(
        resource, excluded=["emails", "id", "name.familyName", f"{USER_SCHEMA}:timezone"]
    )

    assert "emails" not in projected and "timezone" not in projected
    assert projected["id"] == resource["id"]
    assert projected["name"] == {"givenName": "Barbara"}
