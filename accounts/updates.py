"""A model's ``save(update_fields=...)`` UPDATE, compiled once per set of columns.

Every SCIM PATCH and PUT saves the user's changed columns. Django builds a queryset for the
row and compiles its UPDATE each time, for SQL that depends only on which columns are set and
which of them are set to NULL: a save of three columns cost 121-133 us on SQLite on the
benchmark machine, 51 us with the statement kept. ``update_row`` is what a model's
``_do_update`` does for such a save, with the SQL the ORM compiled the first time and kept:
``save()`` still runs the fields' ``pre_save`` (``auto_now``) and sends its signals, and a
value the ORM would write as an expression, or a field with a placeholder of its own, takes
Django's own way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import Field, Model
from django.db.models.sql import UpdateQuery

# (alias, model, columns, which values are NULL) -> SQL. A handful in practice (one per set of
# columns a use case changes); the bound only keeps an unusual caller from growing it.
_SQL: dict[tuple, str] = {}
MAX_STATEMENTS = 256

Values = Sequence[tuple[Field, Any, Any]]  # as Model._save_table passes them: (field, None, value)


def is_plain(values: Values) -> bool:
    """Whether every value is one the ORM binds as a parameter (no expression, no object)."""
    return all(
        not hasattr(field, "get_placeholder")
        and not hasattr(value, "resolve_expression")
        and not hasattr(value, "prepare_database_save")
        for field, _, value in values
    )


def _same(bound: Sequence[Any], ours: Sequence[Any]) -> bool:
    """Equal values of equal types (``True == 1``, but they are not the same parameter)."""
    return len(bound) == len(ours) and all(
        type(a) is type(b) and a == b for a, b in zip(bound, ours, strict=True)
    )


def update_row(model: type[Model], using: str, pk: Any, values: Values) -> int:
    """UPDATE ``model``'s row with primary key ``pk`` to ``values`` (``is_plain``), from
    ``Model._do_update`` (``save_base`` marks the transaction for rollback if it fails);
    the number of rows updated."""
    connection = connections[using]
    prepared = [field.get_db_prep_save(value, connection) for field, _, value in values]
    key = (using, model, tuple(f.attname for f, _, _ in values), tuple(p is None for p in prepared))
    pk_field = model._meta.pk
    params = [p for p in prepared if p is not None]
    params.append(pk_field.get_db_prep_value(pk_field.get_prep_value(pk), connection, True))
    sql = _SQL.get(key)
    if sql is None:
        query = UpdateQuery(model)
        query.add_update_fields(values)
        query.add_filter("pk", pk)
        sql, orm_params = query.get_compiler(using).as_sql()
        # Kept only when the ORM bound exactly these parameters: what runs from the cache is
        # then what the ORM would have run.
        if _same(orm_params, params) and len(_SQL) < MAX_STATEMENTS:
            _SQL[key] = sql
        params = list(orm_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
