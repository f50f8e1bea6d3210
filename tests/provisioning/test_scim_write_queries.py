"""A write's query string (RFC 7644 §3.9: ``attributes`` / ``excludedAttributes`` shape its
answer) is read before the write: a query refused is a write not made. The list parameters
(``count``, ``filter``, ...) mean nothing to a single resource and are ignored."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, User
from provisioning.scim.constants import PATCH_OP
from tests.provisioning.payloads import okta_create_user, okta_put_user

pytestmark = pytest.mark.django_db

BOTH = "?attributes=userName&excludedAttributes=emails"
DEACTIVATE = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}


def _refused(response) -> None:
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"


def test_a_create_with_a_refused_query_creates_nobody(scim):
    body = okta_create_user("carol@example.com", "Carol", "Jones", "carol@example.com")

    _refused(scim.post(f"/Users{BOTH}", body))

    assert not User.objects.filter(username="carol@example.com").exists()
    created = AuditEvent.objects.filter(event_type="user.created")
    assert list(created.values_list("outcome", flat=True)) == ["refused"]


def test_a_patch_or_put_with_a_refused_query_changes_nothing(scim, alice):
    before = User.objects.values().get(pk=alice.pk)
    put = okta_put_user(str(alice.scim_id), "alice@example.com", "Alicia", "L", "alice@example.com")

    _refused(scim.patch(f"/Users/{alice.scim_id}{BOTH}", DEACTIVATE))
    _refused(scim.put(f"/Users/{alice.scim_id}{BOTH}", put))

    assert User.objects.values().get(pk=alice.pk) == before


def test_list_parameters_on_a_write_are_ignored(scim, alice):
    response = scim.patch(f"/Users/{alice.scim_id}?count=abc&filter=((", DEACTIVATE)

    assert response.status_code == 200
    assert response.json()["active"] is False


def test_a_write_answer_shows_the_attributes_asked_for(scim, alice):
    response = scim.patch(f"/Users/{alice.scim_id}?attributes=active", DEACTIVATE)

    assert response.status_code == 200
    assert set(response.json()) == {"schemas", "id", "active"}


def test_a_create_refused_for_its_query_is_recorded_whatever_its_body(scim):
    response = scim.send("post", f"/Users{BOTH}", b"O\xfd\x13KV")

    _refused(response)
    created = AuditEvent.objects.filter(event_type="user.created")
    assert list(created.values_list("outcome", "target_label")) == [("refused", "")]
