"""The hot paths' SQL, written out: the few statements every SCIM request runs.

Reads: a model's one row (the SCIM settings the token check reads), a user's view by SCIM id
or username, and its locked read before a write. Writes: the UPDATE of a user's changed
columns and the INSERT of an audit row. Built and compiled by the ORM on every request, each
cost several times its running (docs/performance.md), so they are written out once per
process, from the models' metadata (names quoted by the database's own rules, values
prepared by the fields themselves, every value a parameter), and run through
``connection.cursor()``.

Each does exactly what the ORM's own statement does: reads return the rows ``values()``
returns, converted to the same Python values; writes store what ``save()`` and
``objects.create()`` store, and send no ``pre_save``/``post_save`` signal, which nothing in
the project listens to. ``tests/accounts/test_sql.py`` holds each to the ORM's answer on
every database the suite runs on.

Nothing else belongs here: every other read and write goes through the ORM.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Field, ForeignKey, ManyToManyField, ManyToManyRel, Model
from django.utils.dateparse import parse_datetime

from accounts.models import Branch, Group, User, UserType

Converter = Callable[[Any], Any]


def _to_datetime(value: Any) -> Any:
    # SQLite returns the text Django stored: a naive UTC time (USE_TZ).
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _to_bool(value: Any) -> Any:
    return value if value is None else bool(value)  # SQLite: 0 or 1


def _to_uuid(value: Any) -> Any:
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(value)


def _from_json(value: Any) -> Any:
    # Both databases hand JSON over as text, as Django's own JSONField reads it.
    return json.loads(value) if isinstance(value, str) else value


_CONVERTERS: dict[str, Converter] = {
    "JSONField": _from_json,
    "DateTimeField": _to_datetime,
    "BooleanField": _to_bool,
    "UUIDField": _to_uuid,
}


@dataclass(frozen=True)
class _Column:
    key: str  # as the ORM's values() names it
    sql: str
    convert: Converter | None


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _field(model: type[Model], name: str) -> Field:
    """The field that stores ``name`` in ``model``'s table ("pk": its primary key)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    # get_field() also finds reverse relations and generic keys, which have no column.
    assert isinstance(field, Field), f"{model.__name__}.{name} is not a column"
    return field


def _column(model: type[Model], alias: str, name: str, key: str) -> _Column:
    field = _field(model, name)
    return _Column(
        key,
        f"{_quote(alias)}.{_quote(field.column)}",
        _CONVERTERS.get(field.get_internal_type()),
    )


# Relations a user's view reads, by the ORM's lookup prefix: (model, alias).
_RELATIONS: dict[str, tuple[type[Model], str]] = {
    "user_type": (UserType, "t"),
    "branches": (Branch, "b"),
    "member_of": (Group, "g"),
}


def _select(key: str) -> _Column:
    relation, _, name = key.partition("__")
    if name:
        model, alias = _RELATIONS[relation]
        return _column(model, alias, name, key)
    return _column(User, "u", key, key)


def _through(name: str) -> tuple[str, str, str]:
    """The table of a many-to-many relation of User and its two key columns (user, other):
    declared on User (branches) or on the other side (the groups it is a member of)."""
    relation = User._meta.get_field(name)
    if isinstance(relation, ManyToManyField):
        through = relation.remote_field.through
    else:
        assert isinstance(relation, ManyToManyRel), f"User.{name} is not many-to-many"
        through = relation.through
    assert through is not None, "the app registry resolves it to a model"
    user, other = (field for field in through._meta.get_fields() if isinstance(field, ForeignKey))
    if user.related_model is not User:
        user, other = other, user
    return through._meta.db_table, user.column, other.column


def _from() -> str:
    """The user, its type, and its branches and groups as one more row each (LEFT JOINs)."""
    user_table = _quote(User._meta.db_table)
    pk = _quote(User._meta.pk.column)
    parts = [
        f"{user_table} {_quote('u')}",
        f"INNER JOIN {_quote(UserType._meta.db_table)} {_quote('t')} "
        f"ON {_quote('u')}.{_quote(_field(User, 'user_type').column)} "
        f"= {_quote('t')}.{_quote(UserType._meta.pk.column)}",
    ]
    for relation in ("branches", "member_of"):
        model, alias = _RELATIONS[relation]
        table, user_column, other_column = _through(relation)
        link = f"{alias}_link"
        parts.append(
            f"LEFT OUTER JOIN {_quote(table)} {_quote(link)} "
            f"ON {_quote('u')}.{pk} = {_quote(link)}.{_quote(user_column)}"
        )
        parts.append(
            f"LEFT OUTER JOIN {_quote(model._meta.db_table)} {_quote(alias)} "
            f"ON {_quote(link)}.{_quote(other_column)} = {_quote(alias)}.{_quote(model._meta.pk.column)}"  # noqa: E501
        )
    return " ".join(parts)


def _visible() -> tuple[str, list[Any]]:
    """``accounts.models.SCIM_VISIBLE`` in SQL (its test holds the two together)."""
    column = lambda name: f"{_quote('u')}.{_quote(_field(User, name).column)}"  # noqa: E731
    return (
        f"{column('deleted_at')} IS NULL AND {column('is_staff')} = %s "
        f"AND {column('is_superuser')} = %s",
        [False, False],
    )


