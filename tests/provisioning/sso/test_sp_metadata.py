"""GET /sso/saml/metadata/: this portal's SAML 2.0 SP metadata (SAML Metadata §2.4.4)."""

from __future__ import annotations

import pytest
from lxml import etree
from onelogin.saml2.settings import OneLogin_Saml2_Settings

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
NS = {"md": MD}
URL = "/sso/saml/metadata/"


def schema_errors(xml: str) -> list[str]:
    """python3-saml's own check: the SAML metadata schema, one SPSSODescriptor, not expired."""
    checker = OneLogin_Saml2_Settings(
        {"sp": {"entityId": "x", "assertionConsumerService": {"url": "https://x.example/"}}},
        sp_validation_only=True,
    )
    return checker.validate_metadata(xml)


def test_is_valid_sp_metadata_with_the_acs_and_signed_assertions(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    xml = response.content.decode()
    assert schema_errors(xml) == []
    root = etree.fromstring(response.content)
    assert root.get("entityID") == "http://testserver/sso/saml/metadata/"
    descriptor = root.find("md:SPSSODescriptor", NS)
    assert descriptor.get("WantAssertionsSigned") == "true"
    [acs] = descriptor.findall("md:AssertionConsumerService", NS)
    assert (acs.get("Binding"), acs.get("Location")) == (
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        "http://testserver/sso/saml/acs/",
    )


def test_needs_no_sign_in_and_no_sso_configuration(client, db):
    assert client.get(URL).status_code == 200


def test_follows_the_public_url(client, settings):
    settings.PUBLIC_URL = "https://lms.example.com"

    root = etree.fromstring(client.get(URL).content)

    assert root.get("entityID") == "https://lms.example.com/sso/saml/metadata/"
    acs = root.find("md:SPSSODescriptor/md:AssertionConsumerService", NS)
    assert acs.get("Location") == "https://lms.example.com/sso/saml/acs/"


def test_uses_https_when_the_request_is_secure(client):
    root = etree.fromstring(client.get(URL, secure=True).content)

    assert root.get("entityID") == "https://testserver/sso/saml/metadata/"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_is_read_only(client, method):
    assert getattr(client, method)(URL).status_code == 405
