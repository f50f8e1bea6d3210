"""Properties of the filter parser (RFC 7644 §3.4.2.2) and the PATCH engine (§3.5.2).

Hypothesis generates the inputs; every run draws the same ones (``derandomize``), so CI is
reproducible, and the example counts keep the file to a few seconds. No database.
"""

from __future__ import annotations

import contextlib
import copy
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from provisioning.scim import attributes, errors, schemas
from provisioning.scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    LMS_USER_SCHEMA,
    PATCH_OP,
    USER_SCHEMA,
)
from provisioning.scim.filters import (
    MAX_FILTER_LENGTH,
    And,
    AttrPath,
    Compare,
    Filter,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    parse_filter,
    parse_path,
    render,
)
from provisioning.scim.patch import PatchOperation, apply_patch, parse_patch_request

PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, database=None)
FEW = settings(PROPERTIES, max_examples=100)

# Filters ----------------------------------------------------------------------------------------

NAME_CHARS = string.ascii_letters + string.digits + "-_"
# Real names, names that are also keywords, and made-up ones (RFC 7643 §2.1 ATTRNAME).
KNOWN_NAMES = ["userName", "emails", "value", "type", "not", "and", "or", "pr", "$ref"]
made_up_names = st.tuples(
    st.sampled_from(string.ascii_letters), st.text(NAME_CHARS, max_size=6)
).map("".join)
names = st.sampled_from(KNOWN_NAMES) | made_up_names
urns = st.sampled_from([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]) | st.from_regex(
    r"urn:[-_.:A-Za-z0-9]{1,12}", fullmatch=True
)
attr_paths = st.builds(AttrPath, st.none() | urns, names, st.none() | names)
# Lone surrogates are not text: the parser refuses them in a string value.
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
numbers = st.integers() | st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def comparisons(draw: st.DrawFn) -> Compare:
    """``attrPath op value`` with a value the operator takes (RFC 7644 Table 3)."""
    op = draw(st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]))
    if op in ("co", "sw", "ew"):
        value = draw(texts)
    elif op in ("gt", "ge", "lt", "le"):
        value = draw(texts | numbers)
    else:
        value = draw(texts | numbers | st.booleans() | st.none())
    return Compare(draw(attr_paths), op, value)


def boolean_trees(leaves: st.SearchStrategy[Filter]) -> st.SearchStrategy[Filter]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(And, inner, inner), st.builds(Or, inner, inner), st.builds(Not, inner)
        ),
        max_leaves=6,
    )


# Value filters ("emails[...]") hold no value filter and apply to a whole attribute.
value_filters = boolean_trees(comparisons() | st.builds(Present, attr_paths))
whole_attributes = st.builds(AttrPath, st.none() | urns, names)
filter_trees = boolean_trees(
    comparisons()
    | st.builds(Present, attr_paths)
    | st.builds(ValuePath, whole_attributes, value_filters)
)

FILTER_TOKENS = [
    "(", ")", "[", "]", '"', '\\"', "\\", '"x"', '"\\u00e9"', '"\\ud800"', " ", "and", "or",
    "not", "pr", "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "AND", "Not",
    "userName", "emails", "name.givenName", "emails.value", ".value", "emails[type",
    f"{USER_SCHEMA}:userName", f"{ENTERPRISE_USER_SCHEMA}:manager.value", "urn:", ":", ".",
    "1", "-1.5e3", "1e999", "01", "true", "FALSE", "null", "\x00", "\t", "é", "$ref", "a..b",
]  # fmt: skip
token_lists = st.lists(st.sampled_from(FILTER_TOKENS), max_size=25)
token_soup = token_lists.map(" ".join) | token_lists.map("".join)


@st.composite
def edited_filters(draw: st.DrawFn) -> str:
    """A valid filter, spelled differently or broken by one token: many still parse."""
    text = render(draw(filter_trees))
    edit = draw(st.sampled_from(["upper", "wrap", "not", "insert", "cut"]))
    if edit == "upper":
        return text.upper()
    if edit == "wrap":
        return f"( {text} )"
    if edit == "not":
        return f"not {text}"
    position = draw(st.integers(0, len(text)))
    if edit == "cut":
        return text[:position]
    return f"{text[:position]} {draw(st.sampled_from(FILTER_TOKENS))} {text[position:]}"


filter_like_text = st.one_of(st.text(max_size=200), token_soup, edited_filters())


@PROPERTIES
@given(filter_trees)
def test_rendered_filters_parse_back_to_the_same_tree(tree: Filter) -> None:
    text = render(tree)
    if len(text) <= MAX_FILTER_LENGTH:
        assert parse_filter(text) == tree


@PROPERTIES
@given(filter_like_text)
def test_any_text_parses_or_raises_invalid_filter_only(text: str) -> None:
    try:
        tree = parse_filter(text)
    except errors.InvalidFilter:
        return
    # Whatever parses renders to canonical text that parses back to the same tree.
    assert parse_filter(render(tree)) == tree


