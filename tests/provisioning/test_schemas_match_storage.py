"""``/Schemas`` describes exactly what is stored (RFC 7643 §7): every writable attribute and
sub-attribute the User schemas list (core, enterprise, the LMS extension with the custom user
fields) comes back from a GET as a POST or a PUT sent it; each is described with all of its
characteristics, sub-attributes flattened under their parent; and what a POST carries that
/Schemas does not list is not returned.

The test reads the schemas over HTTP, as an IdP does, and builds its payloads from them: an
attribute added to the registry is covered without a change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from accounts.models import CustomField
from provisioning import services
from provisioning.scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    LMS_USER_SCHEMA,
    USER_SCHEMA,
)
from tests.factories import BranchFactory
from tests.provisioning.conftest import ScimApi
from tests.provisioning.payloads import CHARACTERISTICS, STRONG_PASSWORD

pytestmark = pytest.mark.django_db

USER_SCHEMAS = (USER_SCHEMA, ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA)
WRITABLE = {"readWrite", "writeOnly", "immutable"}  # RFC 7643 §2.2 "mutability"
# What every resource carries besides its schemas' attributes (RFC 7643 §3.1).
COMMON = {"schemas", "id", "externalId", "meta"}
# Values whose shape the server checks, by path; any other attribute takes a value made from
# its type (``sample``).
SHAPED = {
    "password": STRONG_PASSWORD,
    "active": False,  # True is what a new user is anyway
    "emails.primary": True,
    "phoneNumbers.value": "+30 210 555 0100",
    "phoneNumbers.primary": True,
    "addresses.primary": True,
    f"{LMS_USER_SCHEMA}:startDate": "2026-01-31",
}


@pytest.fixture
def schemas(scim: ScimApi, actor) -> dict[str, dict[str, Any]]:
    """/Schemas as an IdP reads it, by URN: two branches and a custom field of each type
    exposed, so that the LMS extension lists all it can."""
    BranchFactory(name="Athens")
    BranchFactory(name="Berlin")
    for key, kind, options in [
        ("team", "text", []),
        ("badge", "number", []),
        ("remote", "yes_no", []),
        ("startDate", "date", []),
        ("shirt", "dropdown", ["S", "M", "L"]),
    ]:
        CustomField.objects.create(key=key, label=key.title(), type=kind, options=options)
    services.set_custom_fields_provisioning(True, actor=actor)
    response = scim.get("/Schemas")
    assert response.status_code == 200, response.content
    return {resource["id"]: resource for resource in response.json()["Resources"]}


# Walking the schemas -------------------------------------------------------------------------


def path_of(urn: str, name: str) -> str:
    return name if urn == USER_SCHEMA else f"{urn}:{name}"


def writable(attributes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [attribute for attribute in attributes if attribute["mutability"] in WRITABLE]


def sample(path: str, attribute: dict[str, Any], n: int) -> Any:
    """A value ``attribute`` may hold, not the one a new user has anyway; ``n`` tells users
    apart (unique values)."""
    if path == "userName":
        return f"user{n}@example.com"
    if path == "emails.value":
        return f"user{n}.mail@example.com"
    if path in SHAPED:
        return SHAPED[path]
    if values := attribute.get("canonicalValues"):
        return values[1] if len(values) > 1 else values[0]  # the first is often the default
    name = attribute["name"].lstrip("$")
    return {
        "boolean": True,
        "decimal": 12.5,
        "integer": 7,
        "dateTime": "2026-01-31T08:00:00Z",
        "reference": f"https://idp.example.com/{name}/{n}",
    }.get(attribute["type"], f"{name} {n}")


def value_of(path: str, attribute: dict[str, Any], n: int) -> Any:
    if attribute["type"] != "complex":
        return sample(path, attribute, n)
    element = {
        sub["name"]: sample(f"{path}.{sub['name']}", sub, n)
        for sub in writable(attribute["subAttributes"])
    }
    return [element] if attribute["multiValued"] else element


def user_body(schemas: dict[str, dict[str, Any]], n: int) -> dict[str, Any]:
    """A User with a value for every writable attribute and sub-attribute /Schemas lists."""
    body: dict[str, Any] = {"schemas": list(USER_SCHEMAS)}
    for urn in USER_SCHEMAS:
        values = {
            attribute["name"]: value_of(path_of(urn, attribute["name"]), attribute, n)
            for attribute in writable(schemas[urn]["attributes"])
        }
        body |= values if urn == USER_SCHEMA else {urn: values}
    return body


# RFC 7643 §8.7.1 lists it readWrite, and so does /Schemas; the server makes it from
# manager.value instead of keeping what is sent (its own test below).
MANAGER_REF = f"{ENTERPRISE_USER_SCHEMA}:manager.$ref"


def mismatches(
    schemas: dict[str, dict[str, Any]], sent: dict[str, Any], got: dict[str, Any]
) -> list[str]:
    """Each writable attribute or sub-attribute ``got`` does not hold as ``sent`` holds it."""
    return unexplained(
        failure
        for urn in USER_SCHEMAS
        for attribute in writable(schemas[urn]["attributes"])
        for failure in attribute_mismatches(urn, attribute, sent, got)
    )


def unexplained(failures: Iterable[str]) -> list[str]:
    """``failures`` but the one explained (``MANAGER_REF``)."""
    return [failure for failure in failures if not failure.startswith(f"{MANAGER_REF}:")]


def part(urn: str, document: dict[str, Any]) -> dict[str, Any]:
    """Where a schema's attributes stand in a User: at the top, or under the extension URN."""
    return document if urn == USER_SCHEMA else document.get(urn) or {}


