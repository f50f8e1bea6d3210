"""The back office (/admin/): every change goes through a use case, recorded as the back
office's, at the client's address."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, Branch, EventType, Source, User, UserType

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_user_changed_in_the_back_office_is_recorded_as_such(back_office, admin_user, alice):
    form = {
        "username": alice.username,
        "email": alice.email,
        "first_name": "Alicia",
        "last_name": alice.last_name,
        "time_zone": alice.time_zone,
        "user_type": alice.user_type_id,
        "language": alice.language,
        "is_active": "on",
    }

    response = back_office.post(f"/admin/accounts/user/{alice.pk}/change/", form)

    assert response.status_code == 302
    [row] = AuditEvent.objects.all()
    assert (row.event_type, row.source, row.actor_user, row.address) == (
        EventType.USER_UPDATED,
        Source.BACK_OFFICE,
        admin_user,
        "127.0.0.1",
    )
    assert row.changes == [{"field": "first_name", "before": "Alice", "after": "Alicia"}]


def test_a_user_added_in_the_back_office_is_recorded(back_office):
    response = back_office.post(
        "/admin/accounts/user/add/", {"username": "carol", "email": "carol@example.com"}
    )

    assert response.status_code == 302
    carol = User.objects.get(username="carol")
    [row] = AuditEvent.objects.all()
    assert (row.event_type, row.source, row.target_user) == (
        EventType.USER_CREATED,
        Source.BACK_OFFICE,
        carol,
    )


def test_a_purge_in_the_back_office_scrubs_the_trail(back_office, deleted_bob):
    back_office.post(
        "/admin/accounts/user/",
        {"action": "purge", "_selected_action": [deleted_bob.pk]},
    )

    assert not User.objects.filter(pk=deleted_bob.pk).exists()
    [row] = AuditEvent.objects.all()
    assert (row.event_type, row.source) == (EventType.USER_PURGED, Source.BACK_OFFICE)


def test_a_branch_saved_in_the_back_office_is_recorded(back_office):
    response = back_office.post(
        "/admin/accounts/branch/add/", {"name": "Athens", "slug": "athens", "is_active": "on"}
    )

    assert response.status_code == 302
    assert Branch.objects.filter(name="Athens").exists()
    [row] = AuditEvent.objects.all()
    assert (row.event_type, row.source, row.target_label) == (
        EventType.BRANCH_CREATED,
        Source.BACK_OFFICE,
        "Athens",
    )


def test_user_types_added_and_changed_in_the_back_office_are_recorded(back_office):
    back_office.post("/admin/accounts/usertype/add/", {"name": "Coach", "role": "instructor"})
    coach = UserType.objects.get(name="Coach")
    back_office.post(
        f"/admin/accounts/usertype/{coach.pk}/change/", {"name": "Mentor", "role": "instructor"}
    )

    rows = list(AuditEvent.objects.order_by("pk"))
    assert [(r.event_type, r.source, r.target_label) for r in rows] == [
        (EventType.USER_TYPE_CREATED, Source.BACK_OFFICE, "Coach"),
        (EventType.USER_TYPE_UPDATED, Source.BACK_OFFICE, "Mentor"),
    ]
    assert rows[1].changes == [{"field": "name", "before": "Coach", "after": "Mentor"}]


def test_account_settings_changed_in_the_back_office_are_recorded(back_office):
    from accounts.models import AccountSettings

    account = AccountSettings.load()
    response = back_office.post(
        f"/admin/accounts/accountsettings/{account.pk}/change/",
        {
            "default_time_zone": "Europe/Athens",
            "default_user_type": account.default_user_type_id,
            "default_language": account.default_language,
        },
    )

    assert response.status_code == 302
    [row] = AuditEvent.objects.all()
    assert (row.event_type, row.source) == (EventType.ACCOUNT_SETTINGS_UPDATED, Source.BACK_OFFICE)
    assert row.changes == [
        {"field": "default_time_zone", "before": "UTC", "after": "Europe/Athens"}
    ]


def test_account_settings_the_domain_refuses_are_a_message_not_an_error(back_office):
    from accounts.models import AccountSettings

    account = AccountSettings.load()
    form = {
        "default_time_zone": "UTC",
        "default_user_type": account.default_user_type_id,
        "default_language": "not a tag",
    }

    response = back_office.post("/admin/accounts/accountsettings/1/change/", form, follow=True)

    assert response.status_code == 200
    assert "is not a language tag" in response.content.decode()
    assert AccountSettings.load().default_language == account.default_language
    assert not AuditEvent.objects.exists()
