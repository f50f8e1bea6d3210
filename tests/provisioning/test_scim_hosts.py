"""ALLOWED_HOSTS holds for the SCIM API as for the portal: a request naming another host is a
SCIM 400, refused before any work, never a 500 or a write applied and then refused."""

from __future__ import annotations

import logging

import pytest

from accounts.models import User
from provisioning.scim.constants import ERROR
from tests.provisioning.payloads import okta_create_user

pytestmark = pytest.mark.django_db

OURS, OTHER = "lms.example.com", "attacker.example.net"


@pytest.fixture(autouse=True)
def allowed_hosts(settings):
    settings.ALLOWED_HOSTS = [OURS]
    settings.PUBLIC_URL = ""


def _refused(response) -> None:
    assert response.status_code == 400
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == "400"
    assert body["detail"] == "The Host header names a host this server does not serve."
    assert OTHER not in response.content.decode()


def test_a_read_naming_another_host_is_a_scim_400_logged_as_django_does(scim, alice, caplog):
    with caplog.at_level(logging.ERROR, logger="django.security.DisallowedHost"):
        response = scim.get("/Users", Host=OTHER)

    _refused(response)
    [record] = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert OTHER in record.getMessage()


def test_our_host_is_answered_and_named_in_locations(scim, alice):
    response = scim.get("/Users", Host=OURS)

    assert response.status_code == 200
    [user] = response.json()["Resources"]
    assert user["meta"]["location"].startswith(f"http://{OURS}/api/scim2/Users/")


def test_writes_naming_another_host_change_nothing(scim, alice):
    before = User.objects.values().get(pk=alice.pk)
    body = okta_create_user("new@example.com", "New", "User", "new@example.com")
    deactivate = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }

    _refused(scim.post("/Users", body, Host=OTHER))
    _refused(scim.patch(f"/Users/{alice.scim_id}", deactivate, Host=OTHER))
    _refused(scim.delete(f"/Users/{alice.scim_id}", Host=OTHER))

    assert not User.objects.filter(username="new@example.com").exists()
    assert User.objects.values().get(pk=alice.pk) == before


def test_public_url_does_not_lift_allowed_hosts(scim, alice, settings):
    settings.PUBLIC_URL = f"https://{OURS}"

    _refused(scim.get("/Users", Host=OTHER))
    response = scim.get("/Users", Host=OURS)
    assert response.json()["Resources"][0]["meta"]["location"].startswith(f"https://{OURS}/")


def test_too_many_query_fields_is_a_400(scim, alice, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    response = scim.get("/Users", {f"x{i}": "1" for i in range(10)}, Host=OURS)

    assert response.status_code == 400
    assert response.json()["schemas"] == [ERROR]
