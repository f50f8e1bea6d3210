"""Custom user fields in the portal: an admin defines them under Account & Settings, they appear
on the add/edit user forms and filter the Users list; deleting one says first how many users
hold a value, and takes those values with it."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, CustomField, EventType, User, UserType
from provisioning.models import ScimSettings
from tests.factories import UserFactory, user_type

pytestmark = pytest.mark.django_db


def define(admin_client, **data):
    body = {"label": "Cost center", "key": "costCenter", "type": "text", **data}
    return admin_client.post("/settings/custom-fields/new/", body)


@pytest.fixture
def fields(admin_client) -> dict[str, CustomField]:
    """One field of each type."""
    for data in [
        {"label": "Cost center", "key": "costCenter", "type": "text", "unique": "on"},
        {"label": "Badge", "key": "badge", "type": "number"},
        {"label": "Start date", "key": "startDate", "type": "date"},
        {"label": "Remote", "key": "remote", "type": "yes_no"},
        {"label": "Shirt", "key": "shirt", "type": "dropdown", "options": "S\nM\nL"},
    ]:
        assert define(admin_client, **data).status_code == 302
    return {field.key: field for field in CustomField.objects.all()}


def user_data(user: User | None = None, **custom: str) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username if user else "new@example.com",
        "email": user.email if user else "new@example.com",
        "first_name": user.first_name if user else "Ann",
        "last_name": user.last_name if user else "Lee",
        "time_zone": "UTC",
        "language": "en",
        "user_type": user_type(UserType.LEARNER).pk,
    }
    return data | {f"custom_{key}": value for key, value in custom.items()}


def test_the_settings_page_invites_to_add_a_field_then_lists_them(admin_client, fields):
    UserFactory(custom_fields={"costCenter": "4130"})

    page = admin_client.get("/settings/users/").content.decode()

    assert '<h2 id="custom-fields">Custom user fields</h2>' in page
    assert "<code>costCenter</code>" in page
    assert "Drop-down list: S, M, L" in page
    assert AuditEvent.objects.filter(event_type=EventType.CUSTOM_FIELD_CREATED).count() == 5


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"key": "cost center"}, "key", "A key starts with a letter"),
        ({"key": "cost__center"}, "key", "A key starts with a letter"),
        ({"type": "dropdown", "options": ""}, "options", "A drop-down list has 1 to 100 options"),
        ({"type": "dropdown", "options": "A\na"}, "options", "listed once"),
        ({"type": "yes_no", "unique": "on"}, "unique", "cannot be unique"),
    ],
)
def test_a_field_that_cannot_be_made_is_refused_on_its_input(admin_client, data, field, message):
    response = define(admin_client, **data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not CustomField.objects.exists()


def test_a_key_is_unique_whatever_its_case(admin_client, fields):
    response = define(admin_client, key="COSTCENTER")

    assert "exists already" in response.context["form"].errors["key"][0]


def test_editing_keeps_the_type_and_refuses_to_strand_values(admin_client, fields):
    shirt = fields["shirt"]
    UserFactory(custom_fields={"shirt": "M"})
    url = f"/settings/custom-fields/{shirt.pk}/edit/"

    renamed = admin_client.post(
        url, {"label": "T-shirt", "key": "shirt", "type": "text", "options": "S\nM\nL\nXL"}
    )
    stranding = admin_client.post(url, {"label": "T-shirt", "key": "shirt", "options": "S\nL"})

    assert renamed.status_code == 302
    shirt.refresh_from_db()
    assert (shirt.label, shirt.key, shirt.type, shirt.options) == (
        "T-shirt",
        "shirt",
        "dropdown",
        ["S", "M", "L", "XL"],
    )
    assert "Users hold 'M'" in stranding.context["form"].errors["options"][0]


def test_a_new_label_keeps_every_value_even_ones_a_change_of_options_would_refuse(
    admin_client, fields
):
    # Two users share a value of a unique field (written before it was unique, say): a new
    # label touches no value, so it is not refused for them.
    UserFactory(custom_fields={"costCenter": "4130"})
    UserFactory(custom_fields={"costCenter": "4130"})
    url = f"/settings/custom-fields/{fields['costCenter'].pk}/edit/"

    response = admin_client.post(url, {"label": "Cost centre", "key": "costCenter", "unique": "on"})

    assert response.status_code == 302
    assert User.objects.filter(custom_fields__costCenter="4130").count() == 2
    assert CustomField.objects.get(key="costCenter").label == "Cost centre"


def test_the_edit_form_warns_that_a_new_key_needs_a_new_idp_mapping(admin_client, fields):
    page = admin_client.get(f"/settings/custom-fields/{fields['badge'].pk}/edit/").content.decode()

    assert 'name="key" value="badge"' in page
    assert 'aria-describedby="id_key_helptext"' in page
    assert "Changing it moves every stored value to the new key." in page
    assert "Okta: the attribute&#x27;s external name" in page
    assert "Microsoft Entra ID: the target attribute" in page


def test_a_new_key_moves_every_value_in_one_change_on_the_trail(admin_client, fields):
    ann = UserFactory(custom_fields={"badge": 12, "remote": True})
    gone = UserFactory(deleted=True, custom_fields={"badge": 9})
    UserFactory(custom_fields={"remote": False})
    version = ann.version
    url = f"/settings/custom-fields/{fields['badge'].pk}/edit/"

    response = admin_client.post(url, {"label": "Badge number", "key": "badgeNumber"}, follow=True)

    assert response.redirect_chain[-1][0] == "/settings/users/#custom-fields"
    assert "its values moved from the key badge to badgeNumber" in response.content.decode()
    ann.refresh_from_db()
    gone.refresh_from_db()
    assert ann.custom_fields == {"badgeNumber": 12, "remote": True}
    assert gone.custom_fields == {"badgeNumber": 9}
    assert ann.version > version  # its SCIM representation changed: so does its ETag
    assert not User.objects.filter(custom_fields__has_key="badge").exists()
    row = AuditEvent.objects.filter(event_type=EventType.CUSTOM_FIELD_UPDATED).get()
    assert row.changes == [
        {"field": "key", "before": "badge", "after": "badgeNumber"},
        {"field": "label", "before": "Badge", "after": "Badge number"},
    ]
    assert row.detail == "Key renamed from 'badge' to 'badgeNumber': values of 2 user(s) moved."


def test_the_edit_form_shows_a_value_under_the_new_key(admin_client, fields):
    ann = UserFactory(custom_fields={"badge": 12})
    admin_client.post(
        f"/settings/custom-fields/{fields['badge'].pk}/edit/",
        {"label": "Badge", "key": "badgeNumber"},
    )

    page = admin_client.get(f"/users/{ann.pk}/edit/").content.decode()

    assert 'name="custom_badgeNumber" value="12"' in page


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("COSTCENTER", "A custom field with the key 'COSTCENTER' exists already."),
        ("badge number", "A key starts with a letter"),
        ("orphan", "Some users hold a value under 'orphan' that belongs to no field"),
    ],
)
def test_a_new_key_that_is_taken_or_malformed_is_refused_and_nothing_moves(
    admin_client, fields, key, message
):
    ann = UserFactory(custom_fields={"badge": 12})
    UserFactory(custom_fields={"orphan": "left by a lost race"})
    url = f"/settings/custom-fields/{fields['badge'].pk}/edit/"

    response = admin_client.post(url, {"label": "Badge", "key": key})

    assert response.status_code == 200
    assert message in response.context["form"].errors["key"][0]
    ann.refresh_from_db()
    assert ann.custom_fields == {"badge": 12}
    assert CustomField.objects.get(pk=fields["badge"].pk).key == "badge"
    assert not AuditEvent.objects.filter(event_type=EventType.CUSTOM_FIELD_UPDATED).exists()


def test_a_key_may_change_its_case_only(admin_client, fields):
    ann = UserFactory(custom_fields={"costCenter": "4130"})

    response = admin_client.post(
        f"/settings/custom-fields/{fields['costCenter'].pk}/edit/",
        {"label": "Cost center", "key": "CostCenter", "unique": "on"},
    )

    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.custom_fields == {"CostCenter": "4130"}


def test_deleting_says_how_many_hold_a_value_then_takes_the_values(admin_client, fields):
    holder = UserFactory(custom_fields={"badge": 7, "remote": True})
    UserFactory(custom_fields={"badge": 9})
    url = f"/settings/custom-fields/{fields['badge'].pk}/delete/"

    confirm = admin_client.get(url).content.decode()
    response = admin_client.post(url)

    assert "2 users hold a value of it." in confirm
    assert response.status_code == 302
    assert not CustomField.objects.filter(key="badge").exists()
    holder.refresh_from_db()
    assert holder.custom_fields == {"remote": True}
    event = AuditEvent.objects.filter(event_type=EventType.CUSTOM_FIELD_DELETED).get()
    assert event.detail == "Values removed from 2 user(s)."


def test_a_new_user_gets_a_typed_value_of_every_field(admin_client, fields):
    response = admin_client.post(
        "/users/new/",
        user_data(costCenter=" 4130 ", badge="12", startDate="2026-01-31", remote="yes", shirt="L"),
    )

    assert response.status_code == 302
    assert User.objects.get(username="new@example.com").custom_fields == {
        "costCenter": "4130",
        "badge": 12,
        "startDate": "2026-01-31",
        "remote": True,
        "shirt": "L",
    }


def test_an_edit_changes_and_clears_values_and_the_trail_says_what_they_were(admin_client, fields):
    ann = UserFactory(custom_fields={"costCenter": "4130", "badge": 12})

    response = admin_client.post(
        f"/users/{ann.pk}/edit/", user_data(ann, costCenter="4200", badge="", remote="no")
    )

    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.custom_fields == {"costCenter": "4200", "remote": False}
    [row] = AuditEvent.objects.filter(target_user=ann)
    assert row.changes == [
        {
            "field": "custom_fields",
            "before": {"costCenter": "4130", "badge": 12},
            "after": {"costCenter": "4200", "remote": False},
        }
    ]


def test_the_edit_form_shows_the_values_held(admin_client, fields):
    ann = UserFactory(custom_fields={"costCenter": "4130", "remote": True, "shirt": "S"})

    page = admin_client.get(f"/users/{ann.pk}/edit/").content.decode()

    assert "<legend>Custom fields</legend>" in page
    assert 'value="4130"' in page
    assert '<option value="yes" selected>Yes</option>' in page
    assert '<option value="S" selected>S</option>' in page


def test_a_unique_value_held_by_another_user_is_refused_on_its_field(admin_client, fields):
    UserFactory(custom_fields={"costCenter": "4130"})

    response = admin_client.post("/users/new/", user_data(costCenter="4130"))

    assert response.status_code == 200
    assert (
        "Cost center (costCenter): '4130' is held by another user."
        in response.context["form"].errors["custom_costCenter"][0]
    )
    assert not User.objects.filter(username="new@example.com").exists()


def test_an_edit_to_a_unique_value_a_deleted_user_holds_says_so_on_its_field(admin_client, fields):
    UserFactory(deleted=True, custom_fields={"costCenter": "4130"})
    ann = UserFactory(custom_fields={"costCenter": "4200"})

    response = admin_client.post(f"/users/{ann.pk}/edit/", user_data(ann, costCenter="4130"))

    assert response.status_code == 200
    [error] = response.context["form"].errors["custom_costCenter"]
    assert error.startswith("Cost center (costCenter): '4130' is held by a deleted user.")
    ann.refresh_from_db()
    assert ann.custom_fields == {"costCenter": "4200"}


def test_a_required_field_is_asked_for(admin_client, fields):
    define(admin_client, label="Employee id", key="employeeId", required="on")

    response = admin_client.post("/users/new/", user_data())

    assert "This field is required." in response.context["form"].errors["custom_employeeId"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("field=shirt&value=M", ["m"]),
        ("field=remote&value=yes", ["m"]),
        ("field=remote&value=no", ["l"]),
        ("field=badge&value=12", ["l"]),
        ("field=startDate&value=2026-01-31", ["m"]),
        ("field=remote&value=maybe", []),
        ("field=nosuchfield&value=x", ["l", "m", "none"]),
    ],
)
def test_the_users_list_filters_by_a_custom_field(admin_client, fields, query, expected):
    UserFactory(
        username="m", custom_fields={"shirt": "M", "remote": True, "startDate": "2026-01-31"}
    )
    UserFactory(username="l", custom_fields={"shirt": "L", "remote": False, "badge": 12})
    UserFactory(username="none")

    response = admin_client.get(f"/users/?{query}")

    names = sorted(u.username for u in response.context["page"] if u.username in {"m", "l", "none"})
    assert names == expected


def test_scim_provisioning_of_the_fields_is_switched_on_in_the_scim_section(admin_client, fields):
    page = admin_client.get("/settings/scim/").content.decode()
    assert "Enable SCIM v2 custom fields provisioning" in page
    assert "<strong>External name</strong> the field's key (<code>costCenter</code>" in page

    response = admin_client.post("/settings/scim/custom-fields/", {"custom_fields_enabled": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/settings/scim/"
    assert ScimSettings.load().custom_fields_enabled
    assert AuditEvent.objects.filter(detail="custom fields provisioning on").exists()
