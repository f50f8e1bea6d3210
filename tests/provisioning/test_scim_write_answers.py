"""A PATCH or PUT answers with the user as the write left it, without reading it again: the
answer must be exactly what a GET reads right after, ETag included, whatever the write
changed (columns, the user type, the branch, the password, custom fields, nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import CustomField, UserType
from provisioning import services
from provisioning.scim.constants import ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA, USER_SCHEMA
from tests.factories import BranchFactory
from tests.provisioning.payloads import entra_op, entra_patch, okta_create_user, patch_op

pytestmark = pytest.mark.django_db


@pytest.fixture
def erin(scim, actor) -> dict[str, Any]:
    BranchFactory(name="Sales")
    BranchFactory(name="Support")
    CustomField.objects.create(key="badge", label="Badge", type="number")
    services.set_custom_fields_provisioning(True, actor=actor)
    payload = okta_create_user("erin@example.com", "Erin", "Hale", "erin@example.com")
    payload["schemas"] = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA]
    payload |= {
        "emails": [
            {"value": "erin@example.com", "type": "work", "primary": True},
            {"value": "erin@home.example", "type": "home"},
        ],
        "phoneNumbers": [{"value": "+30 210 555 0100", "type": "work"}],
        ENTERPRISE_USER_SCHEMA: {"department": "R&D", "manager": {"value": "m-1"}},
        LMS_USER_SCHEMA: {"branch": "Sales", "badge": 7},
    }
    response = scim.post("/Users", payload)
    assert response.status_code == 201, response.content
    return response.json()


def put_body(erin: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {key: value for key, value in erin.items() if key not in {"meta", "groups"}}
    return body | changes


WRITES = {
    "okta-deactivate": lambda erin: (
        "patch",
        patch_op({"op": "replace", "value": {"active": False}}),
    ),
    "entra-profile": lambda erin: (
        "patch",
        entra_patch(
            entra_op("Replace", "name.givenName", "Erina"),
            entra_op("Replace", 'emails[type eq "home"].value', "erina@home.example"),
            entra_op("Add", 'phoneNumbers[type eq "mobile"].value', "+30 690 1"),
            entra_op("Replace", f"{ENTERPRISE_USER_SCHEMA}:manager", "m-2"),
        ),
    ),
    "user-type": lambda erin: (
        "patch",
        patch_op({"op": "replace", "path": "userType", "value": UserType.TRAINER}),
    ),
    "branch": lambda erin: (
        "patch",
        patch_op({"op": "replace", "path": f"{LMS_USER_SCHEMA}:branch", "value": "Support"}),
    ),
    "custom-field": lambda erin: (
        "patch",
        patch_op({"op": "replace", "path": f"{LMS_USER_SCHEMA}:badge", "value": 8}),
    ),
    "password": lambda erin: (
        "patch",
        patch_op({"op": "replace", "path": "password", "value": "A-long-new-passphrase-42"}),
    ),
    "nothing": lambda erin: ("patch", patch_op({"op": "replace", "path": "active", "value": True})),
    "put": lambda erin: ("put", put_body(erin, title="Engineer", displayName="Erin H.")),
}


@pytest.mark.parametrize("name", WRITES)
def test_the_answer_is_what_a_get_reads_next(scim, erin, name):
    method, body = WRITES[name](erin)

    answer = getattr(scim, method)(f"/Users/{erin['id']}", body)

    assert answer.status_code == 200, answer.content
    read = scim.get(f"/Users/{erin['id']}")
    assert answer.json() == read.json()
    assert answer["ETag"] == read["ETag"]
    moved = answer.json()["meta"]["version"] != erin["meta"]["version"]
    assert moved == (name != "nothing")  # a write that changes nothing moves no version
