"""The SCIM API goes past the browser middleware; the portal keeps all of it."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_api_answer_sets_no_cookie_and_does_not_vary_on_one(client, scim_token):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.get("/api/scim2/Users", headers={"Authorization": f"Bearer {scim_token}"})

    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert not hasattr(response.wsgi_request, "session")  # the session was never looked at


def test_an_api_answer_says_its_length(scim):
    response = scim.get("/Users")

    assert int(response["Content-Length"]) == len(response.content) > 0


def test_an_api_answer_still_has_the_request_id_and_security_headers(scim):
    response = scim.get("/Users/does-not-exist")

    assert response.status_code == 404
    assert response.json()["status"] == "404"
    assert response["X-Request-ID"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_api_root_without_its_slash_goes_the_portal_way(client):
    response = client.get("/api/scim2")

    assert response.status_code == 301
    assert response["Location"] == "/api/scim2/"


def test_pages_keep_sessions_and_csrf(client):
    response = client.get("/login/")

    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert hasattr(response.wsgi_request, "session")
