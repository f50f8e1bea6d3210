"""GET /api/scim2/openapi.json: the OpenAPI 3.0 description of the SCIM API."""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLResolver, get_resolver, resolve
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

from provisioning.api import discovery, openapi
from provisioning.api.openapi import json_schemas
from provisioning.scim import common, errors, schemas
from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA
from tests.provisioning.payloads import ROOT

METHODS = ("get", "post", "put", "patch", "delete")
DOCUMENT = openapi.openapi_document()


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def target(pointer: str) -> Any:
    node: Any = DOCUMENT
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def example_url(path: str) -> str:
    """A URL the documented path stands for: /Users/{id} -> /api/scim2/Users/<a uuid>."""
    return ROOT + path.replace("{id}", str(uuid.uuid4())).replace("{resourceId}", "User")


def served_views() -> list[Any]:
    """Every view under /api/scim2 but the catch-all 404."""
    scim = next(
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and "scim2" in str(p)
    )
    views = [getattr(p.callback, "view_class", p.callback) for p in scim.url_patterns]
    return [view for view in views if view is not discovery.NotFoundView]


@pytest.mark.django_db
def test_is_served_without_a_token(client):
    response = client.get(f"{ROOT}/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == json.loads(json.dumps(DOCUMENT))


@pytest.mark.django_db
def test_refuses_writes_with_405(client):
    response = client.post(f"{ROOT}/openapi.json", {})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_is_valid_openapi_3_0():
    assert DOCUMENT["openapi"].startswith("3.0.")
    assert [error.message for error in OPENAPI_30_VALIDATOR.iter_errors(DOCUMENT)] == []


def test_the_validator_rejects_a_broken_document():
    broken = copy.deepcopy(DOCUMENT)
    del broken["paths"]["/Users"]["get"]["responses"]["200"]["description"]
    broken["paths"]["/Users"]["get"]["parameters"].append({"name": "x", "in": "body"})

    assert len(list(OPENAPI_30_VALIDATOR.iter_errors(broken))) >= 2


def test_every_reference_resolves():
    found = set(refs(DOCUMENT))

    assert found
    for pointer in found:
        assert isinstance(target(pointer), dict), pointer


def test_lists_every_route_with_the_methods_its_view_serves():
    documented = {}
    for path, item in DOCUMENT["paths"].items():
        view = resolve(example_url(path)).func
        view = getattr(view, "view_class", view)
        documented.setdefault(view, set()).update(m for m in METHODS if m in item)

    assert set(documented) == set(served_views())
    for view, methods in documented.items():
        served = {m for m in METHODS if hasattr(view, m)} if isinstance(view, type) else {"get"}
        assert methods == served, view


def test_every_scim_operation_requires_the_bearer_token_and_documents_its_errors():
    assert DOCUMENT["security"] == [{"bearerAuth": []}]
    for path, item in DOCUMENT["paths"].items():
        for method in METHODS:
            if method not in item or path == "/openapi.json":
                continue
            assert "security" not in item[method]
            assert {"401", "414", "429", "503"} <= set(item[method]["responses"]), (method, path)


def test_writes_accept_both_media_types():
    for item in DOCUMENT["paths"].values():
        for method in ("post", "put", "patch"):
            if method in item:
                content = item[method]["requestBody"]["content"]
                assert set(content) == {"application/scim+json", "application/json"}


def test_user_lists_every_attribute_the_schemas_define():
    user = DOCUMENT["components"]["schemas"]["User"]["properties"]
    request = DOCUMENT["components"]["schemas"]["UserRequest"]["properties"]
    core = [a.name for a in common.COMMON_ATTRIBUTES + schemas.USER.attributes]

    assert set(user) == {*core, ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA} - {"password"}
    assert set(request) == {*core, ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA} - {
        "id",
        "meta",
        "groups",
    }
    manager = user[ENTERPRISE_USER_SCHEMA]["properties"]["manager"]["properties"]
    assert set(manager) == {"value", "$ref", "displayName"}


def test_error_envelope_follows_the_error_classes():
    error = DOCUMENT["components"]["schemas"]["Error"]
    scim_types = {cls.scim_type for cls in all_subclasses(errors.ScimError) if cls.scim_type}

    assert set(error["properties"]["scimType"]["enum"]) == scim_types
    assert error["properties"]["status"]["type"] == "string"
    conflict = DOCUMENT["components"]["responses"]["409"]["content"]["application/scim+json"]
    assert conflict["schema"]["allOf"][1]["properties"]["scimType"] == {
        "type": "string",
        "enum": ["uniqueness"],
    }


def all_subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *all_subclasses(direct)}}


def test_request_constraints_are_the_portals():
    user_name = re.compile(json_schemas.USER_NAME)

    language = re.compile(json_schemas.REQUEST_CONSTRAINTS["preferredLanguage"]["pattern"])
    assert all(user_name.match(name) for name in ("a", "Ada Lovelace", " x ", "ünï"))
    assert not any(user_name.match(name) for name in ("", "   ", "a\x00b", "tab\there", "\x7f"))
    assert all(language.match(tag) for tag in ("en", "en-US", "en_US", *schemas.LANGUAGE_TAGS))
    assert not any(language.match(tag) for tag in ("", "e", "english!", "en--US"))
    timezone = re.compile(json_schemas.REQUEST_CONSTRAINTS["timezone"]["pattern"])
    assert all(timezone.match(name) for name in schemas.TIME_ZONES)
