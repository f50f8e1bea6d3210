"""The SCIM API and the portal's pages go through one middleware stack: pages get sessions,
a signed-in user, messages and CSRF protection, while the API, which authenticates with a
bearer token, gets no session, no portal user and no messages, sets no cookie and needs no
CSRF token."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.base import BaseStorage
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from lms.middleware import SCIM_API_PATH
from tests.factories import UserFactory
from tests.provisioning.conftest import ScimApi
from tests.provisioning.payloads import okta_create_user, okta_deactivate_patch, okta_put_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_scim(scim_token) -> ScimApi:
    """The API from a browser-like client: a portal session cookie and CSRF checks enforced
    (Django's test client skips them unless told)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return ScimApi(client, scim_token)


def assert_no_session_or_cookie(response: HttpResponse) -> None:
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    # The portal's session, user and messages middleware did not run for it.
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "auser")
    assert not isinstance(get_messages(request), BaseStorage)


def test_an_api_answer_sets_no_cookie_and_never_reads_the_session(signed_in_scim):
    response = signed_in_scim.get("/Users")

    assert response.status_code == 200
    assert_no_session_or_cookie(response)


def test_api_writes_with_a_bearer_token_need_no_csrf_token(signed_in_scim):
    body = okta_create_user("ann", "Ann", "Lee", "ann@example.com")
    created = signed_in_scim.post("/Users", body)
    assert created.status_code == 201, created.content
    scim_id = created.json()["id"]

    replaced = signed_in_scim.put(
        f"/Users/{scim_id}", okta_put_user(scim_id, "ann", "Ann", "Li", "ann@example.com")
    )
    patched = signed_in_scim.patch(f"/Users/{scim_id}", okta_deactivate_patch())
    deleted = signed_in_scim.delete(f"/Users/{scim_id}")

    assert [replaced.status_code, patched.status_code, deleted.status_code] == [200, 200, 204]
    for response in (created, replaced, patched, deleted):
        assert_no_session_or_cookie(response)


def test_an_api_answer_says_its_length(scim):
    response = scim.get("/Users")

    assert int(response["Content-Length"]) == len(response.content) > 0


def test_an_api_answer_has_the_request_id_and_security_headers(scim):
    response = scim.get("/Users/does-not-exist")

    assert response.status_code == 404
    assert response.json()["status"] == "404"
    assert response["X-Request-ID"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_api_root_without_its_slash_is_redirected_to_it(client):
    response = client.get("/api/scim2")

    assert response.status_code == 301
    assert response["Location"] == "/api/scim2/"


def test_pages_keep_sessions_and_csrf(client):
    response = client.get("/login/")

    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert response.wsgi_request.session.accessed


def test_a_signed_in_page_still_has_its_user_and_messages(admin_client):
    response = admin_client.get("/")

    assert response.wsgi_request.user.is_authenticated
    assert isinstance(get_messages(response.wsgi_request), BaseStorage)


def test_the_api_is_served_where_the_portals_middleware_is_skipped():
    assert reverse("scim-openapi").startswith(SCIM_API_PATH)


def test_a_path_merely_starting_like_the_api_is_a_page(client):
    # Only the API's own prefix, with its slash, skips the portal's middleware.
    response = client.get("/api/scim2x")

    assert hasattr(response.wsgi_request, "session")


def test_a_page_refuses_a_post_without_a_csrf_token():
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403


def test_a_page_naming_another_host_gets_djangos_400_page(client, settings):
    # The SCIM API answers the same refusal with a SCIM body (tests/provisioning/test_scim_hosts).
    settings.ALLOWED_HOSTS = ["lms.example.com"]

    response = client.get("/login/", headers={"host": "attacker.example.net"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
