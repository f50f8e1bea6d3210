"""The database backs the uniqueness rules, whatever path writes a row."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from accounts import services
from accounts.exceptions import EmailInUse, UsernameInUse
from accounts.models import User
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            {"username": "Eve", "email": "eve@example.com"},
            {"username": "EVE", "email": "x@example.com"},
        ),
        (
            {"username": "eve", "email": "Eve@Example.com"},
            {"username": "eve2", "email": "eve@example.COM"},
        ),
    ],
)
def test_case_insensitive_uniqueness_is_a_database_constraint(first, second):
    UserFactory(**first)

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(**second)


@pytest.mark.django_db
def test_constraint_covers_soft_deleted_users():
    UserFactory(username="frank", email="frank@example.com", deleted=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="other", email="FRANK@example.com")


@pytest.mark.django_db
def test_username_lookup_uses_the_unique_index():
    UserFactory.create_batch(3)
    queryset = User.objects.with_username("USER1@example.com")

    plan = queryset.explain()

    assert "user_username_ci_unique" in plan


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("clash", ["username", "email"])
def test_racing_creates_end_with_one_user_and_a_typed_error(clash):
    """Both requests pass the pre-check; the constraint decides and the loser gets a typed error."""
    barrier = threading.Barrier(2, timeout=10)
    # PostgreSQL lets both transactions pass the pre-check before either inserts, so the unique
    # index decides. SQLite takes its write lock at BEGIN: the racers are serialised and the
    # second one is stopped by the pre-check. Either way: one user and one typed error.
    inside = connection.vendor == "postgresql"
    outcomes: list[object] = []

    def create(n: int) -> None:
        data = {
            "username": f"racer{n}",
            "email": f"racer{n}@example.com",
            clash: "same@example.com",
        }
        try:
            if not inside:
                barrier.wait()
            with transaction.atomic():
                if inside:
                    barrier.wait()
                outcomes.append(
                    services.create_user(
                        services.NewUser(**data), actor=services.Actor.system("race")
                    )
                )
        except (UsernameInUse, EmailInUse) as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(o).__name__ for o in outcomes) == sorted(
        ["User", "UsernameInUse" if clash == "username" else "EmailInUse"]
    )
    assert User.objects.count() == 1
