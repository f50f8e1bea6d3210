"""The SCIM filter grammar (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): parsing and rendering."""

import random

import pytest

from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from provisioning.scim.errors import InvalidFilter, InvalidPath
from provisioning.scim.filters import (
    MAX_FILTER_DEPTH,
    MAX_FILTER_LENGTH,
    And,
    AttrPath,
    Compare,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    matches,
    parse_filter,
    parse_path,
    render,
)


def attr(name: str, sub: str | None = None, schema: str | None = None) -> AttrPath:
    return AttrPath(schema, name, sub)


def eq(name: str, value, sub: str | None = None) -> Compare:
    return Compare(attr(name, sub), "eq", value)


# Every example of RFC 7644 §3.4.2.2, with the tree it must parse to.
RFC_EXAMPLES = [
    ('userName eq "bjensen"', eq("userName", "bjensen")),
    ('name.familyName co "O\'Malley"', Compare(attr("name", "familyName"), "co", "O'Malley")),
    ('userName sw "J"', Compare(attr("userName"), "sw", "J")),
    (
        f'{USER_SCHEMA}:userName sw "J"',
        Compare(attr("userName", schema=USER_SCHEMA), "sw", "J"),
    ),
    ("title pr", Present(attr("title"))),
    (
        'meta.lastModified gt "2011-05-13T04:42:34Z"',
        Compare(attr("meta", "lastModified"), "gt", "2011-05-13T04:42:34Z"),
    ),
    (
        'meta.lastModified ge "2011-05-13T04:42:34Z"',
        Compare(attr("meta", "lastModified"), "ge", "2011-05-13T04:42:34Z"),
    ),
    (
        'meta.lastModified lt "2011-05-13T04:42:34Z"',
        Compare(attr("meta", "lastModified"), "lt", "2011-05-13T04:42:34Z"),
    ),
    (
        'meta.lastModified le "2011-05-13T04:42:34Z"',
        Compare(attr("meta", "lastModified"), "le", "2011-05-13T04:42:34Z"),
    ),
    (
        'title pr and userType eq "Employee"',
        And(Present(attr("title")), eq("userType", "Employee")),
    ),
    (
        'title pr or userType eq "Intern"',
        Or(Present(attr("title")), eq("userType", "Intern")),
    ),
    (
        f'schemas eq "{ENTERPRISE_USER_SCHEMA}"',
        eq("schemas", ENTERPRISE_USER_SCHEMA),
    ),
    (
        'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
        And(
            eq("userType", "Employee"),
            Or(
                Compare(attr("emails"), "co", "example.com"),
                Compare(attr("emails", "value"), "co", "example.org"),
            ),
        ),
    ),
    (
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
        And(
            Compare(attr("userType"), "ne", "Employee"),
            Not(
                Or(
                    Compare(attr("emails"), "co", "example.com"),
                    Compare(attr("emails", "value"), "co", "example.org"),
                )
            ),
        ),
    ),
    (
        'userType eq "Employee" and (emails.type eq "work")',
        And(eq("userType", "Employee"), eq("emails", "work", sub="type")),
    ),
    (
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        And(
            eq("userType", "Employee"),
            ValuePath(
                attr("emails"),
                And(eq("type", "work"), Compare(attr("value"), "co", "@example.com")),
            ),
        ),
    ),
    (
        'emails[type eq "work" and value co "@example.com"] or '
        'ims[type eq "xmpp" and value co "@foo.com"]',
        Or(
            ValuePath(
                attr("emails"),
                And(eq("type", "work"), Compare(attr("value"), "co", "@example.com")),
            ),
            ValuePath(
                attr("ims"),
                And(eq("type", "xmpp"), Compare(attr("value"), "co", "@foo.com")),
            ),
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), RFC_EXAMPLES)
def test_parses_rfc_example(text, expected):
    assert parse_filter(text) == expected


@pytest.mark.parametrize(("text", "expected"), RFC_EXAMPLES)
def test_rfc_example_survives_render_and_reparse(text, expected):
    assert parse_filter(render(parse_filter(text))) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'emails[type eq "work"].value eq "bjensen@example.com"',
            ValuePath(attr("emails"), And(eq("type", "work"), eq("value", "bjensen@example.com"))),
        ),
        (
            'phoneNumbers[type eq "mobile"].value pr and userName eq "b"',
            And(
                ValuePath(attr("phoneNumbers"), And(eq("type", "mobile"), Present(attr("value")))),
                eq("userName", "b"),
            ),
        ),
    ],
)
def test_reads_entras_value_filter_with_a_sub_attribute_as_one_element_filter(text, expected):
    # Outside RFC 7644's grammar, but Entra matches users with it.
    assert parse_filter(text) == expected
    assert parse_filter(render(parse_filter(text))) == expected


