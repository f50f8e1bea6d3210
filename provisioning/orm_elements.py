"""Filters on the elements of a list kept whole in a JSON column (``phoneNumbers``,
``addresses``): "some element matches", as one SQL ``EXISTS`` over the column's elements.

``AnyElement`` is a query expression (Django's documented way to write one: source
expressions, ``as_sql`` per database); ``orm_filters`` builds its condition from a SCIM filter.
Every condition applies to one element, so ``phoneNumbers[type eq "work" and value sw "+30"]``
means the same number is both. Results do not depend on the database: strings are compared
with ``LOWER`` on both sides unless case-exact, substrings by position, as ``orm_filters``
does for columns, and booleans by their JSON spelling. Element keys come from the attribute
registry, never from a client; every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F

_ALIAS = "scim_element"


@dataclass(frozen=True)
class ElementTest:
    """``key op value`` on one element; ``op`` "pr" takes no value. ``type`` is "string" or
    "boolean"; validation and coercion are the caller's (``orm_filters``)."""

    key: str
    type: str
    op: str
    value: Any = None
    case_exact: bool = False


@dataclass(frozen=True)
class ElementAnd:
    left: ElementCondition
    right: ElementCondition


@dataclass(frozen=True)
class ElementOr:
    left: ElementCondition
    right: ElementCondition


@dataclass(frozen=True)
class ElementNot:
    condition: ElementCondition


ElementCondition = ElementTest | ElementAnd | ElementOr | ElementNot

Sql = tuple[str, list[Any]]


class AnyElement(Expression):
    """True for rows whose JSON array in ``column`` has an element meeting ``condition``."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str | F, condition: ElementCondition) -> None:
        super().__init__(output_field=BooleanField())
        # F("phone_numbers") until the query resolves it to the column.
        self.column: Any = F(column) if isinstance(column, str) else column
        self.condition = condition

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        [self.column] = exprs

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> Sql:
        # ``compiler``: the query's compiler, whose public compile() renders the column.
        column, params = compiler.compile(self.column)
        dialect = _DIALECTS.get(connection.vendor)
        if dialect is None:
            raise NotSupportedError("Filters on list elements need SQLite or PostgreSQL.")
        where, where_params = _condition(self.condition, dialect)
        sql = f"EXISTS (SELECT 1 FROM {dialect.elements(column)} AS {_ALIAS} WHERE {where})"
        return sql, [*params, *where_params]


@dataclass(frozen=True)
class _Dialect:
    elements_function: str
    text_template: str  # one element's value under a key, as text
    boolean_template: str  # its value as "true" or "false"
    position_function: str  # where a text starts in another, 1-based, 0 if absent
    ends_template: str  # the last LENGTH(%s) characters of a text

    def elements(self, column: str) -> str:
        return f"{self.elements_function}({column})"

    def text(self, key: str) -> str:
        return self.text_template.format(alias=_ALIAS, key=key)

    def boolean(self, key: str) -> str:
        return self.boolean_template.format(alias=_ALIAS, key=key)


_DIALECTS = {
    # json_each() yields one row per element; "value" holds it as JSON text.
    "sqlite": _Dialect(
        elements_function="json_each",
        text_template="json_extract({alias}.value, '$.\"{key}\"')",
        boolean_template="json_type({alias}.value, '$.\"{key}\"')",
        position_function="INSTR",
        ends_template="SUBSTR({text}, -LENGTH(%s))",
    ),
    # jsonb_array_elements() yields one row per element, in a column named "value".
    "postgresql": _Dialect(
        elements_function="jsonb_array_elements",
        text_template="({alias}.value ->> '{key}')",
        boolean_template="({alias}.value ->> '{key}')",
        position_function="STRPOS",
        ends_template="RIGHT({text}, LENGTH(%s))",
    ),
}


def _condition(condition: ElementCondition, dialect: _Dialect) -> Sql:
    match condition:
        case ElementAnd(left, right):
            return _combined("AND", left, right, dialect)
        case ElementOr(left, right):
            return _combined("OR", left, right, dialect)
        case ElementNot(inner):
            sql, params = _condition(inner, dialect)
            return f"NOT ({sql})", params
        case ElementTest():
            return _test(condition, dialect)
    raise TypeError(f"Not an element condition: {condition!r}")


def _combined(word: str, left: ElementCondition, right: ElementCondition, dialect: _Dialect) -> Sql:
    left_sql, left_params = _condition(left, dialect)
    right_sql, right_params = _condition(right, dialect)
    return f"({left_sql} {word} {right_sql})", [*left_params, *right_params]


def _test(test: ElementTest, dialect: _Dialect) -> Sql:
    """A two-valued test (never SQL NULL), so that ``NOT`` keeps what it should."""
    if test.type == "boolean":
        value = dialect.boolean(test.key)
        if test.op == "pr":
            return f"({value} IS NOT NULL)", []
        return f"({value} IS NOT NULL AND {value} = %s)", ["true" if test.value else "false"]
    text = dialect.text(test.key)
    present = f"{text} IS NOT NULL AND {text} <> ''"
    if test.op == "pr":
        return f"({present})", []
    side = text if test.case_exact else f"LOWER({text})"
    given = "%s" if test.case_exact else "LOWER(%s)"
    if test.op == "eq":
        return f"({text} IS NOT NULL AND {side} = {given})", [test.value]
    if test.op == "co":
        match = f"{dialect.position_function}({side}, {given}) > 0"
    elif test.op == "sw":
        match = f"{dialect.position_function}({side}, {given}) = 1"
    else:  # "ew"
        match = f"{dialect.ends_template.format(text=side)} = {given}"
        return f"({present} AND {match})", [test.value, test.value]
    return f"({present} AND {match})", [test.value]
