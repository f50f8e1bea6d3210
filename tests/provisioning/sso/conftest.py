"""SSO fixtures: a fake Okta with its own signing key, the portal configured for it, and a
browser-like helper that starts a sign-in and posts Okta's answer to the ACS."""

from __future__ import annotations

import base64
import zlib
from urllib.parse import parse_qs, urlsplit

import lxml.etree
import pytest
from django.http import HttpResponse
from django.test import Client

from accounts.models import User
from provisioning.models import SsoSettings
from tests.portal.conftest import admin_client, learner_client, portal_admin  # noqa: F401
from tests.provisioning.sso.fake_okta import (
    OKTA_ISSUER,
    OKTA_SSO_URL,
    FakeOkta,
    SigningKey,
    make_signing_key,
    post_value,
)

ACS = "/sso/saml/acs/"
LOGIN = "/sso/saml/login/"


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return make_signing_key()


@pytest.fixture(scope="session")
def other_key() -> SigningKey:
    """Somebody else's key: what an attacker would sign with."""
    return make_signing_key("attacker.example")


@pytest.fixture
def okta(signing_key: SigningKey) -> FakeOkta:
    return FakeOkta(signing_key)


@pytest.fixture
def sso(db, signing_key: SigningKey) -> SsoSettings:
    """SSO configured for the fake Okta, offered on the sign-in page, not yet checked."""
    SsoSettings.objects.update_or_create(
        pk=1,
        defaults={
            "enabled": True,
            "idp_entity_id": OKTA_ISSUER,
            "idp_sso_url": OKTA_SSO_URL,
            "idp_certificate": signing_key.certificate_pem,
        },
    )
    return SsoSettings.load()


def authn_request(location: str) -> lxml.etree._Element:
    """The AuthnRequest in an HTTP-Redirect URL (SAML Bindings §3.4.4.1: DEFLATE, base64)."""
    value = parse_qs(urlsplit(location).query)["SAMLRequest"][0]
    return lxml.etree.fromstring(zlib.decompress(base64.b64decode(value), -15))


class Browser:
    """A browser going to Okta and back: start a sign-in, post Okta's response to the ACS.

    ``client`` starts the sign-in; the response is posted by ``acs_client`` (by default a
    client with no cookies, as a cross-site POST arrives without the SameSite=Lax session).
    """

    def __init__(self, client: Client, okta: FakeOkta, acs_client: Client | None = None) -> None:
        self.client = client
        self.okta = okta
        self.acs_client = acs_client or Client()

    def start(self, path: str = LOGIN, **kwargs) -> str:
        """Start a sign-in; returns the AuthnRequest's ID."""
        response = self.client.get(path, **kwargs)
        assert response.status_code == 302, response.content
        return authn_request(response["Location"]).get("ID")

    def post(self, xml: bytes, **kwargs) -> HttpResponse:
        return self.post_value(post_value(xml), **kwargs)

    def post_value(self, value: str, **kwargs) -> HttpResponse:
        return self.acs_client.post(ACS, {"SAMLResponse": value}, **kwargs)

    def sign_in(self, **changes) -> HttpResponse:
        """The whole round trip, Okta answering with ``changes`` to its usual assertion."""
        request_id = self.start()
        return self.post(self.okta.response(request_id, **changes))


@pytest.fixture
def browser(client: Client, okta: FakeOkta, sso: SsoSettings) -> Browser:
    return Browser(client, okta)


def signed_in_username(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None
