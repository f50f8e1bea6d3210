"""In production, SSO starts only on an https PUBLIC_URL: over plain HTTP a sign-in cannot be
bound to the browser that started it (login CSRF). A system check says so at start-up."""

from __future__ import annotations

import pytest
from django.core import checks

from tests.provisioning.sso.conftest import LOGIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.ALLOWED_HOSTS = ["lms.example.com"]
    return settings


def test_sign_in_does_not_start_on_a_plain_http_public_url(client, sso, production):
    production.PUBLIC_URL = "http://lms.example.com"

    response = client.get(LOGIN, HTTP_HOST="lms.example.com")

    assert response.status_code == 404
    assert b"PUBLIC_URL) is https" in response.content
    assert "__Host-lms_saml_request" not in response.cookies


def test_sign_in_starts_bound_to_the_browser_on_an_https_public_url(client, sso, production):
    production.PUBLIC_URL = "https://lms.example.com"

    response = client.get(LOGIN, HTTP_HOST="lms.example.com")

    assert response.status_code == 302
    assert response.cookies["__Host-lms_saml_request"]["secure"]


def test_embedded_mode_still_signs_in_over_plain_http(client, sso, settings):
    settings.PRODUCTION = False

    assert client.get(LOGIN).status_code == 302


@pytest.mark.parametrize(
    ("public_url", "warned"),
    [("", True), ("http://lms.example.com", True), ("https://lms.example.com", False)],
)
def test_a_system_check_warns_at_start_up(production, public_url, warned):
    production.PUBLIC_URL = public_url

    ids = [message.id for message in checks.run_checks(tags=[checks.Tags.security])]

    assert ("provisioning.W001" in ids) is warned


def test_the_settings_page_says_why_sso_is_off(admin_client, sso, production):
    production.ALLOWED_HOSTS = ["testserver"]
    production.PUBLIC_URL = "http://testserver"

    page = admin_client.get("/settings/sso/").content.decode()

    assert "Single sign-on is off until the portal" in page
