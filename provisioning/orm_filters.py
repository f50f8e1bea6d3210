"""Translate a SCIM filter AST (``provisioning.scim.filters``) into a Django ``Q``.

Only attributes in the caller's whitelist can be filtered on; anything else (``password``, a
typo, an attribute we do not store) is an ``InvalidFilter``, never a silent "match nothing".
The caller owns the mapping from SCIM attributes to ORM fields; nothing here imports a model.

Results must not depend on the database: SQLite's ``LIKE`` ignores ASCII case even for
``contains``, so substring operators are built from ``StrIndex``/``Right`` comparisons, which
are case-sensitive everywhere, wrapped in ``Lower`` on both sides when the attribute is not
case-exact. ``Lower(field) = Lower(value)`` is also what the ``lower(username)`` and
``lower(email)`` unique indexes serve. Values only ever reach SQL as parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, Value
from django.db.models.functions import Length, Lower, Right, StrIndex
from django.db.models.lookups import Exact, GreaterThan

from provisioning.orm_elements import (
    AnyElement,
    ElementAnd,
    ElementCondition,
    ElementNot,
    ElementOr,
    ElementTest,
)
from provisioning.scim.errors import InvalidFilter
from provisioning.scim.filters import (
    And,
    AttrPath,
    Compare,
    Filter,
    Not,
    Or,
    Present,
    ValuePath,
)
from provisioning.scim.filters.values import NOT_A_UUID, coerce

__all__ = ["AttributeSpec", "never", "to_q"]

# Which operators each attribute type supports (RFC 7644 Table 3). Ordering operators on
# strings are left out on purpose: their result would follow the database collation, which
# differs between SQLite and PostgreSQL (and between PostgreSQL locales).
OPERATORS: dict[str, frozenset[str]] = {
    "string": frozenset({"eq", "ne", "co", "sw", "ew"}),
    "boolean": frozenset({"eq", "ne"}),
    "dateTime": frozenset({"eq", "ne", "gt", "ge", "lt", "le"}),
    "integer": frozenset({"eq", "ne", "gt", "ge", "lt", "le"}),
    "uuid": frozenset({"eq", "ne"}),
}

_ORM_LOOKUPS = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}


@dataclass(frozen=True)
class AttributeSpec:
    """How one filterable SCIM attribute maps onto the ORM.

    ``field`` is an ORM field path (``"first_name"``, ``"profile__title"``).
    ``type`` is one of ``OPERATORS``' keys; RFC 7643 §2.2 ``caseExact`` is ``case_exact``.
    With ``element``, ``field`` is a JSON list kept whole and the attribute is that key of its
    elements: a filter matches a row when some element matches.
    """

    field: str
    type: str
    case_exact: bool = False
    # The key in each element, when ``field`` keeps a list whole (``orm_elements``).
    element: str | None = None
    # The key in ``field``, a JSON object (custom fields): only eq, ne and pr, exactly.
    json_key: str | None = None
    # With ``element``: ``field`` is the column of the one element kept in columns (the
    # portal's email) and ``others`` the JSON list of the other elements: a filter matches a
    # row when the element in columns or one of the others matches.
    others: str | None = None

    def __post_init__(self) -> None:
        # A typo in a whitelist is a programming error: fail where the whitelist is built.
        if self.type not in OPERATORS:
            raise ValueError(
                f"Unknown attribute type {self.type!r}; use one of {sorted(OPERATORS)}."
            )


def never() -> Q:
    """A ``Q`` no row satisfies; Django answers it without querying the database."""
    return Q(pk__in=[])


def to_q(node: Filter, attributes: Mapping[str, AttributeSpec]) -> Q:
    """A ``Q`` selecting the rows ``node`` matches (RFC 7644 §3.4.2.2).

    ``attributes`` is the whitelist, keyed like ``AttrPath.key()`` ("username",
    "emails.value", "meta.created"). Raises ``InvalidFilter`` for an attribute not in it, an
    operator its type does not support, or a value of the wrong type.
    """
    return _Translator(attributes).q(node, parent=None)


class _Translator:
    def __init__(self, attributes: Mapping[str, AttributeSpec]) -> None:
        self.attributes = attributes

    def q(self, node: Filter, *, parent: AttrPath | None) -> Q:
        match node:
            case And(left, right):
                return self.q(left, parent=parent) & self.q(right, parent=parent)
            case Or(left, right):
                return self.q(left, parent=parent) | self.q(right, parent=parent)
            case Not(expr):
                return ~self.q(expr, parent=parent)
            case ValuePath(path, inner):
                column = self.kept_whole(path)
                if column is not None:
                    return Q(AnyElement(column, self.element_condition(inner, parent=path)))
                # Each sub-attribute of this list maps to a column of the same row, so "the
                # same element matches every condition" is simply all conditions on the row.
                matched = self.q(inner, parent=path)
                others = self.others(path)
                if others is not None:
                    matched |= Q(AnyElement(others, self.element_condition(inner, parent=path)))
                return matched
            case Present(path) | Compare(path) if parent is None and self.spec(path, None).others:
                spec = self.spec(path, None)
                assert spec.others is not None
                return _column_q(node, spec) | Q(
                    AnyElement(spec.others, self.element_condition(node, parent=None))
                )
            case Present(path) | Compare(path) if (
                self.spec(path, parent).element and not self.spec(path, parent).others
            ):
                spec = self.spec(path, parent)
                assert spec.field is not None
                return Q(AnyElement(spec.field, self.element_condition(node, parent=parent)))
            case Present(path) if self.spec(path, parent).json_key:
                return _json_key_q(self.spec(path, parent), "pr", None, path)
            case Compare(path, op, value) if self.spec(path, parent).json_key:
                return _json_key_q(self.spec(path, parent), op, value, _full_path(path, parent))
            case Present(path):
                return _present_q(self.spec(path, parent))
            case Compare(path, op, value):
                return _compare_q(self.spec(path, parent), op, value, _full_path(path, parent))
        raise TypeError(f"Not a filter node: {node!r}")

    def kept_whole(self, path: AttrPath) -> str | None:
        """The column of a list kept whole that ``path`` names, if it names one."""
        spec = self._element_spec(path)
        return spec.field if spec is not None and spec.others is None else None

    def others(self, path: AttrPath) -> str | None:
        """The column of the other elements of a list kept partly in columns, if ``path``
        names one."""
        spec = self._element_spec(path)
        return spec.others if spec is not None else None

    def _element_spec(self, path: AttrPath) -> AttributeSpec | None:
        prefix = f"{path.key()}."
        return next(
            (
                spec
                for key, spec in self.attributes.items()
                if key.startswith(prefix) and spec.element is not None
            ),
            None,
        )

    def element_condition(self, node: Filter, *, parent: AttrPath | None) -> ElementCondition:
        """``node`` as a condition on one element of a list kept whole."""
        match node:
            case And(left, right):
                return ElementAnd(
                    self.element_condition(left, parent=parent),
                    self.element_condition(right, parent=parent),
                )
            case Or(left, right):
                return ElementOr(
                    self.element_condition(left, parent=parent),
                    self.element_condition(right, parent=parent),
                )
            case Not(expr):
                return ElementNot(self.element_condition(expr, parent=parent))
            case Present(path):
                return _element_present(self.element_spec(path, parent))
            case Compare(path, op, value):
                return _element_test(
                    self.element_spec(path, parent), op, value, _full_path(path, parent)
                )
        raise InvalidFilter(f"'{node}' cannot be nested in a value filter.")

    def element_spec(self, path: AttrPath, parent: AttrPath | None) -> AttributeSpec:
        spec = self.spec(path, parent)
        if spec.element is None:
            raise InvalidFilter(f"'{_full_path(path, parent)}' is not part of the same list.")
        return spec

    def spec(self, path: AttrPath, parent: AttrPath | None) -> AttributeSpec:
        full = _full_path(path, parent)
        key = full.key()
        # RFC 7644 §3.4.2.2: a complex multi-valued attribute named without sub-attribute
        # ("emails co ...") means its "value".
        if key not in self.attributes and full.sub_attribute is None:
            key = f"{key}.value"
        if key not in self.attributes:
            raise InvalidFilter(f"Filtering on '{full}' is not supported.")
        return self.attributes[key]


def _full_path(path: AttrPath, parent: AttrPath | None) -> AttrPath:
    """``emails[type eq "work"]``: inside the brackets, ``type`` is ``emails.type``."""
    if parent is None:
        return path
    if path.schema is not None or path.sub_attribute is not None:
        raise InvalidFilter(f"Inside '{parent}[...]', name a sub-attribute only, not '{path}'.")
    return AttrPath(parent.schema, parent.attribute, path.attribute)


# Leaves -----------------------------------------------------------------------------------------


def _not_null(spec: AttributeSpec) -> Q:
    return Q(**{f"{spec.field}__isnull": False})


def _json_key_q(spec: AttributeSpec, op: str, value: Any, path: AttrPath) -> Q:
    """A value kept under a key of a JSON object, compared as JSON (a number to a number)."""
    has_key = Q(**{f"{spec.field}__has_key": spec.json_key})
    if op == "pr":
        return has_key
    if op not in {"eq", "ne"}:
        raise InvalidFilter(f"'{path}' supports eq, ne and pr only.")
    if value is None:
        return ~has_key if op == "eq" else has_key
    equal = Q(**{f"{spec.field}__{spec.json_key}": coerce(spec.type, value, path)}) & has_key
    return ~equal if op == "ne" else equal


def _column_q(node: Present | Compare, spec: AttributeSpec) -> Q:
    if isinstance(node, Present):
        return _present_q(spec)
    return _compare_q(spec, node.op, node.value, node.path)


def _present_q(spec: AttributeSpec) -> Q:
    """``pr``: not null, and for strings not empty (RFC 7644 §3.4.2.2)."""
    if spec.type == "string":
        return _not_null(spec) & ~Q(**{spec.field: ""})
    return _not_null(spec)


def _compare_q(spec: AttributeSpec, op: str, value: Any, path: AttrPath) -> Q:
    if op not in OPERATORS[spec.type]:
        raise InvalidFilter(f"'{path}' ({spec.type}) does not support the '{op}' operator.")
    if value is None:
        # "eq null" asks for an absent attribute, "ne null" for a present one.
        present = _present_q(spec)
        return ~present if op == "eq" else present
    coerced = coerce(spec.type, value, path)
    if coerced is NOT_A_UUID:
        return never() if op == "eq" else _not_null(spec)
    if op == "ne":
        # Null is "not equal" to any value; the guarded "eq" is never NULL, so "~" keeps it.
        return ~_match_q(spec, "eq", coerced)
    return _match_q(spec, op, coerced)


def _match_q(spec: AttributeSpec, op: str, value: Any) -> Q:
    """Rows whose non-null ``field`` satisfies ``op value``.

    The explicit not-null guard makes each leaf two-valued (never SQL NULL), so ``not (...)``
    and ``ne`` keep rows where the column is null instead of dropping them.
    """
    if spec.type == "string":
        return _string_q(spec, op, value) & _not_null(spec)
    return Q(**{f"{spec.field}__{_ORM_LOOKUPS[op]}": value}) & _not_null(spec)


def _string_q(spec: AttributeSpec, op: str, value: str) -> Q:
    if op != "eq" and value == "":
        return _not_null(spec)  # the empty string starts, ends and is part of every string
    field: F | Lower = F(spec.field)
    text: Value | Lower = Value(value)
    if not spec.case_exact:
        field, text = Lower(field), Lower(text)
    if op == "eq":
        return Q(Exact(field, text))
    if op == "co":
        return Q(GreaterThan(StrIndex(field, text), 0))
    if op == "sw":
        return Q(Exact(StrIndex(field, text), 1))
    return Q(Exact(Right(field, Length(text)), text))  # "ew"


def _element_present(spec: AttributeSpec) -> ElementTest:
    assert spec.element is not None
    return ElementTest(spec.element, spec.type, "pr", case_exact=spec.case_exact)


def _element_test(spec: AttributeSpec, op: str, value: Any, path: AttrPath) -> ElementCondition:
    assert spec.element is not None
    if op not in OPERATORS[spec.type]:
        raise InvalidFilter(f"'{path}' ({spec.type}) does not support the '{op}' operator.")
    present = _element_present(spec)
    if value is None:
        return ElementNot(present) if op == "eq" else present
    coerced = coerce(spec.type, value, path)
    if spec.type == "string" and op not in {"eq", "ne"} and coerced == "":
        return present  # the empty string starts, ends and is part of every string
    test = ElementTest(
        spec.element, spec.type, "eq" if op == "ne" else op, coerced, spec.case_exact
    )
    return ElementNot(test) if op == "ne" else test
