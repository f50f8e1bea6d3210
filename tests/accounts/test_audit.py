"""The audit trail: each use case of accounts leaves exactly one row, in its transaction, that
says who did what, by which path, from where, and what each field was before."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.exceptions import SuperAdminNotAssignable
from accounts.models import AuditEvent, EventType, Outcome, Source, UserType
from tests.factories import BranchFactory, UserFactory, user_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(username="root@example.com", is_superuser=True, is_staff=True)


@pytest.fixture
def by_root(root) -> services.Actor:
    return services.Actor.for_user(root, address="203.0.113.9")


def only_row() -> AuditEvent:
    [row] = AuditEvent.objects.all()
    return row


def test_an_update_records_each_field_before_and_after(by_root, root, alice):
    services.update_user(
        alice, {"first_name": "Alicia", "time_zone": "Europe/Athens"}, actor=by_root
    )

    row = only_row()
    assert (row.event_type, row.outcome, row.source) == (
        EventType.USER_UPDATED,
        Outcome.SUCCESS,
        Source.PORTAL,
    )
    assert (row.actor_label, row.actor_user, row.address) == (
        "user:root@example.com",
        root,
        "203.0.113.9",
    )
    assert (row.target_user, row.target_label) == (alice, "alice@example.com")
    assert row.changes == [
        {"field": "first_name", "before": "Alice", "after": "Alicia"},
        {"field": "time_zone", "before": "UTC", "after": "Europe/Athens"},
    ]


def test_related_values_are_recorded_by_name(by_root, alice):
    athens = BranchFactory(name="Athens", slug="athens")
    changes = {"user_type": user_type(UserType.TRAINER), "branches": [athens]}

    services.update_user(alice, changes, actor=by_root)

    assert only_row().changes == [
        {"field": "user_type", "before": UserType.LEARNER, "after": UserType.TRAINER},
        {"field": "branches", "before": [], "after": ["Athens"]},
    ]


def test_what_a_first_branch_brings_is_recorded_too(by_root, alice):
    athens = BranchFactory(
        name="Athens",
        slug="athens",
        default_time_zone="Europe/Athens",
        default_user_type=user_type(UserType.TRAINER),
    )
    alice.time_zone_inherited = alice.user_type_inherited = True
    alice.save()

    services.update_user(alice, {"branches": [athens]}, actor=by_root)

    assert only_row().changes == [
        {"field": "branches", "before": [], "after": ["Athens"]},
        {"field": "time_zone", "before": "UTC", "after": "Europe/Athens"},
        {"field": "user_type", "before": UserType.LEARNER, "after": UserType.TRAINER},
    ]


def test_a_password_change_is_recorded_by_name_only(by_root, alice):
    services.update_user(alice, {"password": "A-new-pass-phrase-7"}, actor=by_root)

    row = only_row()
    assert row.changes == [{"field": "password"}]
    stored = repr(list(AuditEvent.objects.values()))
    alice.refresh_from_db()
    assert "A-new-pass-phrase-7" not in stored and alice.password not in stored


def test_a_creation_records_what_the_user_was_given_never_the_password(by_root):
    user = services.create_user(
        services.NewUser(username="carol", email="carol@example.com", password="Pass-phrase-42!"),
        actor=by_root,
    )

    row = only_row()
    assert (row.event_type, row.target_user) == (EventType.USER_CREATED, user)
    assert {"field": "email", "before": None, "after": "carol@example.com"} in row.changes
    assert {"field": "password"} in row.changes
    assert "Pass-phrase-42!" not in repr(row.changes)


@pytest.mark.parametrize(
    ("use_case", "event_type", "changes"),
    [
        (
            services.deactivate_user,
            EventType.USER_DEACTIVATED,
            [{"field": "is_active", "before": True, "after": False}],
        ),
        (services.soft_delete_user, EventType.USER_DELETED, []),
    ],
)
def test_status_changes_are_recorded(by_root, alice, use_case, event_type, changes):
    use_case(alice, actor=by_root)

    row = only_row()
    assert (row.event_type, row.target_user, row.changes) == (event_type, alice, changes)


def test_reactivation_is_recorded(by_root):
    bob = UserFactory(inactive=True)

    services.reactivate_user(bob, actor=by_root)

    assert only_row().event_type == EventType.USER_REACTIVATED


def test_a_restore_is_recorded(by_root, deleted_bob):
    services.restore_user(deleted_bob, actor=by_root)

    row = only_row()
    assert (row.event_type, row.target_user, row.source) == (
        EventType.USER_RESTORED,
        deleted_bob,
        Source.PORTAL,
    )


def test_a_purge_is_recorded_and_scrubs_the_users_personal_data(by_root, deleted_bob):
    bob = deleted_bob
    services.restore_user(bob, actor=by_root)
    services.update_user(bob, {"first_name": "Robert"}, actor=by_root)
    services.soft_delete_user(bob, actor=by_root)
    by_bob = services.Actor.for_user(bob)
    services.create_branch(services.BranchData(name="Oslo", slug="oslo"), actor=by_bob)

    services.permanently_delete_user(bob, actor=services.Actor.system("tests"))

    label = f"purged user {bob.scim_id}"
    stored = repr(list(AuditEvent.objects.values()))
    assert "bob@example.com" not in stored and "Robert" not in stored
    rows = list(AuditEvent.objects.order_by("pk"))
    assert [r.event_type for r in rows] == [
        EventType.USER_RESTORED,
        EventType.USER_UPDATED,
        EventType.USER_DELETED,
        EventType.BRANCH_CREATED,
        EventType.USER_PURGED,
    ]
    assert {r.target_label for r in rows if r.event_type.startswith("user.")} == {label}
    assert rows[1].changes == [{"field": "first_name"}]  # which field, never its values
    assert rows[3].actor_label == label
    assert (rows[4].source, rows[4].actor_label) == (Source.COMMAND, "system:tests")


def test_branches_user_types_and_account_settings_are_recorded(by_root):
    athens = services.create_branch(
        services.BranchData(name="Athens", slug="athens"), actor=by_root
    )
    services.update_branch(
        athens,
        services.BranchData(name="Athens", slug="athens", default_time_zone="Europe/Athens"),
        actor=by_root,
    )
    trainer = user_type(UserType.TRAINER)
    services.update_user_type(trainer, name="Coach", role=trainer.role, actor=by_root)
    services.delete_user_type(trainer, actor=by_root)
    services.update_account_settings(default_language="el", actor=by_root)

    rows = list(AuditEvent.objects.order_by("pk"))
    assert [(r.event_type, r.target_label) for r in rows] == [
        (EventType.BRANCH_CREATED, "Athens"),
        (EventType.BRANCH_UPDATED, "Athens"),
        (EventType.USER_TYPE_UPDATED, "Coach"),
        (EventType.USER_TYPE_DELETED, "Coach"),
        (EventType.ACCOUNT_SETTINGS_UPDATED, "Account settings"),
    ]
    assert rows[1].changes == [
        {"field": "default_time_zone", "before": "", "after": "Europe/Athens"}
    ]
    assert rows[2].changes == [{"field": "name", "before": UserType.TRAINER, "after": "Coach"}]
    assert rows[4].changes == [{"field": "default_language", "before": "en", "after": "el"}]
    assert {r.source for r in rows} == {Source.PORTAL}


def test_a_refused_change_leaves_no_row(by_root, alice):
    with pytest.raises(Exception):
        services.update_user(alice, {"time_zone": "Mars/Olympus"}, actor=by_root)

    assert not AuditEvent.objects.exists()


# SuperAdmin ----------------------------------------------------------------------------------


def super_admin() -> UserType:
    return user_type(UserType.SUPER_ADMIN)


def test_a_super_admin_assigns_super_admin_in_the_portal(by_root, alice):
    services.update_user(alice, {"user_type": super_admin()}, actor=by_root)

    alice.refresh_from_db()
    assert alice.user_type.is_protected


@pytest.mark.parametrize(
    "actor",
    [
        services.Actor(label="scim:token abcd", source=Source.SCIM),
        services.Actor(label="sso:saml", source=Source.SSO),
        services.Actor(label="no path named"),
    ],
)
def test_an_idp_never_assigns_super_admin(actor, alice):
    with pytest.raises(SuperAdminNotAssignable):
        services.update_user(alice, {"user_type": super_admin()}, actor=actor)
    with pytest.raises(SuperAdminNotAssignable):
        services.create_user(services.NewUser(username="x", user_type=super_admin()), actor=actor)


def test_a_portal_admin_who_is_not_super_admin_cannot_assign_it(alice):
    admin = UserFactory(admin=True)

    with pytest.raises(SuperAdminNotAssignable):
        services.update_user(
            alice, {"user_type": super_admin()}, actor=services.Actor.for_user(admin)
        )


def test_a_branch_whose_default_is_super_admin_does_not_make_one_by_scim(alice):
    branch = BranchFactory(name="Owners", slug="owners", default_user_type=super_admin())
    alice.user_type_inherited = True
    alice.save()

    with pytest.raises(SuperAdminNotAssignable):
        services.update_user(
            alice, {"branches": [branch]}, actor=services.Actor(label="scim", source=Source.SCIM)
        )


def test_a_command_may_create_a_super_admin():
    user = services.create_superuser(
        username="owner", email="owner@example.com", password=None, actor=services.Actor.system("t")
    )

    assert user.user_type.is_protected
