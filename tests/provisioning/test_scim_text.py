"""What JSON can carry but no database stores: a lone surrogate ("\\ud800", a valid JSON
escape) and NUL. A value holding one is a SCIM 400, and a refusal that quotes one (its label,
its detail) is still logged, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json

import pytest

from accounts.models import AuditEvent, User
from provisioning.api.negotiation import ScimJSONRenderer
from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA, PATCH_OP
from tests.factories import BranchFactory
from tests.provisioning.payloads import okta_create_user

pytestmark = pytest.mark.django_db

LONE = "\ud800"


def _create(**extra) -> dict:
    return okta_create_user("carol@example.com", "Carol", "Jones", "carol@example.com", **extra)


@pytest.mark.parametrize(
    "extra",
    [
        {"userName": f"carol{LONE}@example.com"},
        {"name": {"givenName": LONE, "familyName": "Jones"}},
        {"displayName": LONE},
        {"externalId": LONE},
        {"emails": [{"value": "carol@example.com", "type": LONE, "primary": True}]},
        {"password": f"Tr0ub4dor&3-staple{LONE}"},
        {"userType": LONE},
        {ENTERPRISE_USER_SCHEMA: {"department": LONE}},
        {LMS_USER_SCHEMA: {"branch": LONE}},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_a_lone_surrogate_in_a_value_is_a_400(scim, extra):
    BranchFactory(name="Sales")

    response = scim.post("/Users", _create(**extra))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not User.objects.filter(email="carol@example.com").exists()


def test_a_patch_bringing_a_lone_surrogate_changes_nothing(scim, alice):
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": LONE}],
    }

    response = scim.patch(f"/Users/{alice.scim_id}", body)

    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.display_name != LONE


def test_a_refusal_quoting_a_lone_surrogate_is_answered_and_logged(scim):
    response = scim.post("/Users", _create(userName=LONE, active="maybe"))

    assert response.status_code == 400
    [event] = AuditEvent.objects.filter(event_type="user.created")
    assert event.outcome == "refused"
    assert event.target_label == "?"


def test_a_refusal_quoting_nul_is_answered_and_logged(scim):
    response = scim.delete("/Users/a%00b")

    assert response.status_code == 404
    [event] = AuditEvent.objects.filter(event_type="user.deleted")
    assert event.target_label == "a\ufffdb"


def test_nul_in_a_value_is_a_400(scim):
    response = scim.post("/Users", _create(userName="nul\x00@example.com"))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"


def test_the_renderer_writes_a_lone_surrogate_as_its_json_escape():
    rendered = ScimJSONRenderer().render({"detail": f"not {LONE} text"})

    assert rendered == b'{"detail":"not \\ud800 text"}'
    assert json.loads(rendered) == {"detail": f"not {LONE} text"}
