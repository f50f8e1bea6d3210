"""The SCIM API's reads (provisioning.queries): prepared reads return what the ORM would."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from accounts.models import User
from provisioning import queries
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

SCIM_ID = User._meta.get_field("scim_id")


def by_scim_id() -> queries.Prepared:
    return queries.Prepared(
        lambda probe: (
            User.objects.scim_visible().values("pk", *queries.SCIM_COLUMNS).filter(scim_id=probe)
        ),
        probe=uuid.UUID(int=1),
        field=SCIM_ID,
    )


def test_prepared_read_returns_what_the_queryset_returns(alice):
    alice.branches.add(BranchFactory())
    alice.groups.add(Group.objects.create(name="Learners"))
    read = by_scim_id()

    expected = list(
        User.objects.scim_visible().values("pk", *queries.SCIM_COLUMNS).filter(pk=alice.pk)
    )
    assert read.rows(alice.scim_id) == expected
    assert read.rows(uuid.uuid4()) == []


def test_prepared_read_sees_each_change_at_once(alice):
    read = by_scim_id()
    assert read.rows(alice.scim_id)[0]["first_name"] == "Alice"

    User.objects.filter(pk=alice.pk).update(first_name="Alicia")
    assert read.rows(alice.scim_id)[0]["first_name"] == "Alicia"

    User.objects.filter(pk=alice.pk).update(is_staff=True)
    assert read.rows(alice.scim_id) == []


def test_prepared_read_refuses_a_probe_that_is_not_its_parameter(alice):
    read = queries.Prepared(
        lambda probe: User.objects.values("pk").filter(scim_id=uuid.UUID(int=2)),
        probe=uuid.UUID(int=1),
        field=SCIM_ID,
    )

    with pytest.raises(ValueError, match="must be the read's one parameter"):
        read.rows(alice.scim_id)


def test_user_views_join_branches_and_groups_without_repeating_users(db):
    users = [UserFactory() for _ in range(3)]
    north, south = BranchFactory(name="North"), BranchFactory(name="South")
    groups = [Group.objects.create(name=name) for name in ("A", "B", "C")]
    users[0].branches.add(south, north)
    users[0].groups.add(*groups)
    users[1].groups.add(groups[1])

    views = [queries.get_user_view(str(user.scim_id)) for user in users]

    assert [(view.branch, view.groups) for view in views] == [
        ("North", tuple((str(group.pk), group.name) for group in groups)),
        ("", ((str(groups[1].pk), "B"),)),
        ("", ()),
    ]


def plan(read: queries.Prepared, value) -> str:
    """The database's plan for a prepared read with ``value`` (EXPLAIN QUERY PLAN on SQLite)."""
    compiled = read._compiled()
    params = list(compiled.params)
    params[compiled.position] = read._parameter(value, compiled.connection)
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + compiled.sql, params)
        return "\n".join(
            str(row[-1] if connection.vendor == "sqlite" else row[0]) for row in cursor
        )


# (read, a value, how its plan finds the value in its unique index: SQLite, PostgreSQL)
LOOKUPS = [
    ("_BY_SCIM_ID", uuid.UUID(int=7), "(scim_id=?)", "Index Cond: (scim_id = "),
    ("_LOCKED_BY_SCIM_ID", uuid.UUID(int=7), "(scim_id=?)", "Index Cond: (scim_id = "),
    (
        "_BY_USER_NAME",
        "someone@example.com",
        "USING INDEX user_username_ci_unique (<expr>=?)",
        "Index Cond: (lower((username)::text) = ",
    ),
]


@pytest.mark.parametrize(("name", "value", "on_sqlite", "on_postgres"), LOOKUPS)
def test_lookups_find_the_user_by_unique_index_then_by_key(name, value, on_sqlite, on_postgres):
    # A freshly filled table has no statistics, as after an IdP's first import: the plan
    # must not depend on them (asked with visibility in the same WHERE, both planners chose
    # the partial index of visible users and filtered every row).
    UserFactory.create_batch(30)

    shown = plan(getattr(queries, name), value)

    if connection.vendor == "sqlite":
        assert on_sqlite in shown
        assert "SEARCH accounts_user USING INTEGER PRIMARY KEY (rowid=?)" in shown
    else:
        assert on_postgres in shown
        assert "Index Cond: (id = $0)" in shown
