"""Importing IdP metadata (SAML Metadata §2.4.3), as Okta publishes it (no database)."""

from __future__ import annotations

import pytest

from provisioning.sso.metadata import MetadataError, parse_idp_metadata
from tests.provisioning.sso.fake_okta import (
    OKTA_ISSUER,
    OKTA_SLO_URL,
    OKTA_SSO_URL,
    okta_metadata,
)


def test_reads_issuer_urls_and_signing_certificate(signing_key):
    imported = parse_idp_metadata(okta_metadata(signing_key, slo_url=OKTA_SLO_URL))

    assert (imported.entity_id, imported.sso_url, imported.slo_url) == (
        OKTA_ISSUER,
        OKTA_SSO_URL,
        OKTA_SLO_URL,
    )
    assert imported.certificate_pem == signing_key.certificate_pem


def test_a_key_descriptor_without_use_is_a_signing_key(signing_key):
    imported = parse_idp_metadata(okta_metadata(signing_key, use=None))

    assert imported.certificate_pem == signing_key.certificate_pem


def test_accepts_bytes_as_uploaded(signing_key):
    assert parse_idp_metadata(okta_metadata(signing_key).encode()).entity_id == OKTA_ISSUER


@pytest.mark.parametrize(
    ("use", "with_key"), [("encryption", True), (None, False)], ids=["encryption-only", "none"]
)
def test_refuses_metadata_without_a_signing_key(signing_key, use, with_key):
    xml = okta_metadata(signing_key if with_key else None, use=use)

    with pytest.raises(MetadataError, match="no signing key"):
        parse_idp_metadata(xml)


def test_refuses_metadata_without_an_http_redirect_sign_in_url(signing_key):
    xml = okta_metadata(signing_key).replace("HTTP-Redirect", "HTTP-Artifact")

    with pytest.raises(MetadataError, match="HTTP-Redirect"):
        parse_idp_metadata(xml)


@pytest.mark.parametrize(
    "xml",
    [
        "<md:EntityDescriptor",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>',
    ],
    ids=["malformed", "doctype"],
)
def test_refuses_what_is_not_metadata(xml):
    with pytest.raises(MetadataError, match="not well-formed metadata"):
        parse_idp_metadata(xml)


def test_refuses_an_sp_metadata_document(signing_key):
    xml = okta_metadata(signing_key).replace("IDPSSODescriptor", "SPSSODescriptor")

    with pytest.raises(MetadataError, match="IDPSSODescriptor"):
        parse_idp_metadata(xml)
