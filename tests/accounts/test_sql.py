"""accounts.sql: the hand-written reads return what the ORM's queries return, and the
hand-written writes store what the ORM's store."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Subquery
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from accounts import sql
from accounts.models import AuditEvent, Group, Outcome, Source, User
from provisioning import queries
from provisioning.models import ScimSettings
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

VIEWED = queries._VIEWED
LOCKED = queries._LOCKED


def orm_rows(keys, **lookup) -> list[dict]:
    """The ORM's answer to the same question: the visible user whose value matches."""
    matching = User.objects.filter(**lookup) if lookup else User.objects.none()
    return list(
        User.objects.scim_visible()
        .filter(pk=Subquery(matching.values("pk")[:1]))
        .values(*keys)
        .order_by()
    )


def ordered(rows: list[dict]) -> list[dict]:
    return sorted(
        rows,
        key=lambda row: (row.get("branches__id") or 0, str(row.get("member_of__scim_id") or "")),
    )


@pytest.fixture
def users(db):
    """A cast wide enough to cover every column's kinds of values."""
    plain = UserFactory(email=None, last_login=None)
    busy = UserFactory(
        display_name="Büsy",
        department="R&D",
        last_login=timezone.now(),
        phone_numbers=[{"value": "+30 210", "type": "work", "primary": True}],
        addresses=[{"locality": "Αθήνα", "country": "GR"}],
    )
    busy.branches.add(BranchFactory(name="North"), BranchFactory(name="South"))
    busy.member_of.add(Group.objects.create(name="A"), Group.objects.create(name="B"))
    inactive = UserFactory(is_active=False, email_primary=False)
    deleted = UserFactory(deleted_at=timezone.now())
    staff = UserFactory(is_staff=True)
    return [plain, busy, inactive, deleted, staff]


@pytest.mark.parametrize("keys", [VIEWED, LOCKED], ids=["view", "locked view"])
def test_a_user_by_scim_id_is_what_the_orm_reads(users, keys):
    read = sql.user_by_scim_id(keys)

    for user in users:
        assert ordered(read.rows(user.scim_id)) == ordered(orm_rows(keys, scim_id=user.scim_id))
    assert read.rows(uuid.uuid4()) == []


def test_a_user_by_username_is_what_the_orm_reads_whatever_the_case(users):
    read = sql.user_by_username(VIEWED)

    for user in users:
        asked = user.username.upper()
        expected = orm_rows(VIEWED, pk__in=User.objects.with_username(asked).values("pk"))
        assert ordered(read.rows(asked)) == ordered(expected)
    assert read.rows("nobody@example.com") == []


def test_hidden_users_are_not_read(users):
    deleted, staff = users[3], users[4]

    assert sql.user_by_scim_id(VIEWED).rows(deleted.scim_id) == []
    assert sql.user_by_username(VIEWED).rows(staff.username) == []


def test_the_locked_read_sees_the_latest_write_and_locks_the_user_alone(users):
    busy = users[1]
    User.objects.filter(pk=busy.pk).update(first_name="Changed")

    with transaction.atomic():
        rows = sql.locked_user_by_scim_id(LOCKED).rows(busy.scim_id)

    assert {row["first_name"] for row in rows} == {"Changed"}
    if connection.features.has_select_for_update_of:
        assert sql.locked_user_by_scim_id(LOCKED).sql.endswith('FOR UPDATE OF "u"')


def test_a_settings_row_is_what_the_orm_reads(db):
    keys = ("pk", "enabled", "token_prefix", "previous_valid_until", "last_used_at")
    assert sql.one_row(ScimSettings, keys) is None

    ScimSettings.objects.create(pk=1, enabled=True, previous_valid_until=timezone.now())

    assert sql.one_row(ScimSettings, keys) == ScimSettings.objects.values(*keys).get()


def plan(read: sql.Read, value) -> str:
    """The database's plan for a read with ``value`` (EXPLAIN QUERY PLAN on SQLite)."""
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    params = [*read.params, read.field.get_db_prep_value(value, connection)]
    with connection.cursor() as cursor:
        cursor.execute(explain + read.sql, params)
        return "\n".join(
            str(row[-1] if connection.vendor == "sqlite" else row[0]) for row in cursor
        )


# (read, a value, how its plan finds the value in its unique index: SQLite, PostgreSQL)
LOOKUPS = [
    (sql.user_by_scim_id, uuid.UUID(int=7), "(scim_id=?)", "Index Cond: (scim_id = "),
    (sql.locked_user_by_scim_id, uuid.UUID(int=7), "(scim_id=?)", "Index Cond: (scim_id = "),
    (
        sql.user_by_username,
        "someone@example.com",
        "USING INDEX user_username_ci_unique (<expr>=?)",
        "Index Cond: (lower((username)::text) = ",
    ),
]