def test_renders_canonical_text():
    text = 'userType NE "Employee" AND NOT(emails CO "example.com" OR title PR)'

    assert render(parse_filter(text)) == (
        'userType ne "Employee" and not (emails co "example.com" or title pr)'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a pr or b pr and c pr",
            Or(Present(attr("a")), And(Present(attr("b")), Present(attr("c")))),
        ),
        (
            "a pr and b pr or c pr",
            Or(And(Present(attr("a")), Present(attr("b"))), Present(attr("c"))),
        ),
        (
            "(a pr or b pr) and c pr",
            And(Or(Present(attr("a")), Present(attr("b"))), Present(attr("c"))),
        ),
        (
            "a pr and b pr and c pr",
            And(And(Present(attr("a")), Present(attr("b"))), Present(attr("c"))),
        ),
        (
            "a pr or (b pr or c pr)",
            Or(Present(attr("a")), Or(Present(attr("b")), Present(attr("c")))),
        ),
        ("not a pr and b pr", And(Not(Present(attr("a"))), Present(attr("b")))),
        ("not (a pr and b pr)", Not(And(Present(attr("a")), Present(attr("b"))))),
        ("not not (a pr)", Not(Not(Present(attr("a"))))),
        ("((a pr))", Present(attr("a"))),
    ],
)
def test_applies_precedence_not_then_and_then_or(text, expected):
    assert parse_filter(text) == expected
    assert parse_filter(render(expected)) == expected


@pytest.mark.parametrize(
    "text",
    ['userName EQ "x"', 'userName Eq "x"', 'USERNAME eq "x"', 'userName eq "x"'],
)
def test_operators_are_case_insensitive(text):
    node = parse_filter(text)

    assert isinstance(node, Compare)
    assert node.op == "eq"
    assert node.path.key() == "username"


def test_logical_words_and_literals_are_case_insensitive():
    node = parse_filter("a PR AND NOT (b Pr) Or c eq TRUE Or d eq Null")

    assert node == Or(
        Or(And(Present(attr("a")), Not(Present(attr("b")))), eq("c", True)),
        eq("d", None),
    )


def test_attribute_named_like_a_keyword_is_an_attribute():
    assert parse_filter("not pr") == Present(attr("not"))
    assert parse_filter('not eq "x"') == eq("not", "x")


def test_tolerates_extra_whitespace():
    text = '  ( userName   eq\t"x" )\n and  emails[ type eq "work" ]  '

    assert parse_filter(text) == And(
        eq("userName", "x"), ValuePath(attr("emails"), eq("type", "work"))
    )


def test_tolerates_missing_spaces_around_quotes_and_brackets():
    assert parse_filter('userName eq"x"and(a pr)') == And(eq("userName", "x"), Present(attr("a")))


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"say \"hi\""', 'say "hi"'),
        (r'"back\\slash"', "back\\slash"),
        (r'"caf\u00e9"', "café"),
        ('"café"', "café"),
        (r'"line\nbreak\ttab"', "line\nbreak\ttab"),
        (r'"\/"', "/"),
        ('""', ""),
        ('"a ] ) [ ( b"', "a ] ) [ ( b"),
        ('"100%_off"', "100%_off"),
    ],
)
def test_decodes_json_string_escapes(literal, value):
    node = parse_filter(f"userName eq {literal}")

    assert node == eq("userName", value)
    assert parse_filter(render(node)) == node


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("42", 42),
        ("-7", -7),
        ("0", 0),
        ("1.5", 1.5),
        ("-0.25", -0.25),
        ("2e3", 2000.0),
        ("1E-2", 0.01),
        ("true", True),
        ("false", False),
        ("null", None),
    ],
)
def test_parses_numbers_and_literals(literal, value):
    node = parse_filter(f"count eq {literal}")

    assert node == eq("count", value)
    assert type(node.value) is type(value)
    assert parse_filter(render(node)) == node


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("userName", "username"),
        ("name.givenName", "name.givenname"),
        ("emails.value", "emails.value"),
        (f"{USER_SCHEMA}:userName", "username"),
        (f"{USER_SCHEMA.upper()}:name.familyName", "name.familyname"),
        (f"{ENTERPRISE_USER_SCHEMA}:department", f"{ENTERPRISE_USER_SCHEMA.lower()}:department"),
        (
            f"{ENTERPRISE_USER_SCHEMA}:manager.value",
            f"{ENTERPRISE_USER_SCHEMA.lower()}:manager.value",
        ),
        ("members.$ref", "members.$ref"),
    ],
)
def test_attribute_key_drops_core_urn_and_keeps_extension_urn(text, key):
    node = parse_filter(f"{text} pr")

    assert node.path.key() == key


