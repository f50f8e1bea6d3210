"""Use cases of accounts.services: creation, uniqueness, status, soft and permanent deletion."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts import services
from accounts.exceptions import (
    EmailInUse,
    InvalidField,
    InvalidPassword,
    ProtectedUserType,
    UserIsDeleted,
    UsernameInUse,
    UserNotDeleted,
    VersionMismatch,
)
from accounts.models import User, UserType
from accounts.services import audit

pytestmark = pytest.mark.django_db


def new_user(**fields) -> services.NewUser:
    fields.setdefault("username", "carol@example.com")
    fields.setdefault("email", fields["username"])
    return services.NewUser(**fields)


def test_hashes_the_password_before_its_transaction(actor, monkeypatch):
    depth = []  # how many atomic blocks were open when hashing
    hash_password = User.set_password

    def set_password(user, raw):
        depth.append(len(connection.atomic_blocks))
        hash_password(user, raw)

    monkeypatch.setattr(User, "set_password", set_password)
    outside = len(connection.atomic_blocks)

    user = services.create_user(new_user(password="s3cret-Passphrase!"), actor=actor)

    assert depth == [outside]
    assert user.check_password("s3cret-Passphrase!")


def test_a_failing_audit_row_leaves_no_user(actor, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("recording failed")

    monkeypatch.setattr(audit, "record", fail)

    with pytest.raises(RuntimeError):
        services.create_user(new_user(username="ghost@example.com"), actor=actor)

    assert not User.objects.filter(username="ghost@example.com").exists()


def test_creates_user_with_hashed_password(actor):
    user = services.create_user(new_user(password="s3cret-Passphrase!"), actor=actor)

    user.refresh_from_db()
    assert user.check_password("s3cret-Passphrase!")
    assert "s3cret" not in user.password
    assert user.is_active
    assert user.version == 1


def test_user_without_password_cannot_sign_in_with_one(actor):
    user = services.create_user(new_user(), actor=actor)

    assert not user.has_usable_password()


def test_refuses_weak_password_with_reasons(actor):
    with pytest.raises(InvalidPassword) as error:
        services.create_user(new_user(password="123"), actor=actor)

    assert "too short" in str(error.value)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "   "),
        ("email", "not-an-email"),
        ("time_zone", "Mars/Olympus_Mons"),
        ("language", "english please"),
        # Valid, but longer than the columns: PostgreSQL refused them with a DataError (a 503).
        ("email", "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".com"),
        ("language", "en-" + "-".join(["abcdefgh"] * 4)),
        ("locale", "en-" + "-".join(["abcdefgh"] * 4)),
    ],
)
def test_refuses_invalid_fields(actor, field, value):
    with pytest.raises(InvalidField) as error:
        services.create_user(new_user(**{field: value}), actor=actor)

    assert error.value.field == field


def test_username_is_unique_case_insensitively(actor, alice):
    with pytest.raises(UsernameInUse) as error:
        services.create_user(
            new_user(username="ALICE@example.com", email="other@example.com"), actor=actor
        )

    assert not error.value.held_by_deleted_user


def test_email_is_unique_case_insensitively(actor, alice):
    with pytest.raises(EmailInUse):
        services.create_user(new_user(username="alice2", email="Alice@Example.COM"), actor=actor)


def test_soft_deleted_user_still_holds_its_email_and_says_how_to_free_it(actor, deleted_bob):
    with pytest.raises(EmailInUse) as error:
        services.create_user(new_user(username="bob2", email="BOB@example.com"), actor=actor)

    assert error.value.held_by_deleted_user
    assert "deleted user" in str(error.value)
    assert "purge_deleted_users" in str(error.value)


def test_update_changes_fields_and_moves_version(actor, alice):
    change = services.update_user(
        alice, {"first_name": "Alicia", "time_zone": "Europe/Athens"}, actor=actor
    )

    assert change.changed == ("first_name", "time_zone")
    alice.refresh_from_db()
    assert (alice.first_name, alice.time_zone, alice.version) == ("Alicia", "Europe/Athens", 2)


def test_update_without_changes_keeps_version(actor, alice):
    change = services.update_user(alice, {"first_name": alice.first_name}, actor=actor)

    assert change.changed == ()
    alice.refresh_from_db()
    assert alice.version == 1


def test_update_is_all_or_nothing(actor, alice, deleted_bob):
    with pytest.raises(EmailInUse):
        services.update_user(
            alice, {"first_name": "Changed", "email": "bob@example.com"}, actor=actor
        )

    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_a_version_precondition_holds_only_at_the_versions_named(alice):
    services.require_version(alice, {alice.version, 7})
    services.require_version(alice, None)
    with pytest.raises(VersionMismatch):
        services.require_version(alice, {7})


def test_update_refuses_deleted_user(actor, deleted_bob):
    with pytest.raises(UserIsDeleted):
        services.update_user(deleted_bob, {"first_name": "X"}, actor=actor)


def test_password_update_is_validated_and_hashed(actor, alice):
    change = services.update_user(alice, {"password": "a-much-better-passphrase"}, actor=actor)

    assert change.changed == ("password",)
    alice.refresh_from_db()
    assert alice.check_password("a-much-better-passphrase")


def test_deactivate_and_reactivate_record_the_time_of_change(actor, alice):
    before = alice.status_changed_at

    services.deactivate_user(alice, actor=actor)
    alice.refresh_from_db()
    assert not alice.is_active
    assert alice.status_changed_at > before

    services.reactivate_user(alice, actor=actor)
    alice.refresh_from_db()
    assert alice.is_active


def test_soft_delete_and_restore(actor, alice):
    services.soft_delete_user(alice, actor=actor)
    assert not User.objects.alive().filter(pk=alice.pk).exists()
    assert User.objects.soft_deleted().filter(pk=alice.pk).exists()

    services.restore_user(alice, actor=actor)
    assert User.objects.alive().filter(pk=alice.pk).exists()


def test_permanent_delete_frees_username_and_email(actor, deleted_bob):
    services.permanently_delete_user(deleted_bob, actor=actor)

    again = services.create_user(new_user(username="bob@example.com"), actor=actor)
    assert again.pk != deleted_bob.pk


def test_permanent_delete_refuses_user_that_is_not_deleted(actor, alice):
    with pytest.raises(UserNotDeleted):
        services.permanently_delete_user(alice, actor=actor)

    assert User.objects.filter(pk=alice.pk).exists()


def test_seeds_the_four_default_user_types():
    types = {t.name: t.role for t in UserType.objects.filter(is_builtin=True)}

    assert types == {
        "SuperAdmin": "administrator",
        "Admin-Type": "administrator",
        "Trainer-Type": "instructor",
        "Learner-Type": "learner",
    }


def test_super_admin_type_cannot_be_changed_or_deleted(actor):
    super_admin = UserType.objects.get(name=UserType.SUPER_ADMIN)

    with pytest.raises(ProtectedUserType):
        services.update_user_type(super_admin, name="Boss", role="administrator", actor=actor)
    with pytest.raises(ProtectedUserType):
        services.delete_user_type(super_admin, actor=actor)


def test_custom_user_types_can_be_changed_and_deleted(actor):
    custom = UserType.objects.create(name="Auditor", role="learner")

    services.update_user_type(custom, name="Reviewer", role="instructor", actor=actor)
    services.delete_user_type(custom, actor=actor)

    assert not UserType.objects.filter(name__in=["Auditor", "Reviewer"]).exists()


def test_email_is_optional_and_several_users_may_have_none(actor):
    first = services.create_user(services.NewUser(username="no-mail-1"), actor=actor)
    second = services.create_user(services.NewUser(username="no-mail-2", email="  "), actor=actor)

    assert first.email is None and second.email is None


def test_profile_fields_are_kept_and_trimmed(actor):
    user = services.create_user(
        new_user(profile={"department": " R&D ", "manager_ref": "00u-manager"}, locale="en-GB"),
        actor=actor,
    )

    user.refresh_from_db()
    assert (user.department, user.manager_ref, user.locale) == ("R&D", "00u-manager", "en-GB")


def test_custom_password_validators_replace_the_defaults(actor, alice):
    from django.contrib.auth.password_validation import get_password_validators

    lenient = get_password_validators(
        [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
    )
    services.update_user(
        alice, {"password": "alice-liddell"}, actor=actor, password_validators=lenient
    )

    with pytest.raises(InvalidPassword, match="too similar"):
        services.update_user(alice, {"password": "alice-liddell"}, actor=actor)


def test_branches_are_found_by_name_one_way_for_every_outside_system():
    from tests.factories import BranchFactory

    athens = BranchFactory(name="Athens", slug="athens")
    BranchFactory(name="Closed", slug="closed", is_active=False)

    assert services.branch_named("  athens ") == athens
    assert services.branch_named("Closed") is None  # inactive: takes no members from outside
    assert services.branch_named("A" * 50_000) is None  # longer than any name: not asked for
    assert services.user_type_named("learner-type").name == UserType.LEARNER
