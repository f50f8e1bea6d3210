"""The filter AST (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2): frozen dataclasses.

``parse_filter`` builds these, ``render`` writes them back as text, ``matches`` evaluates them
against a dict and ``provisioning.orm_filters`` turns them into a Django ``Q``.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioning.scim.constants import USER_SCHEMA

__all__ = [
    "COMPARISON_OPERATORS",
    "ORDERING_OPERATORS",
    "STRING_OPERATORS",
    "And",
    "AttrPath",
    "Compare",
    "Filter",
    "Not",
    "Or",
    "PatchPath",
    "Present",
    "ValuePath",
]

COMPARISON_OPERATORS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})
STRING_OPERATORS = frozenset({"co", "sw", "ew"})
ORDERING_OPERATORS = frozenset({"gt", "ge", "lt", "le"})


@dataclass(frozen=True)
class AttrPath:
    """``[URI ":"] ATTRNAME ["." subAttr]`` (RFC 7644 §3.10), names kept as written."""

    schema: str | None
    attribute: str
    sub_attribute: str | None = None

    def key(self) -> str:
        """Canonical lower-case key; the core User URN is dropped, extension URNs are kept.

        ``name.givenName`` -> ``name.givenname``; ``urn:...:enterprise:2.0:User:manager.value``
        -> ``urn:...:enterprise:2.0:user:manager.value`` (RFC 7644 §3.10: names are
        case-insensitive, and core attributes may be written with or without their URN).
        """
        name = self._dotted_name()
        if self.schema is None or self.schema.lower() == USER_SCHEMA.lower():
            return name.lower()
        return f"{self.schema}:{name}".lower()

    def __str__(self) -> str:
        """As written: ``[URN ":"] attribute ["." subAttribute]``."""
        name = self._dotted_name()
        return name if self.schema is None else f"{self.schema}:{name}"

    def _dotted_name(self) -> str:
        if self.sub_attribute is None:
            return self.attribute
        return f"{self.attribute}.{self.sub_attribute}"


@dataclass(frozen=True)
class Compare:
    """``attrPath compareOp compValue``; ``op`` is lower case."""

    path: AttrPath
    op: str
    value: str | int | float | bool | None


@dataclass(frozen=True)
class Present:
    """``attrPath pr``: the attribute has a non-empty value."""

    path: AttrPath


@dataclass(frozen=True)
class And:
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Or:
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Not:
    expr: Filter


@dataclass(frozen=True)
class ValuePath:
    """``attr[valFilter]``: some element of a multi-valued ``attr`` matches ``filter``."""

    path: AttrPath
    filter: Filter


Filter = Compare | Present | And | Or | Not | ValuePath


@dataclass(frozen=True)
class PatchPath:
    """A PATCH ``path`` (RFC 7644 §3.5.2): ``attrPath / valuePath [subAttr]``."""

    attr: AttrPath
    value_filter: Filter | None = None
    sub_attribute: str | None = None

    def __str__(self) -> str:
        """The path as written, without its value filter: what it names."""
        return str(self.attr) if self.sub_attribute is None else f"{self.attr}.{self.sub_attribute}"