def _converted(columns: Sequence[_Column], row: Sequence[Any]) -> dict[str, Any]:
    return {
        column.key: column.convert(raw) if column.convert else raw
        for column, raw in zip(columns, row, strict=True)
    }


@dataclass(frozen=True)
class Read:
    """One user's rows, found by the unique value in ``lookup``."""

    sql: str
    columns: tuple[_Column, ...]
    params: tuple[Any, ...]  # before the looked-up value
    field: Field  # of the looked-up value, which prepares it for the database

    def rows(self, value: Any) -> list[dict[str, Any]]:
        parameter = self.field.get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [*self.params, parameter])
            fetched = cursor.fetchall()
        return [_converted(self.columns, row) for row in fetched]


def _read(keys: Sequence[str], *, lookup: str, for_update: bool = False) -> Read:
    """A user's view read by the key of the one user whose ``lookup`` matches.

    Asked as ``pk = (SELECT pk ... LIMIT 1)``: the subquery can only use the looked-up
    value's unique index. Asked directly, with visibility in the same WHERE, PostgreSQL
    without fresh statistics (a table just filled by an import) preferred the partial index of
    visible users and filtered all of them.
    """
    columns = tuple(_select(key) for key in keys)
    user_table = _quote(User._meta.db_table)
    pk = _quote(User._meta.pk.column)
    field = _field(User, lookup)
    if lookup == "username":  # case-insensitive, as the lower(username) unique index serves
        match = f"LOWER({_quote(field.column)}) = LOWER(%s)"
    else:
        match = f"{_quote(field.column)} = %s"
    visible, params = _visible()
    sql = (
        f"SELECT {', '.join(column.sql for column in columns)} FROM {_from()} "
        f"WHERE {visible} AND {_quote('u')}.{pk} = "
        f"(SELECT {pk} FROM {user_table} WHERE {match} LIMIT 1)"
    )
    if for_update and connection.features.has_select_for_update:
        of = f" OF {_quote('u')}" if connection.features.has_select_for_update_of else ""
        sql += f" FOR UPDATE{of}"
    return Read(sql, columns, tuple(params), field)


@cache
def user_by_scim_id(keys: tuple[str, ...]) -> Read:
    return _read(keys, lookup="scim_id")


@cache
def user_by_username(keys: tuple[str, ...]) -> Read:
    return _read(keys, lookup="username")


@cache
def locked_user_by_scim_id(keys: tuple[str, ...]) -> Read:
    """As ``user_by_scim_id``, the user's row locked until the transaction ends."""
    return _read(keys, lookup="scim_id", for_update=True)


@cache
def _one_row_read(model: type[Model], keys: tuple[str, ...]) -> tuple[str, tuple[_Column, ...]]:
    columns = tuple(_column(model, "s", key, key) for key in keys)
    select = ", ".join(column.sql for column in columns)
    return f"SELECT {select} FROM {_quote(model._meta.db_table)} {_quote('s')}", columns


def one_row(model: type[Model], keys: tuple[str, ...]) -> dict[str, Any] | None:
    """These columns of the one row of a model that has at most one (settings), if it exists."""
    sql, columns = _one_row_read(model, keys)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return None if row is None else _converted(columns, row)


# Writes ---------------------------------------------------------------------------------------


@cache
def _update_statement(model: type[Model], names: tuple[str, ...]) -> tuple[str, tuple[Field, ...]]:
    fields = tuple(_field(model, name) for name in names)
    assignments = ", ".join(f"{_quote(field.column)} = %s" for field in fields)
    pk = _quote(model._meta.pk.column)
    return f"UPDATE {_quote(model._meta.db_table)} SET {assignments} WHERE {pk} = %s", fields


def update(instance: Model, names: Iterable[str]) -> None:
    """Write the fields ``names`` of ``instance`` to its row, as ``save(update_fields=names)``
    does (its ``pre_save`` work, such as ``auto_now``, is the caller's)."""
    sql, fields = _update_statement(type(instance), tuple(dict.fromkeys(names)))
    params = [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, instance.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{type(instance).__name__} {instance.pk} has no row to update.")


@cache
def _insert_statement(model: type[Model], names: tuple[str, ...]) -> tuple[str, tuple[Field, ...]]:
    fields = tuple(_field(model, name) for name in names)
    expected = {field for field in model._meta.concrete_fields if field is not model._meta.pk}
    # Every column is given: a default the ORM would fill in is not left to chance.
    assert set(fields) == expected, f"{model.__name__}: give every column but the key"
    columns = ", ".join(_quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {_quote(model._meta.db_table)} ({columns}) VALUES ({values})", fields


def insert(model: type[Model], values: Mapping[str, Any]) -> None:
    """Add one row of ``model``, ``values`` by field name (every column but the key), as
    ``objects.create(**values)`` does."""
    sql, fields = _insert_statement(model, tuple(values))
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