def test_urn_runs_up_to_the_last_colon():
    node = parse_filter(f'{ENTERPRISE_USER_SCHEMA}:manager.value eq "26118915-6090-4610"')

    assert node.path == AttrPath(ENTERPRISE_USER_SCHEMA, "manager", "value")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param('userName eq "bjensen', id="unclosed quote"),
        pytest.param('userName eq "bjensen\\"', id="escaped closing quote"),
        pytest.param('(userName eq "x"', id="unclosed paren"),
        pytest.param('userName eq "x")', id="extra closing paren"),
        pytest.param("()", id="empty parens"),
        pytest.param("userName eq", id="missing value"),
        pytest.param('userName "x"', id="missing operator"),
        pytest.param("userName", id="attribute only"),
        pytest.param('userName like "x"', id="unknown operator"),
        pytest.param('userName eq "x" garbage', id="trailing garbage"),
        pytest.param('userName eq "x" and', id="dangling and"),
        pytest.param('or userName eq "x"', id="leading or"),
        pytest.param('userName eq "x" userName eq "y"', id="missing logical operator"),
        pytest.param("userName eq bjensen", id="unquoted string"),
        pytest.param("userName eq 'bjensen'", id="single quotes"),
        pytest.param('userName eq "\\x41"', id="bad escape"),
        pytest.param('userName eq "\\ud800"', id="lone surrogate"),
        pytest.param("count eq 01", id="leading zero"),
        pytest.param("count eq 1.", id="bare decimal point"),
        pytest.param("count eq 1e999", id="infinite number"),
        pytest.param("count eq NaN", id="nan"),
        pytest.param('1userName eq "x"', id="name starts with digit"),
        pytest.param('user@name eq "x"', id="bad name character"),
        pytest.param('name. eq "x"', id="empty sub-attribute"),
        pytest.param('name.given.name eq "x"', id="two sub-attributes"),
        pytest.param('foo:userName eq "x"', id="schema not a urn"),
        pytest.param(':userName eq "x"', id="empty schema"),
        pytest.param("emails[type pr", id="unclosed bracket"),
        pytest.param('emails type eq "work"]', id="unopened bracket"),
        pytest.param("emails[]", id="empty value filter"),
        pytest.param("emails[type pr] pr", id="operator after value filter"),
        pytest.param('emails[type eq "work"].value', id="sub-attribute without a test"),
        pytest.param('emails[type pr].value.display eq "x"', id="sub-attribute of a sub-attribute"),
        pytest.param("name.givenName[type pr]", id="value filter on sub-attribute"),
        pytest.param("emails[type[value pr]]", id="nested value filter"),
        pytest.param("userName co 1", id="co with number"),
        pytest.param("userName sw null", id="sw with null"),
        pytest.param("active gt true", id="gt with boolean"),
        pytest.param("title lt null", id="lt with null"),
        pytest.param("not", id="not alone"),
        pytest.param("not ()", id="not with empty parens"),
        pytest.param("x" * (MAX_FILTER_LENGTH + 1), id="over-long"),
        pytest.param(f'userName eq "{"x" * MAX_FILTER_LENGTH}"', id="over-long value"),
        pytest.param(
            "(" * (MAX_FILTER_DEPTH + 1) + "a pr" + ")" * (MAX_FILTER_DEPTH + 1), id="deep parens"
        ),
        pytest.param("not " * (MAX_FILTER_DEPTH + 1) + "a pr", id="deep not"),
        pytest.param("(" * 5000, id="very deep parens"),
    ],
)
def test_rejects_malformed_filter(text):
    with pytest.raises(InvalidFilter) as caught:
        parse_filter(text)

    assert caught.value.scim_type == "invalidFilter"
    assert caught.value.detail


