"""Parsing SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2).

A recursive descent over the tokens of ``lexer``, following the ABNF of RFC 7644 Figure 1::

    filter    = or_expr
    or_expr   = and_expr *("or" and_expr)
    and_expr  = unary *("and" unary)
    unary     = "not" unary / primary
    primary   = "(" filter ")" / attrPath "[" filter "]" ["." subAttr attrExpr]
              / attrPath "pr" / attrPath compareOp compValue

Any text, however malformed, raises ``InvalidFilter`` (``InvalidPath`` from ``parse_path``) and
nothing else: input length and nesting depth are capped, so neither time nor recursion runs away.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from provisioning.scim.errors import InvalidFilter, InvalidPath
from provisioning.scim.filters.lexer import Token, tokenize
from provisioning.scim.filters.nodes import (
    COMPARISON_OPERATORS,
    ORDERING_OPERATORS,
    STRING_OPERATORS,
    And,
    AttrPath,
    Compare,
    Filter,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
)

__all__ = ["MAX_FILTER_DEPTH", "MAX_FILTER_LENGTH", "parse_filter", "parse_path"]

MAX_FILTER_LENGTH = 2000
# Levels of parentheses, "not" and value paths; real IdP filters use two or three at most.
MAX_FILTER_DEPTH = 20

# RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; plus "$ref".
_NAME = re.compile(r"[A-Za-z][-_A-Za-z0-9]*|\$ref")
_SCHEMA = re.compile(r"urn:[-_.:A-Za-z0-9]+", re.IGNORECASE)
# RFC 8259 §6 numbers; "true", "false" and "null" are case-insensitive as ABNF literals are.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?P<fraction>\.[0-9]+)?(?P<exponent>[eE][-+]?[0-9]+)?")
_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}


def _attr_path(token: Token) -> AttrPath:
    """Read ``[URN ":"] name ["." name]``; the URN runs up to the last colon (RFC 7644 §3.10)."""
    schema, colon, rest = token.text.rpartition(":")
    if colon and not _SCHEMA.fullmatch(schema):
        raise InvalidFilter(f"{schema!r} is not a schema URN (at position {token.position}).")
    attribute, dot, sub_attribute = rest.partition(".")
    names_ok = _NAME.fullmatch(attribute) and (not dot or _NAME.fullmatch(sub_attribute))
    if not names_ok:
        raise InvalidFilter(f"Expected an attribute name, found {token.describe()}.")
    return AttrPath(schema or None, attribute, sub_attribute if dot else None)


def _string_value(token: Token) -> str:
    """Decode a JSON string (RFC 8259 §7), escapes included."""
    try:
        value = json.loads(token.text, strict=False)
        # A lone surrogate ("\ud800") decodes but is not text: no database would store it.
        value.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        raise InvalidFilter(f"Invalid string {token.describe()}.") from None
    return value


def _number_value(token: Token, match: re.Match[str]) -> int | float:
    if not (match["fraction"] or match["exponent"]):
        return int(token.text)
    value = float(token.text)
    if not math.isfinite(value):
        raise InvalidFilter(f"The number {token.describe()} is out of range.")
    return value


def _check_operand(op: str, value: Any, path: AttrPath) -> None:
    """Operators that only make sense for strings or ordered values (RFC 7644 Table 3)."""
    if op in STRING_OPERATORS and not isinstance(value, str):
        raise InvalidFilter(f"'{path} {op}' needs a string value.")
    ordered = isinstance(value, str | int | float) and not isinstance(value, bool)
    if op in ORDERING_OPERATORS and not ordered:
        raise InvalidFilter(f"'{path} {op}' needs a string, number or date value.")


class _Parser:
    """Recursive descent over the token list; one instance per parse."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.in_value_path = False

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind == "word" and token.text.lower() == word

    def expect(self, kind: str, what: str) -> Token:
        if self.peek().kind != kind:
            raise InvalidFilter(f"Expected {what}, found {self.peek().describe()}.")
        return self.advance()

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_FILTER_DEPTH:
            raise InvalidFilter(
                f"The filter nests parentheses, 'not' or value paths more than "
                f"{MAX_FILTER_DEPTH} levels deep."
            )
        try:
            yield
        finally:
            self.depth -= 1

    # Filters ------------------------------------------------------------------------------------

    def filter(self) -> Filter:
        node = self.or_expr()
        self.expect("end", "'and', 'or' or the end of the filter")
        return node

    def or_expr(self) -> Filter:
        node = self.and_expr()
        while self.at_keyword("or"):
            self.advance()
            node = Or(node, self.and_expr())
        return node

    def and_expr(self) -> Filter:
        node = self.unary()
        while self.at_keyword("and"):
            self.advance()
            node = And(node, self.unary())
        return node

    def starts_not(self) -> bool:
        """``not`` is the operator unless it is an attribute named "not" (``not pr``)."""
        if not self.at_keyword("not"):
            return False
        following = self.peek(1)
        operators = COMPARISON_OPERATORS | {"pr"}
        return following.kind == "(" or (
            following.kind == "word" and following.text.lower() not in operators
        )

    def unary(self) -> Filter:
        # RFC 7644 writes "not" "(" valFilter ")"; a bare "not attrExp" is accepted too and
        # binds tighter than "and".
        if not self.starts_not():
            return self.primary()
        self.advance()
        with self.nested():
            return Not(self.unary())

    def primary(self) -> Filter:
        if self.peek().kind == "(":
            self.advance()
            with self.nested():
                node = self.or_expr()
            self.expect(")", "')'")
            return node
        path = self.attr_path()
        if self.peek().kind == "[":
            value_path = self.value_path(path)
            sub_attribute = self.sub_attribute()
            if sub_attribute is None:
                return value_path
            # Entra writes 'emails[type eq "work"].value eq "x"' (outside RFC 7644's grammar):
            # read as the element filter it means, 'emails[type eq "work" and value eq "x"]'.
            test = self.attr_expr(AttrPath(None, sub_attribute))
            return ValuePath(path, And(value_path.filter, test))
        return self.attr_expr(path)

    def attr_path(self) -> AttrPath:
        token = self.peek()
        if token.kind != "word":
            raise InvalidFilter(f"Expected an attribute name, found {token.describe()}.")
        self.advance()
        return _attr_path(token)

    def attr_expr(self, path: AttrPath) -> Filter:
        """``attrPath "pr"`` or ``attrPath compareOp compValue`` (RFC 7644 §3.4.2.2)."""
        token = self.advance()
        op = token.text.lower() if token.kind == "word" else ""
        if op == "pr":
            return Present(path)
        if op not in COMPARISON_OPERATORS:
            raise InvalidFilter(
                f"Expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "
                f"'{path}', found {token.describe()}."
            )
        value = self.comp_value(op)
        _check_operand(op, value, path)
        return Compare(path, op, value)

    def comp_value(self, op: str) -> str | int | float | bool | None:
        """``compValue = false / null / true / number / string`` (RFC 7644 Figure 1)."""
        token = self.advance()
        if token.kind == "string":
            return _string_value(token)
        if token.kind == "word" and token.text.lower() in _LITERALS:
            return _LITERALS[token.text.lower()]
        number = _NUMBER.fullmatch(token.text) if token.kind == "word" else None
        if number:
            return _number_value(token, number)
        raise InvalidFilter(
            f"Expected a value (a quoted string, a number, true, false or null) after "
            f"{op!r}, found {token.describe()}."
        )

    def value_path(self, path: AttrPath) -> ValuePath:
        """``attrPath "[" valFilter "]"``; RFC 7644 Figure 1 does not let them nest."""
        if path.sub_attribute is not None:
            raise InvalidFilter(f"'{path}[...]': a value filter applies to a whole attribute.")
        if self.in_value_path:
            raise InvalidFilter(f"'{path}[...]': value filters cannot be nested.")
        self.advance()
        with self.nested():
            self.in_value_path = True
            try:
                inner = self.or_expr()
            finally:
                self.in_value_path = False
        self.expect("]", "']'")
        return ValuePath(path, inner)

    # PATCH paths --------------------------------------------------------------------------------

    def patch_path(self) -> PatchPath:
        """``PATH = attrPath / valuePath [subAttr]`` (RFC 7644 §3.5.2)."""
        attr = self.attr_path()
        if self.peek().kind != "[":
            self.expect("end", "the end of the path")
            return PatchPath(attr)
        value_filter = self.value_path(attr).filter
        sub_attribute = self.sub_attribute()
        self.expect("end", "the end of the path")
        return PatchPath(attr, value_filter, sub_attribute)

    def sub_attribute(self) -> str | None:
        token = self.peek()
        if token.kind != "word" or not token.text.startswith("."):
            return None
        if not _NAME.fullmatch(token.text[1:]):
            raise InvalidFilter(f"Expected '.' and a sub-attribute name, found {token.describe()}.")
        self.advance()
        return token.text[1:]