# Letters that Unicode case folding equates with ASCII ones (long s, Kelvin sign, dotless i),
# which no attribute name may hold.
_LOOKALIKES = {"s": "\u017f", "k": "\u212a", "i": "\u0131"}


def _any_case(word: str) -> st.SearchStrategy[str]:
    return st.tuples(
        *(st.sampled_from([c.lower(), c.upper(), _LOOKALIKES.get(c.lower(), c)]) for c in word)
    ).map("".join)


# What an IdP's lookup looks like, and near misses: any string between the quotes (quotes,
# backslashes, control characters and lone surrogates included), any spelling of the words.
user_name_lookups = st.builds(
    lambda name, op, value, space: f'{name}{space}{op}{space}"{value}"',
    _any_case("userName"),
    _any_case("eq"),
    st.text(max_size=60),
    st.sampled_from([" ", "  ", "\t"]),
)


@PROPERTIES
@given(user_name_lookups)
def test_a_user_name_lookup_reads_as_the_general_parser_reads_it(text: str) -> None:
    # A plainly written `userName eq "..."` skips the general parser; in parentheses, the same
    # filter cannot. Both give the same tree, or both refuse it.
    outcomes = []
    for variant in (text, f"({text})"):
        try:
            outcomes.append(parse_filter(variant))
        except errors.InvalidFilter:
            outcomes.append("invalid")
    assert outcomes[0] == outcomes[1]


@PROPERTIES
@given(filter_like_text)
def test_any_text_is_a_path_or_raises_invalid_path_only(text: str) -> None:
    with contextlib.suppress(errors.InvalidPath):
        parse_path(text)


def path_text(path: PatchPath) -> str:
    if path.value_filter is None:
        return str(path.attr)
    sub = f".{path.sub_attribute}" if path.sub_attribute else ""
    return f"{path.attr}[{render(path.value_filter)}]{sub}"


patch_paths = st.builds(PatchPath, attr_paths) | st.builds(
    PatchPath, whole_attributes, value_filters, st.none() | names
)


@PROPERTIES
@given(patch_paths)
def test_written_patch_paths_parse_back(path: PatchPath) -> None:
    assert parse_path(path_text(path)) == path


# PATCH ------------------------------------------------------------------------------------------

EXTENSIONS = {ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA}


def _without_empty(value: Any) -> Any:
    """Unassigned attributes are absent, never empty (RFC 7643 §2.5)."""
    if isinstance(value, dict):
        cleaned = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_without_empty(v) for v in value if v not in (None, "", [], {})]
    return value


def _declared(resource: dict[str, Any]) -> dict[str, Any]:
    """A user as the server would hold it: extensions declared, at most one primary email."""
    resource = _without_empty(resource)
    resource["schemas"] = [USER_SCHEMA, *sorted(EXTENSIONS & resource.keys())]
    primaries = [e for e in resource.get("emails", []) if e.get("primary")]
    for email in primaries[:-1]:
        email["primary"] = False
    return resource


words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=8)
email_values = st.fixed_dictionaries(
    {"value": st.sampled_from(["a@example.com", "B@example.com", "c@home.example"])},
    optional={"type": st.sampled_from(["work", "home", "Work"]), "primary": st.booleans()},
)
resources = st.fixed_dictionaries(
    {
        "schemas": st.just([USER_SCHEMA]),
        "id": st.just("2f1c9a4e-0d6b-4c1e-9a55-7b3f4e8d2a10"),
        "userName": st.sampled_from(["alice@example.com", "Bob"]),
    },
    optional={
        "externalId": words,
        "displayName": words,
        "name": st.fixed_dictionaries({}, optional={"givenName": words, "familyName": words}),
        "emails": st.lists(email_values, max_size=3),
        "active": st.booleans(),
        "locale": st.sampled_from(["en-GB", "de"]),
        "groups": st.just([{"value": "g1", "display": "Learners", "type": "direct"}]),
        ENTERPRISE_USER_SCHEMA: st.fixed_dictionaries(
            {},
            optional={
                "department": words,
                "manager": st.fixed_dictionaries({"value": words}),
            },
        ),
        LMS_USER_SCHEMA: st.fixed_dictionaries({}, optional={"branch": words}),
        "meta": st.just({"resourceType": "User", "version": 'W/"1"'}),
    },
).map(_declared)


def _qualified(schema: schemas.Schema, name: str) -> str:
    return name if schema is schemas.USER else f"{schema.id}:{name}"


def _simple_single_valued() -> list[tuple[str, schemas.Attribute]]:
    """Paths of the writable simple single-valued attributes, sub-attributes included."""
    found = []
    for schema in schemas.USER_RESOURCE_SCHEMAS:
        for attribute in schema.attributes:
            if attribute.multi_valued or attribute.mutability == attributes.READ_ONLY:
                continue
            if attribute.type != attributes.COMPLEX:
                found.append((_qualified(schema, attribute.name), attribute))
                continue
            for sub in attribute.sub_attributes:
                if sub.mutability != attributes.READ_ONLY:
                    found.append((_qualified(schema, f"{attribute.name}.{sub.name}"), sub))
    return found