@pytest.mark.parametrize(("read", "value", "on_sqlite", "on_postgres"), LOOKUPS)
def test_lookups_find_the_user_by_unique_index_then_by_key(read, value, on_sqlite, on_postgres):
    # A freshly filled table has no statistics, as after an IdP's first import: the plan
    # must not depend on them (asked with visibility in the same WHERE, both planners chose
    # the partial index of visible users and filtered every row).
    UserFactory.create_batch(30)

    shown = plan(read(VIEWED), value)

    if connection.vendor == "sqlite":
        assert on_sqlite in shown
        assert "SEARCH u USING INTEGER PRIMARY KEY (rowid=?)" in shown
    else:
        assert on_postgres in shown
        assert "Index Cond: (id = $0)" in shown or "Index Cond: (id = (InitPlan" in shown


# Writes ---------------------------------------------------------------------------------------


def stored(model, pk, *, leave_out=("id",)) -> dict:
    row = model.objects.values().get(pk=pk)
    return {name: value for name, value in row.items() if name not in leave_out}


@pytest.mark.parametrize(
    "values",
    [
        {
            "event_type": "user.updated",
            "outcome": Outcome.SUCCESS,
            "source": Source.SCIM,
            "actor_label": "token 1a2b3c4d",
            "actor_user_id": None,
            "address": "2001:db8::1",
            "target_label": "Zoë Ørsted",
            "changes": [
                {"field": "title", "before": None, "after": 'Dr. "Ø" 👩‍🔬'},
                {"field": "password"},
            ],
            "detail": "",
        },
        {
            "event_type": "user.refused",
            "outcome": Outcome.REFUSED,
            "source": Source.PORTAL,
            "actor_label": "admin",
            "address": None,
            "target_label": "",
            "changes": [],
            "detail": "line one\nline two",
        },
    ],
    ids=["scim change", "portal refusal"],
)
def test_an_audit_row_is_stored_as_the_orm_stores_it(values):
    actor, target = UserFactory(), UserFactory()
    values = {
        "created_at": timezone.now(),
        "actor_user_id": actor.pk,
        "target_user_id": target.pk,
        "target_group_id": None,
        **values,
    }

    sql.insert(AuditEvent, values)
    written = AuditEvent.objects.latest("pk")
    by_orm = AuditEvent.objects.create(**values)

    # created_at aside (the ORM's auto_now_add stamps its own time; the SQL stores the one given)
    leave_out = ("id", "created_at")
    assert stored(AuditEvent, written.pk, leave_out=leave_out) == stored(
        AuditEvent, by_orm.pk, leave_out=leave_out
    )
    assert (written.created_at, written.changes) == (values["created_at"], values["changes"])


def test_an_insert_gives_every_column():
    with pytest.raises(AssertionError, match="every column"):
        sql.insert(AuditEvent, {"event_type": "user.updated"})


def test_an_update_stores_what_save_stores_and_only_those_columns():
    branch_type = UserFactory().user_type
    by_sql, by_orm = (UserFactory(first_name="Old", last_name="Same") for _ in range(2))
    moment = timezone.now()
    for user in (by_sql, by_orm):
        user.first_name = "Zoë"
        user.is_active = False
        user.status_changed_at = moment
        user.user_type = branch_type
        user.last_name = "not written"  # set on the instance, not among the fields written

    fields = ["first_name", "is_active", "status_changed_at", "user_type"]
    sql.update(by_sql, [*fields, *by_sql.next_version()])
    by_orm.save(update_fields=fields)

    unique = ("id", "scim_id", "username", "email", "password", "date_joined", "created_at")
    kept = (*unique, "updated_at")
    assert stored(User, by_sql.pk, leave_out=kept) == stored(User, by_orm.pk, leave_out=kept)
    by_sql.refresh_from_db()
    assert (by_sql.first_name, by_sql.last_name, by_sql.version) == ("Zoë", "Same", 2)
    assert by_sql.status_changed_at == moment


def test_an_update_of_a_row_that_is_gone_is_an_error():
    user = UserFactory()
    User.objects.filter(pk=user.pk).delete()

    with pytest.raises(DatabaseError, match="no row"):
        sql.update(user, ["first_name"])


@pytest.mark.parametrize("model", [User, AuditEvent])
def test_nothing_listens_to_the_saves_the_sql_writes_skip(model):
    # The writes here send no pre_save/post_save signal; they may stay in SQL only while
    # nothing (the project or an installed app) listens to these models' saves.
    assert not pre_save.has_listeners(model)
    assert not post_save.has_listeners(model)