def attribute_mismatches(
    urn: str, attribute: dict[str, Any], sent: dict[str, Any], got: dict[str, Any]
) -> Iterator[str]:
    """How ``got`` differs from ``sent`` in one attribute (returned "never": it is absent)."""
    name, path = attribute["name"], path_of(urn, attribute["name"])
    value, returned = part(urn, sent)[name], part(urn, got).get(name)
    if attribute["returned"] == "never":
        if returned is not None:
            yield f"{path}: returned, though /Schemas says never"
        return
    if attribute["type"] != "complex":
        if returned != value:
            yield f"{path}: sent {value!r}, got {returned!r}"
        return
    if attribute["multiValued"]:
        # The element sent, found among those returned by its value: one returned or several
        # (emails: the portal's address alone, or it and the others).
        [value] = value
        found = [item for item in returned or [] if item.get("value") == value.get("value")]
        if len(found) != 1:
            yield f"{path}: sent {value!r}, got {returned!r}"
            return
        returned = found[0]
    for sub, sub_value in value.items():
        if (returned or {}).get(sub) != sub_value:
            yield f"{path}.{sub}: sent {sub_value!r}, got {(returned or {}).get(sub)!r}"


# Every writable attribute comes back ---------------------------------------------------------


def test_a_post_with_every_writable_attribute_gets_each_back(scim, schemas):
    sent = user_body(schemas, 1)

    created = scim.post("/Users", sent)

    assert created.status_code == 201, created.content
    assert list(mismatches(schemas, sent, created.json())) == []
    got = scim.get(f"/Users/{created.json()['id']}").json()
    assert list(mismatches(schemas, sent, got)) == []


def test_a_put_with_every_writable_attribute_gets_each_back(scim, schemas):
    created = scim.post("/Users", {"schemas": [USER_SCHEMA], "userName": "user2@example.com"})
    scim_id = created.json()["id"]
    sent = user_body(schemas, 2)

    replaced = scim.put(f"/Users/{scim_id}", sent | {"id": scim_id})

    assert replaced.status_code == 200, replaced.content
    assert list(mismatches(schemas, sent, scim.get(f"/Users/{scim_id}").json())) == []


def test_each_writable_attribute_alone_comes_back(scim, schemas):
    """One attribute at a time, beside the required userName: none is kept only because
    another came with it."""
    full = user_body(schemas, 0)
    failures = []
    for n, (urn, attribute) in enumerate(
        (urn, attribute)
        for urn in USER_SCHEMAS
        for attribute in writable(schemas[urn]["attributes"])
        if attribute["name"] != "userName"
    ):
        name = attribute["name"]
        sent: dict[str, Any] = {"schemas": list(USER_SCHEMAS), "userName": f"alone{n}@example.com"}
        if urn == USER_SCHEMA:
            sent[name] = full[name]
        else:
            sent[urn] = {name: full[urn][name]}
        response = scim.post("/Users", sent)
        if response.status_code != 201:
            failures.append(f"{path_of(urn, name)}: {response.status_code} {response.content!r}")
            continue
        got = scim.get(f"/Users/{response.json()['id']}").json()
        failures += unexplained(attribute_mismatches(urn, attribute, sent, got))
    assert failures == []


def test_the_managers_ref_is_made_from_its_value_whatever_is_sent(scim, schemas):
    [manager] = [
        attribute
        for attribute in schemas[ENTERPRISE_USER_SCHEMA]["attributes"]
        if attribute["name"] == "manager"
    ]
    [ref] = [sub for sub in manager["subAttributes"] if sub["name"] == "$ref"]
    sent = {
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "userName": "erin@example.com",
        ENTERPRISE_USER_SCHEMA: {
            "manager": {"value": "00u1a2b3", "$ref": "https://idp.example.com/Users/00u1a2b3"}
        },
    }

    created = scim.post("/Users", sent).json()

    got = scim.get(f"/Users/{created['id']}").json()[ENTERPRISE_USER_SCHEMA]["manager"]
    assert ref["mutability"] == "readWrite"  # as RFC 7643 §8.7.1 lists it
    assert "made from value" in ref["description"]
    assert got["$ref"] == "http://testserver/api/scim2/Users/00u1a2b3"


