"""Pages answer a database outage with a friendly 503, never a stack trace."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_database_outage_on_a_page_is_a_friendly_503(portal_admin, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(portal_admin)

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", unreachable)

    response = client.get("/users/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Back in a moment" in response.content
    assert b"server closed" not in response.content


def test_other_errors_are_a_plain_500(portal_admin, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(portal_admin)
    monkeypatch.setattr("accounts.views.users._filtered", lambda *a: 1 / 0)

    response = client.get("/users/")

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"ZeroDivisionError" not in response.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_database_outage_on_the_scim_api_is_a_scim_503(client, monkeypatch, method):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", unreachable)

    response = getattr(client, method)(
        "/api/scim2/Users",
        data="{}" if method == "post" else None,
        content_type="application/scim+json",
        HTTP_AUTHORIZATION="Bearer scim_abcdef12_x",
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "503",
        "detail": "The service is temporarily unavailable; retry later.",
    }
