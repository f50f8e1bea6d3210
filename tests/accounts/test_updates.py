"""``User.save(update_fields=...)`` runs an UPDATE compiled once per set of columns: it must
store what Django's own UPDATE stores, and keep what ``save()`` promises."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import updates
from accounts.models import User, UserType
from tests.factories import BranchFactory, UserFactory, user_type

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_statements_kept(monkeypatch):
    """Each test starts with no statement compiled, whatever ran before it."""
    monkeypatch.setattr(updates, "_SQL", {})


COLUMNS = ["first_name", "email", "is_active", "deleted_at", "user_type", "time_zone"]


def _change(user: User, email: str | None, when: datetime) -> None:
    user.first_name = "Grace"
    user.email = email
    user.is_active = False
    user.deleted_at = when
    user.user_type = user_type(UserType.TRAINER)
    user.time_zone = "Europe/Athens"


def _stored(user: User) -> dict:
    return User.objects.filter(pk=user.pk).values(*COLUMNS, "version", "updated_at").get()


@pytest.mark.parametrize("email", ["grace@example.com", None])
def test_a_save_of_some_columns_stores_what_djangos_update_stores(email):
    first, compiled, orm = UserFactory(), UserFactory(), UserFactory()
    _change(first, email and f"first-{email}", timezone.now())
    first.save(update_fields=COLUMNS)  # compiles the statement: the next save runs it as kept
    assert len(updates._SQL) == 1
    before, when = _stored(compiled), timezone.now()

    _change(compiled, email, when)
    compiled.save(update_fields=COLUMNS)
    _change(orm, email and f"orm-{email}", when)
    User.objects.filter(pk=orm.pk).update(
        **{name: getattr(orm, name) for name in COLUMNS}, version=orm.version + 1
    )

    stored, expected = _stored(compiled), _stored(orm)
    assert stored["email"] == email
    assert expected["email"] == (email and f"orm-{email}")
    assert {k: stored[k] for k in COLUMNS if k != "email"} == {
        k: expected[k] for k in COLUMNS if k != "email"
    }
    assert stored["version"] == before["version"] + 1 == compiled.version
    assert stored["updated_at"] > before["updated_at"]


def test_the_statement_is_compiled_once_per_set_of_columns(monkeypatch):
    def not_expected(*args, **kwargs):
        raise AssertionError("not expected")

    first, second = UserFactory(), UserFactory()
    monkeypatch.setattr(QuerySet, "_update", not_expected)  # Django's own way, not taken
    first.first_name = "One"
    first.save(update_fields=["first_name"])

    monkeypatch.setattr(updates, "UpdateQuery", not_expected)  # nor compiled again
    second.first_name = "Two"
    with CaptureQueriesContext(connection) as cached:
        second.save(update_fields=["first_name"])

    assert len(cached) == 1
    assert User.objects.filter(pk=second.pk).values_list("first_name", flat=True).get() == "Two"


def test_null_and_a_value_in_one_column_each_get_their_statement():
    user = UserFactory(email="ada@example.com")
    for email in [None, "ada@example.org", None]:
        user.email = email
        user.save(update_fields=["email"])
        assert User.objects.filter(pk=user.pk).values_list("email", flat=True).get() == email


def test_a_row_gone_is_an_error_as_with_djangos_update():
    user = UserFactory()
    User.objects.filter(pk=user.pk).delete()
    user.first_name = "Gone"

    with pytest.raises(DatabaseError, match="did not affect any rows"):
        user.save(update_fields=["first_name"])


def test_an_expression_takes_djangos_way():
    user = UserFactory()
    user.first_name = Lower(Value("ADA"))
    user.save(update_fields=["first_name"])

    assert User.objects.filter(pk=user.pk).values_list("first_name", flat=True).get() == "ada"


def test_signals_are_still_sent():
    user, seen = UserFactory(), []

    def receiver(sender, instance, update_fields, **kwargs):
        seen.append(set(update_fields))

    pre_save.connect(receiver, sender=User)
    try:
        user.first_name = "Signalled"
        user.save(update_fields=["first_name"])
    finally:
        pre_save.disconnect(receiver, sender=User)

    assert seen == [{"first_name", "version", "updated_at"}]


def test_a_failed_update_dooms_the_callers_transaction():
    UserFactory(username="taken")
    user = UserFactory()
    user.username = "TAKEN"

    with transaction.atomic():
        with pytest.raises(IntegrityError):
            user.save(update_fields=["username"])
        assert transaction.get_rollback()


def test_a_full_save_and_a_new_user_are_left_to_django(monkeypatch):
    def not_expected(*args, **kwargs):
        raise AssertionError("not expected")

    monkeypatch.setattr(updates, "update_row", not_expected)
    branch = BranchFactory()
    user = User(username="new", email="new@example.com", user_type=user_type())
    user.save()
    user.first_name = "Whole"
    user.save()
    user.branches.add(branch)

    assert User.objects.filter(pk=user.pk).values_list("first_name", "version").get() == (
        "Whole",
        2,
    )
