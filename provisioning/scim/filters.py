"""The SCIM filter language (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2), as pure Python.

``parse_filter`` turns filter text into a small AST of frozen dataclasses; ``render`` turns it
back into canonical text; ``matches`` evaluates it against a dict (used for PATCH value filters
such as ``emails[type eq "work"]``); ``parse_path`` reads a PATCH ``path``. Translating an AST
into a database query is ``provisioning.scim.query``'s job: nothing here knows about Django.

The parser is a small tokenizer plus a recursive descent over the ABNF of RFC 7644 Figure 1::

    filter    = or_expr
    or_expr   = and_expr *("or" and_expr)
    and_expr  = unary *("and" unary)
    unary     = "not" unary / primary
    primary   = "(" filter ")" / attrPath "[" filter "]"
              / attrPath "pr" / attrPath compareOp compValue

Any text, however malformed, raises ``InvalidFilter`` (``InvalidPath`` from ``parse_path``) and
nothing else: input length and nesting depth are capped, so neither time nor recursion runs away.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from provisioning.scim.constants import USER_SCHEMA
from provisioning.scim.errors import InvalidFilter, InvalidPath

__all__ = [
    "MAX_FILTER_DEPTH",
    "MAX_FILTER_LENGTH",
    "And",
    "AttrPath",
    "Compare",
    "Filter",
    "Not",
    "Or",
    "PatchPath",
    "Present",
    "ValuePath",
    "matches",
    "parse_filter",
    "parse_path",
    "render",
]

MAX_FILTER_LENGTH = 2000
# Levels of parentheses, "not" and value paths; real IdP filters use two or three at most.
MAX_FILTER_DEPTH = 20

COMPARISON_OPERATORS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})
STRING_OPERATORS = frozenset({"co", "sw", "ew"})
ORDERING_OPERATORS = frozenset({"gt", "ge", "lt", "le"})

# RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; plus "$ref".
_NAME = re.compile(r"[A-Za-z][-_A-Za-z0-9]*|\$ref")
_SCHEMA = re.compile(r"urn:[-_.:A-Za-z0-9]+", re.IGNORECASE)
# RFC 8259 §6 numbers; "true", "false" and "null" are case-insensitive as ABNF literals are.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?P<fraction>\.[0-9]+)?(?P<exponent>[eE][-+]?[0-9]+)?")
_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_PUNCTUATION = "()[]"


# The AST ----------------------------------------------------------------------------------------


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


# Tokenizer --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "string", "(", ")", "[", "]" or "end"
    text: str
    position: int

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the text"
        text = self.text if len(self.text) <= 40 else f"{self.text[:40]}..."
        return f"{text!r} at position {self.position}"


def _tokenize(text: str) -> list[_Token]:
    """Split into punctuation, JSON strings and words (names, operators, literals, numbers)."""
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
            continue
        if char in _PUNCTUATION:
            end = position + 1
        elif char == '"':
            end = _string_end(text, position)
        else:
            end = _word_end(text, position)
        kind = char if char in _PUNCTUATION else "string" if char == '"' else "word"
        tokens.append(_Token(kind, text[position:end], position))
        position = end
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _string_end(text: str, start: int) -> int:
    """Index just past the closing quote of the string opening at ``start``."""
    position = start + 1
    while position < len(text):
        if text[position] == "\\":
            position += 2
        elif text[position] == '"':
            return position + 1
        else:
            position += 1
    raise InvalidFilter(f"The string starting at position {start} has no closing quote.")


def _word_end(text: str, start: int) -> int:
    position = start
    while position < len(text) and not text[position].isspace():
        if text[position] in _PUNCTUATION or text[position] == '"':
            break
        position += 1
    return position


# Parser -----------------------------------------------------------------------------------------


def _attr_path(token: _Token) -> AttrPath:
    """Read ``[URN ":"] name ["." name]``; the URN runs up to the last colon (RFC 7644 §3.10)."""
    schema, colon, rest = token.text.rpartition(":")
    if colon and not _SCHEMA.fullmatch(schema):
        raise InvalidFilter(f"{schema!r} is not a schema URN (at position {token.position}).")
    attribute, dot, sub_attribute = rest.partition(".")
    names_ok = _NAME.fullmatch(attribute) and (not dot or _NAME.fullmatch(sub_attribute))
    if not names_ok:
        raise InvalidFilter(f"Expected an attribute name, found {token.describe()}.")
    return AttrPath(schema or None, attribute, sub_attribute if dot else None)


def _string_value(token: _Token) -> str:
    """Decode a JSON string (RFC 8259 §7), escapes included."""
    try:
        value = json.loads(token.text, strict=False)
        # A lone surrogate ("\ud800") decodes but is not text: no database would store it.
        value.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        raise InvalidFilter(f"Invalid string {token.describe()}.") from None
    return value


def _number_value(token: _Token, match: re.Match[str]) -> int | float:
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
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        self.in_value_path = False

    def peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind == "word" and token.text.lower() == word

    def expect(self, kind: str, what: str) -> _Token:
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
            return self.value_path(path)
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


# Rendering --------------------------------------------------------------------------------------


def _render_value(value: str | int | float | bool | None) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return json.dumps(value, ensure_ascii=False)


def _grouped(node: Filter, *kinds: type) -> str:
    text = render(node)
    return f"({text})" if isinstance(node, kinds) else text


def render(node: Filter) -> str:
    """Canonical filter text: lower-case operators, JSON values, only the parentheses needed.

    ``parse_filter(render(tree)) == tree``: "and"/"or" associate to the left, so a right
    operand of the same kind keeps its parentheses.
    """
    match node:
        case Compare(path, op, value):
            return f"{path} {op} {_render_value(value)}"
        case Present(path):
            return f"{path} pr"
        case And(left, right):
            return f"{_grouped(left, Or)} and {_grouped(right, And, Or)}"
        case Or(left, right):
            return f"{render(left)} or {_grouped(right, Or)}"
        case Not(expr):
            return f"not ({render(expr)})"
        case ValuePath(path, inner):
            return f"{path}[{render(inner)}]"
    raise TypeError(f"Not a filter node: {node!r}")


# In-memory evaluation ---------------------------------------------------------------------------


def _get(item: Any, name: str) -> Any:
    """Attribute names are case-insensitive (RFC 7643 §2.1)."""
    if not isinstance(item, Mapping):
        return None
    if name in item:
        return item[name]
    lowered = name.lower()
    return next((v for k, v in item.items() if isinstance(k, str) and k.lower() == lowered), None)


def _container(path: AttrPath, item: Mapping[str, Any]) -> Any:
    """Extension attributes live under their URN; core ones (with or without URN) at the top."""
    if path.schema:
        extension = _get(item, path.schema)
        if isinstance(extension, Mapping):
            return extension
    return item


def _values(path: AttrPath, item: Mapping[str, Any]) -> list[Any]:
    """The values ``path`` names in ``item``, one per element of a multi-valued attribute."""
    found = _get(_container(path, item), path.attribute)
    if isinstance(found, list):
        # RFC 7644 §3.4.2.2: a complex multi-valued attribute without sub-attribute ("emails
        # co ...") stands for its "value" sub-attribute.
        sub = path.sub_attribute or "value"
        elements = [_get(e, sub) if isinstance(e, Mapping) else e for e in found]
    elif path.sub_attribute is not None:
        elements = [_get(found, path.sub_attribute)]
    else:
        elements = [found]
    return [element for element in elements if _is_present(element)]


def _is_present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _as_datetime(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(actual: Any, expected: Any) -> bool:
    # Entra ID quotes booleans ("True"); compare those as the boolean they spell.
    if isinstance(actual, bool) and isinstance(expected, str):
        return expected.lower() == str(actual).lower()
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()
    return _is_number(actual) and _is_number(expected) and actual == expected


def _order(actual: Any, expected: Any) -> int | None:
    """-1, 0 or 1 comparing ``actual`` to ``expected``; None when they do not compare."""
    if _is_number(actual) and _is_number(expected):
        return (actual > expected) - (actual < expected)
    if not (isinstance(actual, str) and isinstance(expected, str)):
        return None
    left, right = _as_datetime(actual), _as_datetime(expected)
    if left is None or right is None:
        left, right = actual.casefold(), expected.casefold()  # type: ignore[assignment]
    return (left > right) - (left < right)  # type: ignore[operator]


def _test(op: str, actual: Any, expected: Any) -> bool:
    """One value against one operator (RFC 7644 Table 3), strings case-insensitively."""
    if op in ("eq", "ne"):
        return _equal(actual, expected) == (op == "eq")
    if op in STRING_OPERATORS:
        if not isinstance(actual, str):
            return False
        method = {"co": str.__contains__, "sw": str.startswith, "ew": str.endswith}[op]
        return method(actual.casefold(), expected.casefold())
    order = _order(actual, expected)
    allowed = {"gt": (1,), "ge": (0, 1), "lt": (-1,), "le": (-1, 0)}[op]
    return order in allowed


def _compare(node: Compare, item: Mapping[str, Any]) -> bool:
    values = _values(node.path, item)
    if node.value is None:
        # "eq null" means "not present", "ne null" means "present".
        return (not values) == (node.op == "eq")
    if node.op == "ne" and not values:
        return True  # a missing attribute is not equal to anything
    # A multi-valued attribute matches if any of its values does (RFC 7644 §3.4.2.2).
    return any(_test(node.op, value, node.value) for value in values)


def _elements(path: AttrPath, item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = _get(_container(path, item), path.attribute)
    elements = found if isinstance(found, list) else [] if found is None else [found]
    # A simple multi-valued attribute's elements are bare values: "value" names them.
    return [e if isinstance(e, Mapping) else {"value": e} for e in elements]


def matches(node: Filter, item: Mapping[str, Any]) -> bool:
    """Whether ``item`` (a resource, or one element of a multi-valued attribute) matches.

    Names and strings compare case-insensitively (RFC 7643 §2.1; the in-memory uses, PATCH
    value filters on emails and the like, have no case-exact sub-attributes).
    """
    match node:
        case And(left, right):
            return matches(left, item) and matches(right, item)
        case Or(left, right):
            return matches(left, item) or matches(right, item)
        case Not(expr):
            return not matches(expr, item)
        case Present(path):
            return bool(_values(path, item))
        case Compare():
            return _compare(node, item)
        case ValuePath(path, inner):
            return any(matches(inner, element) for element in _elements(path, item))
    raise TypeError(f"Not a filter node: {node!r}")
