"""Users pages: list, search, filters, create, edit, (de)activate, delete, restore, purge."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, EventType, Source, User, UserSource, UserType
from tests.factories import BranchFactory, UserFactory, account_settings, user_type

pytestmark = pytest.mark.django_db


def usernames(response) -> list[str]:
    return [u.username for u in response.context["page"]]


def test_lists_users_newest_first_without_deleted_ones(admin_client, portal_admin):
    _older, _newer = UserFactory(username="older"), UserFactory(username="newer")
    UserFactory(username="gone", deleted=True)

    response = admin_client.get("/users/")

    assert usernames(response) == ["newer", "older", portal_admin.username]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=LIDDELL", ["alice"]),
        ("q=carol%40example", ["carol"]),
        ("status=inactive", ["carol"]),
        ("source=scim", ["carol"]),
    ],
)
def test_searches_and_filters(admin_client, query, expected):
    UserFactory(username="alice", last_name="Liddell")
    UserFactory(username="carol", email="carol@example.com", inactive=True, source=UserSource.SCIM)

    assert usernames(admin_client.get(f"/users/?{query}")) == expected


def test_filters_by_branch_and_user_type(admin_client):
    sales = BranchFactory(name="Sales")
    trainer = UserFactory(username="trainer", user_type=user_type(UserType.TRAINER))
    trainer.branches.add(sales)
    UserFactory(username="other")

    assert usernames(admin_client.get(f"/users/?branch={sales.pk}")) == ["trainer"]
    trainer_type = user_type(UserType.TRAINER).pk
    assert usernames(admin_client.get(f"/users/?user_type={trainer_type}")) == ["trainer"]


def test_paginates_with_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    UserFactory.create_batch(120)

    with django_assert_max_num_queries(8):
        response = admin_client.get("/users/?page=2")

    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 121


def test_creates_user_in_a_branch_with_its_defaults(admin_client):
    branch = BranchFactory(
        name="Tokyo", default_time_zone="Asia/Tokyo", default_user_type=user_type(UserType.TRAINER)
    )

    response = admin_client.post(
        "/users/new/",
        {
            "username": "kenji",
            "email": "kenji@example.com",
            "first_name": "Kenji",
            "branch": branch.pk,
        },
    )

    assert response.status_code == 302
    kenji = User.objects.get(username="kenji")
    assert (kenji.time_zone, kenji.user_type.name) == ("Asia/Tokyo", UserType.TRAINER)
    assert kenji.source == UserSource.MANUAL


def test_create_without_branch_takes_account_defaults(admin_client):
    account_settings(default_time_zone="Europe/Athens")

    admin_client.post("/users/new/", {"username": "eleni"})

    assert User.objects.get(username="eleni").time_zone == "Europe/Athens"


def test_explains_an_email_held_by_a_deleted_user(admin_client, deleted_bob):
    response = admin_client.post("/users/new/", {"username": "bob2", "email": "BOB@example.com"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "This email belongs to a deleted user: restore it or delete it permanently under "
        "Deleted users."
    ]


def test_field_errors_in_words(admin_client, alice):
    response = admin_client.post(
        "/users/new/",
        {
            "username": "ALICE@example.com",
            "time_zone": "Mars/Base",
            "password": "123",
        },
    )

    errors = response.context["form"].errors
    assert "not an IANA time zone" in errors["time_zone"][0]


def test_edits_a_user(admin_client, alice):
    response = admin_client.post(
        f"/users/{alice.pk}/edit/",
        {
            "username": alice.username,
            "email": "alice@new.example.com",
            "first_name": "Alicia",
            "last_name": "Liddell",
            "time_zone": "Europe/Paris",
            "language": "fr",
            "user_type": user_type(UserType.LEARNER).pk,
        },
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.email, alice.first_name, alice.time_zone) == (
        "alice@new.example.com",
        "Alicia",
        "Europe/Paris",
    )


def test_an_edit_leaves_one_row_saying_who_from_where_and_what_before(
    admin_client, portal_admin, alice
):
    admin_client.post(
        f"/users/{alice.pk}/edit/",
        {
            "username": alice.username,
            "email": alice.email,
            "first_name": "Alicia",
            "last_name": "Liddell",
            "time_zone": "UTC",
            "language": "en",
            "user_type": user_type(UserType.LEARNER).pk,
            "password": "A-new-pass-phrase-9",
        },
    )

    [row] = AuditEvent.objects.all()
    assert (row.event_type, row.source, row.actor_user, row.address, row.target_user) == (
        EventType.USER_UPDATED,
        Source.PORTAL,
        portal_admin,
        "127.0.0.1",
        alice,
    )
    assert row.changes == [
        {"field": "first_name", "before": "Alice", "after": "Alicia"},
        {"field": "password"},
    ]


def test_deactivates_and_activates(admin_client, alice):
    admin_client.post(f"/users/{alice.pk}/deactivate/")
    alice.refresh_from_db()
    assert not alice.is_active

    admin_client.post(f"/users/{alice.pk}/activate/")
    alice.refresh_from_db()
    assert alice.is_active


def test_delete_asks_first_then_soft_deletes(admin_client, alice):
    confirm = admin_client.get(f"/users/{alice.pk}/delete/")
    assert b"restore it from" in confirm.content

    admin_client.post(f"/users/{alice.pk}/delete/")

    alice.refresh_from_db()
    assert alice.is_deleted
    assert usernames(admin_client.get("/users/deleted/")) == [alice.username]


def test_restores_a_deleted_user(admin_client, deleted_bob):
    admin_client.post(f"/users/{deleted_bob.pk}/restore/")

    deleted_bob.refresh_from_db()
    assert not deleted_bob.is_deleted
    [row] = AuditEvent.objects.all()
    assert (row.event_type, row.source, row.target_user) == (
        EventType.USER_RESTORED,
        Source.PORTAL,
        deleted_bob,
    )


def test_permanent_delete_warns_frees_the_email_and_is_logged(admin_client, deleted_bob):
    confirm = admin_client.get(f"/users/{deleted_bob.pk}/purge/")
    assert b"This cannot be undone." in confirm.content
    assert b"bob@example.com" in confirm.content

    admin_client.post(f"/users/{deleted_bob.pk}/purge/")

    assert not User.objects.filter(pk=deleted_bob.pk).exists()
    [row] = AuditEvent.objects.all()
    assert (row.event_type, row.source, row.target_label) == (
        EventType.USER_PURGED,
        Source.PORTAL,
        f"purged user {deleted_bob.scim_id}",
    )
    admin_client.post("/users/new/", {"username": "new-bob", "email": "bob@example.com"})
    assert User.objects.filter(email="bob@example.com").exists()


def test_live_users_cannot_be_purged(admin_client, alice):
    assert admin_client.post(f"/users/{alice.pk}/purge/").status_code == 404


def test_admins_cannot_lock_themselves_out(admin_client, portal_admin):
    admin_client.post(f"/users/{portal_admin.pk}/deactivate/")
    admin_client.post(f"/users/{portal_admin.pk}/delete/")

    portal_admin.refresh_from_db()
    assert portal_admin.is_active and not portal_admin.is_deleted


def test_going_back_after_deactivation_stays_on_this_site(admin_client, alice):
    response = admin_client.post(
        f"/users/{alice.pk}/deactivate/", {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/users/"

    response = admin_client.post(f"/users/{alice.pk}/activate/", {"next": "/users/?page=2"})
    assert response["Location"] == "/users/?page=2"


def test_own_row_offers_no_deactivate_or_delete(admin_client, portal_admin):
    response = admin_client.get("/users/")

    assert f"/users/{portal_admin.pk}/delete/".encode() not in response.content


@pytest.mark.parametrize("action", ["edit/", "deactivate/", "delete/"])
def test_admins_cannot_touch_superadmins_or_back_office_accounts(admin_client, admin_user, action):
    method = admin_client.get if action == "edit/" else admin_client.post
    response = method(f"/users/{admin_user.pk}/{action}")

    assert response.status_code == 403
    assert b"Only a superuser can change" in response.content
    admin_user.refresh_from_db()
    assert admin_user.is_active and not admin_user.is_deleted


def test_admins_cannot_make_superadmins(admin_client, alice):
    super_admin = user_type(UserType.SUPER_ADMIN)

    response = admin_client.post(
        f"/users/{alice.pk}/edit/",
        {
            "username": alice.username,
            "user_type": super_admin.pk,
        },
    )

    assert "user_type" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.user_type != super_admin


def test_superusers_can_manage_back_office_accounts(client, admin_user):
    staff = UserFactory(username="staff@example.com", is_staff=True)
    client.force_login(admin_user)

    assert client.get(f"/users/{staff.pk}/edit/").status_code == 200


def test_the_password_help_fits_adding_and_editing(admin_client, alice):
    adding = admin_client.get("/users/new/").content.decode()
    editing = admin_client.get(f"/users/{alice.pk}/edit/").content.decode()

    assert "Leave empty to create the user without a password" in adding
    assert "keep the current password" not in adding
    assert "Leave empty to keep the current password." in editing


def test_every_field_error_shows_at_once(admin_client, alice, deleted_bob):
    response = admin_client.post(
        "/users/new/",
        {
            "username": alice.username.upper(),
            "email": deleted_bob.email,
            "time_zone": "Mars/Base",
            "password": "A-long-pass-phrase-9",
        },
    )

    errors = response.context["form"].errors
    assert "not an IANA time zone" in errors["time_zone"][0]
    assert "already used by another user" in errors["username"][0]
    assert "belongs to a deleted user" in errors["email"][0]
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
