"""The user's page shows and edits the whole profile an IdP pushes, and says who owns it."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, User, UserSource, UserType
from tests.factories import UserFactory, user_type

pytestmark = pytest.mark.django_db

PROFILE = {
    "display_name": "Babs Jensen",
    "honorific_prefix": "Ms.",
    "middle_name": "Jane",
    "honorific_suffix": "III",
    "formatted_name": "Ms. Barbara J Jensen, III",
    "nick_name": "Babs",
    "title": "Tour Guide",
    "profile_url": "https://login.example.com/bjensen",
    "employee_number": "701984",
    "organization": "Contoso",
    "division": "EMEA",
    "department": "Sales",
    "cost_center": "4130",
}


def form_data(user: User, **changes: str) -> dict[str, object]:
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "time_zone": user.time_zone,
        "language": user.language,
        "user_type": user.user_type_id,
        **{name: getattr(user, name) for name in PROFILE},
        **changes,
    }


def test_the_page_shows_the_profile_the_idp_pushed_and_that_it_owns_it(admin_client):
    barbara = UserFactory(source=UserSource.SCIM, **PROFILE)

    response = admin_client.get(f"/users/{barbara.pk}/edit/")

    page = response.content.decode()
    assert "<legend>Profile</legend>" in page
    for value in PROFILE.values():
        assert f'value="{value}"' in page
    assert "its next update of this user overwrites a change made here" in page


def test_a_user_made_in_the_portal_carries_no_idp_note(admin_client, alice):
    response = admin_client.get(f"/users/{alice.pk}/edit/")

    assert 'id="idp-managed"' not in response.content.decode()


def test_an_admin_edits_the_profile_and_the_trail_says_what_it_was(admin_client, alice):
    response = admin_client.post(
        f"/users/{alice.pk}/edit/", form_data(alice, title="Queen", nick_name="Al")
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.title, alice.nick_name) == ("Queen", "Al")
    [row] = AuditEvent.objects.all()
    assert row.changes == [
        {"field": "nick_name", "before": "", "after": "Al"},
        {"field": "title", "before": "", "after": "Queen"},
    ]


def test_a_new_user_is_created_with_a_profile(admin_client):
    response = admin_client.post(
        "/users/new/",
        {
            "username": "bjensen@example.com",
            "email": "bjensen@example.com",
            "user_type": user_type(UserType.LEARNER).pk,
            **PROFILE,
        },
    )

    assert response.status_code == 302
    barbara = User.objects.get(username="bjensen@example.com")
    assert {name: getattr(barbara, name) for name in PROFILE} == PROFILE


def test_a_value_too_long_is_refused_on_its_field_and_nothing_is_saved(admin_client, alice):
    response = admin_client.post(
        f"/users/{alice.pk}/edit/", form_data(alice, honorific_prefix="x" * 51, title="Queen")
    )

    assert response.status_code == 200
    assert "at most 50 characters" in response.context["form"].errors["honorific_prefix"][0]
    alice.refresh_from_db()
    assert alice.title == ""


def test_the_page_shows_the_phone_numbers_and_addresses_the_idp_sent(admin_client):
    barbara = UserFactory(
        source=UserSource.SCIM,
        phone_numbers=[{"value": "+30 210 555 0100", "type": "work", "primary": True}],
        addresses=[{"formatted": "1 Main St\nAthens", "type": "home"}],
    )

    page = admin_client.get(f"/users/{barbara.pk}/edit/").content.decode()

    assert "<dt>Phone (work), primary</dt>" in page
    assert "<dd>+30 210 555 0100</dd>" in page
    assert "<dt>Address (home)</dt>" in page
    assert "1 Main St<br>Athens" in page
