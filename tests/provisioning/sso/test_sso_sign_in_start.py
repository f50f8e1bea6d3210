"""SP-initiated sign-in: the sign-in page's button, and GET /sso/saml/login/ (AuthnRequest)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from provisioning.models import SamlPurpose, SamlRequest, SsoSettings
from tests.provisioning.sso.conftest import LOGIN, authn_request
from tests.provisioning.sso.fake_okta import OKTA_SSO_URL

pytestmark = pytest.mark.django_db
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"


def test_sign_in_page_offers_sso_when_it_is_on(client, sso):
    content = client.get("/login/?next=/branches/").content.decode()

    assert "Sign in with SSO" in content
    assert 'href="/sso/saml/login/?next=/branches/"' in content


def test_sign_in_page_does_not_offer_sso_when_it_is_off(client, sso):
    SsoSettings.objects.update(enabled=False)

    assert b"Sign in with SSO" not in client.get("/login/").content


def test_sends_an_authn_request_to_okta_and_remembers_it(client, sso):
    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"].startswith(OKTA_SSO_URL + "?SAMLRequest=")
    request = authn_request(response["Location"])
    assert request.tag == f"{{{SAMLP}}}AuthnRequest"
    assert request.get("Destination") == OKTA_SSO_URL
    assert request.get("AssertionConsumerServiceURL") == "http://testserver/sso/saml/acs/"
    remembered = SamlRequest.objects.get()
    assert (remembered.request_id, remembered.purpose, remembered.consumed_at) == (
        request.get("ID"),
        SamlPurpose.LOGIN,
        None,
    )
    assert response["Cache-Control"].startswith("max-age=0")


def test_asks_for_no_authn_context_so_okta_mfa_sign_ins_work(client, sso):
    request = authn_request(client.get(LOGIN)["Location"])

    assert request.find("{urn:oasis:names:tc:SAML:2.0:protocol}RequestedAuthnContext") is None


def test_remembers_a_local_next_page_but_not_another_site(client, sso):
    client.get(LOGIN + "?next=/branches/")
    client.get(LOGIN + "?next=https://evil.example/")
    client.get(LOGIN + "?next=/" + "x" * 3000)

    assert list(SamlRequest.objects.order_by("pk").values_list("next_url", flat=True)) == [
        "/branches/",
        "",
        "",
    ]


def test_binds_the_request_to_the_browser_over_https(client, sso):
    response = client.get(LOGIN, secure=True)

    cookie = response.cookies["__Host-lms_saml_request"]
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"], cookie["path"]) == (
        True,
        True,
        "None",
        "/",
    )
    assert SamlRequest.objects.get().browser_binding


def test_does_not_bind_over_plain_http(client, sso):
    assert "__Host-lms_saml_request" not in client.get(LOGIN).cookies
    assert SamlRequest.objects.get().browser_binding == ""


def test_refuses_clearly_when_sso_is_off(client, sso):
    SsoSettings.objects.update(enabled=False)

    response = client.get(LOGIN)

    assert response.status_code == 404
    assert b"Single sign-on is turned off" in response.content
    assert not SamlRequest.objects.exists()


def test_refuses_clearly_when_sso_is_not_configured(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 404
    assert b"not configured" in response.content


def test_the_check_starts_for_portal_admins_even_with_sso_off(admin_client, sso):
    SsoSettings.objects.update(enabled=False)

    response = admin_client.get(LOGIN + "?check=1")

    assert response.status_code == 302
    assert SamlRequest.objects.get().purpose == SamlPurpose.CHECK


def test_the_check_is_for_portal_admins_only(learner_client, sso):
    assert learner_client.get(LOGIN + "?check=1").status_code == 403
    assert Client().get(LOGIN + "?check=1")["Location"].startswith("/login/")
    assert not SamlRequest.objects.exists()


def test_forgets_requests_that_expired(client, sso):
    client.get(LOGIN)
    SamlRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))

    client.get(LOGIN)

    assert SamlRequest.objects.count() == 1


def test_binds_when_the_public_address_is_https_behind_a_proxy(client, sso, settings):
    settings.PUBLIC_URL = "https://testserver"

    response = client.get(LOGIN)  # the proxy spoke plain HTTP to the app

    assert "__Host-lms_saml_request" in response.cookies
    assert SamlRequest.objects.get().browser_binding
