"""The User registry: what every other part of the SCIM layer reads (no database)."""

from __future__ import annotations

import datetime as dt
import uuid

from provisioning.scim import registry
from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA
from provisioning.scim.parsing import parse_user
from provisioning.scim.representation import user_resource

NOW = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)


def a_view() -> dict:
    """A user's view with a distinct value for everything the registry stores."""
    view = {storage: f"v-{storage}" for storage in registry.columns()}
    return view | {
        "scim_id": uuid.UUID(int=1),
        "email": "ann@example.com",
        "email_primary": False,
        "is_active": False,
        "created_at": NOW,
        "updated_at": NOW,
        "version": 4,
        "branches": "Sales",
        "groups": ((1, "Staff"),),
        "phone_numbers": [
            {"value": "+30 210 555 0100", "type": "work", "primary": True},
            {"value": "+30 690 555 0100", "display": "mobile", "type": "mobile"},
        ],
        "addresses": [{"streetAddress": "1 Main St", "locality": "Athens", "country": "GR"}],
        "other_emails": [{"value": "ann@home.example", "type": "home"}],
    }


def test_what_is_rendered_parses_back_to_the_same_values():
    # Every attribute a client may write, and this server shows, makes the round trip: a
    # new attribute declared with a storage key is parsed and rendered with no more code.
    view = a_view()

    parsed = parse_user(user_resource(view, base_url="https://lms.example.com/api/scim2"))

    writable = registry.writable().keys() - {"password"}
    assert set(parsed) == writable
    assert parsed == {storage: view[storage] for storage in writable}


def test_columns_are_what_a_view_reads():
    columns = registry.columns()

    assert "password" not in columns  # never returned, so never read
    assert "groups" not in columns and "branches" not in columns  # relations
    assert {"scim_id", "username", "user_type__name", "manager_ref", "version"} <= set(columns)


def test_filterable_attributes_are_keyed_as_filter_paths():
    filterable = registry.filterable()

    assert {"username", "emails.value", "meta.created", "id", "usertype"} <= set(filterable)
    assert f"{ENTERPRISE_USER_SCHEMA}:department".lower() in filterable
    assert "password" not in filterable  # a filter on it would be an oracle


def test_a_multi_valued_attribute_sorts_by_its_value():
    assert registry.sortable()["emails"].definition.storage == "email"
    assert "emails" in registry.sortable_names()


def test_a_put_clears_what_the_idp_owns_and_keeps_what_the_portal_requires():
    owned = registry.client_owned()

    assert owned["email"] is None and owned["email_type"] == "work"
    assert owned["email_primary"] is True and owned["department"] == ""
    assert not {"is_active", "password", "time_zone", "user_type__name", "branches"} & set(owned)
    assert registry.required_kept() == ("active", "timezone", "userType")


def test_the_log_names_a_field_by_its_scim_attribute():
    names = registry.names_by_field()

    assert names["first_name"] == "name.givenName"
    assert names["user_type"] == "userType"
    assert names["branches"] == "branch"
    assert names["manager_ref"] == "manager.value"