def test_rejects_non_string_filter():
    with pytest.raises(InvalidFilter):
        parse_filter(None)


def test_accepts_nesting_up_to_the_limit():
    text = "(" * MAX_FILTER_DEPTH + "a pr" + ")" * MAX_FILTER_DEPTH

    assert parse_filter(text) == Present(attr("a"))


def test_error_detail_says_where_the_problem_is():
    with pytest.raises(InvalidFilter) as caught:
        parse_filter('userName like "x"')

    assert "'like' at position 9" in caught.value.detail


def test_arbitrary_text_raises_only_invalid_filter():
    # Fragments that stress the tokenizer and parser, shuffled deterministically.
    fragments = [
        "(",
        ")",
        "[",
        "]",
        '"',
        "\\",
        " ",
        "a",
        ".b",
        "eq",
        "pr",
        "and",
        "or",
        "not",
        "1",
        "-",
        "e5",
        ":",
        "urn:x:",
        '"x"',
        "true",
        "null",
        "\\u",
        "ü",
        "\x00",
        "$ref",
    ]
    rng = random.Random(7644)
    for _ in range(5000):
        text = "".join(rng.choice(fragments) for _ in range(rng.randint(0, 12)))
        try:
            node = parse_filter(text)
        except InvalidFilter:
            continue
        assert parse_filter(render(node)) == node
        matches(node, {"a": [{"value": "x"}], "b": "y"})


# PATCH paths (RFC 7644 §3.5.2) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("userName", PatchPath(attr("userName"))),
        ("name.givenName", PatchPath(attr("name", "givenName"))),
        (
            'emails[type eq "work"].value',
            PatchPath(attr("emails"), eq("type", "work"), "value"),
        ),
        (
            'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
            PatchPath(attr("members"), eq("value", "2819c223-7f76-453a-919d-413861904646")),
        ),
        (
            'addresses[type eq "work" and primary eq true].streetAddress',
            PatchPath(
                attr("addresses"),
                And(eq("type", "work"), eq("primary", True)),
                "streetAddress",
            ),
        ),
        (
            f"{ENTERPRISE_USER_SCHEMA}:manager.value",
            PatchPath(AttrPath(ENTERPRISE_USER_SCHEMA, "manager", "value")),
        ),
        (
            f"{ENTERPRISE_USER_SCHEMA}:department",
            PatchPath(AttrPath(ENTERPRISE_USER_SCHEMA, "department", None)),
        ),
        (f"{USER_SCHEMA}:active", PatchPath(AttrPath(USER_SCHEMA, "active", None))),
        (
            ' emails[ type eq "work" ].value ',
            PatchPath(attr("emails"), eq("type", "work"), "value"),
        ),
    ],
)
def test_parses_patch_path(text, expected):
    assert parse_path(text) == expected


def test_patch_path_keys_match_filter_keys():
    path = parse_path(f"{ENTERPRISE_USER_SCHEMA}:manager.value")

    assert path.attr.key() == f"{ENTERPRISE_USER_SCHEMA.lower()}:manager.value"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("name.", id="empty sub-attribute"),
        pytest.param("name.givenName.x", id="two sub-attributes"),
        pytest.param("user name", id="space in name"),
        pytest.param('emails[type eq "work"', id="unclosed bracket"),
        pytest.param('emails[type eq "work"]value', id="sub-attribute without dot"),
        pytest.param('emails[type eq "work"].', id="dot without sub-attribute"),
        pytest.param('emails[type eq "work"].value.x', id="sub-sub-attribute"),
        pytest.param('emails[type eq "work"].value extra', id="trailing garbage"),
        pytest.param('emails[type eq "work"][primary eq true]', id="two value filters"),
        pytest.param("emails[type xx 1]", id="bad value filter"),
        pytest.param('name.givenName[type eq "x"]', id="value filter on sub-attribute"),
        pytest.param('userName eq "x"', id="a filter, not a path"),
        pytest.param("foo:bar", id="schema not a urn"),
        pytest.param("x" * (MAX_FILTER_LENGTH + 1), id="over-long"),
    ],
)
def test_rejects_malformed_patch_path(text):
    with pytest.raises(InvalidPath) as caught:
        parse_path(text)

    assert caught.value.scim_type == "invalidPath"