def _checked_text(text: object, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidFilter(f"The {what} is empty.")
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidFilter(f"The {what} is longer than {MAX_FILTER_LENGTH} characters.")
    return text


# ``userName eq "..."``: how Okta and Entra look a user up before creating it, the filter an IdP
# sends most by far. Written plainly (single spaces, a string without escapes), it is read
# without the tokenizer and the descent; anything else goes the general way. Both give the
# same AST (tests/provisioning/scim/test_properties.py holds them to it). ASCII case folding
# only: the parser's names are ASCII, and Unicode folding would read U+017F (long s) as "s".
_PLAIN_USER_NAME_EQ = re.compile(r'(userName) (eq) "([^"\\]*)"', re.IGNORECASE | re.ASCII)


def _plain_user_name_eq(text: str) -> Compare | None:
    match = _PLAIN_USER_NAME_EQ.fullmatch(text)
    if match is None or not match[3].isprintable():
        return None
    return Compare(AttrPath(None, match[1]), match[2].lower(), match[3])


def parse_filter(text: str) -> Filter:
    """Parse a ``filter`` query parameter (RFC 7644 §3.4.2.2); raises ``InvalidFilter``."""
    text = _checked_text(text, "filter")
    return _plain_user_name_eq(text) or _Parser(text).filter()


def parse_path(text: str) -> PatchPath:
    """Parse a PATCH operation's ``path`` (RFC 7644 §3.5.2); raises ``InvalidPath``."""
    try:
        return _Parser(_checked_text(text, "path")).patch_path()
    except InvalidFilter as error:
        raise InvalidPath(error.detail) from None
