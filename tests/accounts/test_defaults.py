"""The defaults rule: explicit value > first branch's default > account default."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import UserType
from tests.factories import BranchFactory, account_settings, user_type

pytestmark = pytest.mark.django_db


def create(actor, **fields):
    return services.create_user(
        services.NewUser(username="dana", email="dana@example.com", **fields), actor=actor
    )


def test_account_defaults_apply_without_branch(actor):
    account_settings(
        default_time_zone="America/Chicago", default_user_type=user_type(UserType.TRAINER)
    )

    user = create(actor)

    assert (user.time_zone, user.user_type.name) == ("America/Chicago", UserType.TRAINER)
    assert user.time_zone_inherited and user.user_type_inherited
    assert user.language == "en"


def test_branch_defaults_win_over_account_defaults(actor):
    account_settings(default_time_zone="America/Chicago")
    branch = BranchFactory(
        default_time_zone="Asia/Tokyo", default_user_type=user_type(UserType.ADMIN)
    )

    user = create(actor, branches=[branch])

    assert (user.time_zone, user.user_type.name) == ("Asia/Tokyo", UserType.ADMIN)
    assert list(user.branches.all()) == [branch]


def test_branch_without_defaults_falls_back_to_account(actor):
    account_settings(default_time_zone="Europe/Paris")

    user = create(actor, branches=[BranchFactory()])

    assert (user.time_zone, user.user_type.name) == ("Europe/Paris", UserType.LEARNER)


def test_first_branch_given_decides(actor):
    first = BranchFactory(default_time_zone="Asia/Tokyo")
    second = BranchFactory(default_time_zone="Europe/Paris")

    assert create(actor, branches=[first, second]).time_zone == "Asia/Tokyo"


def test_explicit_values_win(actor):
    branch = BranchFactory(
        default_time_zone="Asia/Tokyo", default_user_type=user_type(UserType.ADMIN)
    )

    user = create(
        actor, branches=[branch], time_zone="Europe/Athens", user_type=user_type(UserType.TRAINER)
    )

    assert (user.time_zone, user.user_type.name) == ("Europe/Athens", UserType.TRAINER)
    assert not user.time_zone_inherited and not user.user_type_inherited


def test_first_branch_assignment_applies_branch_defaults_to_inherited_values(actor):
    user = create(actor, time_zone="Europe/Athens")
    branch = BranchFactory(
        default_time_zone="Asia/Tokyo", default_user_type=user_type(UserType.ADMIN)
    )

    services.update_user(user, {"branches": [branch]}, actor=actor)

    user.refresh_from_db()
    # The time zone was given explicitly and stays; the user type was inherited and follows.
    assert (user.time_zone, user.user_type.name) == ("Europe/Athens", UserType.ADMIN)


def test_changing_a_default_later_leaves_existing_users_alone(actor):
    user = create(actor)

    account_settings(default_time_zone="Asia/Tokyo")

    user.refresh_from_db()
    assert user.time_zone == "UTC"
    newcomer = services.create_user(
        services.NewUser(username="erin", email="erin@example.com"), actor=actor
    )
    assert newcomer.time_zone == "Asia/Tokyo"
