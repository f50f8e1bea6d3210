"""Schemathesis fuzzes the SCIM API from its own OpenAPI description, against gunicorn.

Every operation in the description (what /api/scim2/openapi.json serves, see
tests/provisioning/test_openapi.py) gets a bounded, derandomized set of generated requests,
valid and invalid, sent with the real Bearer token to the app under gunicorn on the test
database. No answer may be a 5xx, and every answer must be as described: a documented status
code, media type and headers, and a body that validates against the documented schema.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from provisioning.api.openapi import openapi_document
from tests.provisioning.payloads import okta_create_user
from tests.reliability.conftest import Scim, enable_scim, running_gunicorn

# Examples per operation in the fuzzing phase (the examples and coverage phases add their own
# few dozen); the whole file runs in well under a minute on 2 cores.
MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

pytestmark = [
    pytest.mark.live_server_process,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Loaded at collection, so that each operation is a test of its own. (The lazy
# ``schemathesis.pytest.from_fixture``, which could load it from the live server, breaks on
# pytest 9.2: it sets ``request.node._nodeid``, which pytest no longer has.) The document is
# the one served: tests/provisioning/test_openapi.py compares the two.
schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 0,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,  # Hypothesis' derandomize: the same cases on every run
                "database": "none",
            },
        }
    ),
)


@pytest.fixture(scope="module")
def scim_server(django_db_setup, tmp_path_factory) -> Iterator[str]:
    """One gunicorn for every operation; each test gets a fresh token and database."""
    # The fuzzer deliberately sends requests without the token; counted as failed logins, they
    # would turn into 429s after SCIM_AUTH_FAILURE_LIMIT. That limiter has its own tests.
    env = {"SCIM_AUTH_FAILURE_LIMIT": "0"}
    with running_gunicorn(tmp_path_factory.mktemp("schemathesis"), env) as base:
        yield base


@pytest.fixture
def live_scim(scim_server, transactional_db) -> Scim:
    return Scim(base=scim_server, token=enable_scim())


@pytest.fixture
def user_ids(live_scim) -> list[str]:
    """Users that exist, created as Okta creates them."""
    ids = []
    for name in ("grace", "edsger", "barbara"):
        body = okta_create_user(f"{name}@example.com", name.title(), "Test", f"{name}@example.com")
        status, created, _ = live_scim.send("POST", "/Users", body)
        assert status == 201, created
        ids.append(created["id"])
    return ids


def aim_at_a_real_user(case: Case, user_ids: list[str]) -> None:
    """A valid id is the id of an existing user: a random UUID would only ever meet 404.

    Invalid (negative) cases keep their generated id. The pick depends on the generated id
    alone, so a run is as reproducible as the generation. (Schemathesis' stateful phase
    follows the OpenAPI links from POST /Users instead, but against a live server whose data
    outlives each scenario Hypothesis reports FlakyStrategyDefinition; schemathesis' own
    runner retries on that, its pytest API cannot.)
    """
    generated = (case.path_parameters or {}).get("id")
    if generated is None or case.meta is None:
        return
    if case.meta.generation.mode == GenerationMode.POSITIVE:
        case.path_parameters["id"] = user_ids[zlib.crc32(str(generated).encode()) % len(user_ids)]


@schema.parametrize()
# One server, token and database for all the examples of an operation: what the examples
# create (users, events) is meant to stay and meet the next examples.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_as_described(case, live_scim, user_ids):
    aim_at_a_real_user(case, user_ids)

    case.call_and_validate(
        base_url=live_scim.base,
        headers={"Authorization": f"Bearer {live_scim.token}"},
        checks=CHECKS,
    )