SIMPLE = _simple_single_valued()
# Real paths of every kind, and some that are wrong; the values are anything JSON.
PATHS = [
    None, *(path for path, _ in SIMPLE), "emails", "emails.value", 'emails[type eq "work"]',
    'emails[type eq "work"].value', 'emails[value co "example"].primary', "emails[primary eq true]",
    "name", "groups", "id", "meta.created", "schemas", "password", "nickName",
    ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA, f"{ENTERPRISE_USER_SCHEMA}:manager",
    "name[givenName eq \"x\"]", "emails[", "urn:unknown:2.0:User:thing", "",
]  # fmt: skip
ATTRIBUTE_KEYS = sorted(
    {path for path in PATHS if path}
    | {"value", "type", "primary", "display", "givenName", "Active", "USERNAME"}
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | words
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(ATTRIBUTE_KEYS) | words, inner, max_size=3)
    ),
    max_leaves=8,
)


def value_for(attribute: schemas.Attribute) -> st.SearchStrategy[Any]:
    """A value of the attribute's type (RFC 7643 §2.3), Entra's "True"/"False" included."""
    if attribute.type == attributes.BOOLEAN:
        return st.booleans() | st.sampled_from(["True", "False"])
    return words


# (path, value) for one simple single-valued attribute, the value of the attribute's type.
simple_changes = st.sampled_from(SIMPLE).flatmap(
    lambda simple: st.tuples(st.just(simple[0]), value_for(simple[1]))
)
multi_valued_values = st.lists(email_values, max_size=3) | email_values
# Values of the right type for their path: these mostly apply.
typed_changes = st.one_of(
    simple_changes,
    st.tuples(st.just("emails"), multi_valued_values),
    st.tuples(st.just('emails[type eq "work"].value'), words),
    st.tuples(st.just("name"), st.fixed_dictionaries({}, optional={"givenName": words})),
    st.tuples(st.none(), st.dictionaries(st.sampled_from(["active", "displayName"]), words)),
)
typed_operations = st.tuples(st.sampled_from(["add", "replace", "Remove"]), typed_changes).map(
    lambda change: {"op": change[0], "path": change[1][0], "value": change[1][1]}
)
# Anything: real and wrong paths, unknown ops, any JSON value, members left out.
random_operations = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "Add", "Replace", "delete"])},
    optional={"path": st.sampled_from(PATHS) | words, "value": json_values},
)
patch_bodies = st.fixed_dictionaries(
    {
        "schemas": st.just([PATCH_OP]),
        "Operations": st.lists(typed_operations | random_operations, min_size=1, max_size=3),
    }
)


@FEW
@given(resources, patch_bodies)
def test_patching_raises_only_scim_errors_and_never_touches_its_input(
    resource: dict[str, Any], body: dict[str, Any]
) -> None:
    original = copy.deepcopy(resource)
    with contextlib.suppress(errors.ScimError):
        apply_patch(resource, parse_patch_request(body))

    assert resource == original


def _without(resource: dict[str, Any], path: str) -> dict[str, Any]:
    """``resource`` without the attribute at ``path`` ("displayName", "name.givenName",
    "urn:...:enterprise:2.0:User:manager.value"), by hand rather than by the engine."""
    result = copy.deepcopy(resource)
    container = result
    for urn in EXTENSIONS:
        if path.startswith(f"{urn}:"):
            container, path = result.get(urn, {}), path.removeprefix(f"{urn}:")
    name, _, sub = path.partition(".")
    if sub and isinstance(container.get(name), dict):
        container[name].pop(sub, None)
    elif not sub:
        container.pop(name, None)
    return _declared(result)


@PROPERTIES
@given(resources, simple_changes)
def test_adding_then_removing_a_simple_attribute_restores_the_user(
    resource: dict[str, Any], path_and_value: tuple[str, Any]
) -> None:
    path, value = path_and_value
    start = _without(resource, path)

    added = apply_patch(start, [PatchOperation("add", parse_path(path), value)])
    removed = apply_patch(added, [PatchOperation("remove", parse_path(path))])

    assert removed == start


# Replacements at whole attributes and sub-attributes, never through a value filter: replacing
# 'emails[value eq "a"]' with another address is no longer found the second time.
replacements = typed_changes.filter(lambda change: change[0] is None or "[" not in change[0])


@PROPERTIES
@given(resources, st.lists(replacements, min_size=1, max_size=3))
def test_replacing_twice_is_replacing_once(
    resource: dict[str, Any], changes: list[tuple[str | None, Any]]
) -> None:
    operations = [
        PatchOperation("replace", None if path is None else parse_path(path), value)
        for path, value in changes
    ]
    try:
        once = apply_patch(resource, operations)
    except errors.ScimError:
        return

    assert apply_patch(once, operations) == once