def test_of_several_emails_the_primary_one_comes_back_and_any_other_as_sent(scim, schemas):
    work = {"value": "erin@example.com", "type": "work", "primary": True}
    home = {"value": "erin@home.example.com", "type": "home"}
    sent = {"schemas": [USER_SCHEMA], "userName": "erin", "emails": [home, work]}

    created = scim.post("/Users", sent)

    assert created.status_code == 201, created.content
    emails = scim.get(f"/Users/{created.json()['id']}").json()["emails"]
    assert work in emails
    assert all(email in (work, home) for email in emails)  # one entry, or both


# /Schemas describes each attribute fully -----------------------------------------------------


def all_definitions(schemas: dict[str, dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for urn, schema in schemas.items():
        for attribute in schema["attributes"]:
            yield f"{urn}:{attribute['name']}", attribute
            for sub in attribute.get("subAttributes", []):
                yield f"{urn}:{attribute['name']}.{sub['name']}", sub


def test_every_attribute_and_sub_attribute_has_all_nine_characteristics(schemas):
    missing = {
        path: sorted(CHARACTERISTICS - set(definition))
        for path, definition in all_definitions(schemas)
        if not set(definition) >= CHARACTERISTICS
    }

    assert missing == {}
    assert set(USER_SCHEMAS) <= set(schemas)


def test_sub_attributes_are_listed_flat_under_their_parent_only(schemas):
    """RFC 7643 §2.3.8: a complex attribute's sub-attributes are simple; none is listed at the
    top level, dotted, and only complex attributes have sub-attributes."""
    for urn, schema in schemas.items():
        for attribute in schema["attributes"]:
            path = f"{urn}:{attribute['name']}"
            assert "." not in attribute["name"], path
            if attribute["type"] != "complex":
                assert "subAttributes" not in attribute, path
                continue
            assert attribute["subAttributes"], path
            for sub in attribute["subAttributes"]:
                assert sub["type"] != "complex", f"{path}.{sub['name']}"
                assert "subAttributes" not in sub, f"{path}.{sub['name']}"
                assert "." not in sub["name"], f"{path}.{sub['name']}"


# What /Schemas does not list is not returned ---------------------------------------------------

UNLISTED = {
    # RFC 7643 §4.1 attributes of the core schema this server does not keep.
    "roles": [{"value": "teacher", "primary": True}],
    "entitlements": [{"value": "lab-access"}],
    "ims": [{"value": "erin", "type": "xmpp"}],
    "photos": [{"value": "https://example.com/erin.jpg", "type": "photo"}],
    "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw"}],
    "colour": "teal",  # in no schema at all
}


def test_attributes_and_sub_attributes_schemas_does_not_list_are_not_returned(scim, schemas):
    sent = user_body(schemas, 3) | UNLISTED
    sent["name"] = sent["name"] | {"nickname": "E"}  # "nickName" is the core one, top level
    sent["emails"] = [sent["emails"][0] | {"display": "Erin at work"}]
    sent[LMS_USER_SCHEMA] = sent[LMS_USER_SCHEMA] | {"colour": "teal"}

    created = scim.post("/Users", sent)

    assert created.status_code == 201, created.content
    for document in (created.json(), scim.get(f"/Users/{created.json()['id']}").json()):
        assert unlisted(schemas, document) == []


def unlisted(schemas: dict[str, dict[str, Any]], document: dict[str, Any]) -> list[str]:
    """The attributes and sub-attributes of a User resource /Schemas does not list."""
    found = []
    for urn in USER_SCHEMAS:
        listed = {attribute["name"]: attribute for attribute in schemas[urn]["attributes"]}
        part = document if urn == USER_SCHEMA else document.get(urn, {})
        for name, value in part.items():
            if urn == USER_SCHEMA and (name in COMMON or name in USER_SCHEMAS):
                continue
            if name not in listed:
                found.append(path_of(urn, name))
                continue
            subs = {sub["name"] for sub in listed[name].get("subAttributes", [])}
            elements = value if isinstance(value, list) else [value]
            found += [
                f"{path_of(urn, name)}.{sub}"
                for element in elements
                if isinstance(element, dict)
                for sub in element
                if sub not in subs
            ]
    return found
