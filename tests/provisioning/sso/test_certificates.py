"""The IdP certificate as admins paste it, and fingerprints (no database)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes

from provisioning.sso import certificates
from provisioning.sso.certificates import CertificateError


def test_parses_a_pem_certificate(signing_key):
    [parsed] = certificates.parse_certificates(signing_key.certificate_pem)

    assert parsed == signing_key.certificate


def test_parses_the_bare_base64_body_without_begin_and_end_lines(signing_key):
    body = "\n".join(signing_key.certificate_pem.splitlines()[1:-1])

    assert certificates.parse_certificates(body) == [signing_key.certificate]


def test_parses_several_certificates_during_a_key_rollover(signing_key, other_key):
    text = signing_key.certificate_pem + "\n" + other_key.certificate_pem

    parsed = certificates.parse_certificates(text)

    assert parsed == [signing_key.certificate, other_key.certificate]
    assert certificates.to_pem(parsed) == text.replace("\n\n", "\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a certificate", "not an X.509 certificate"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "not an X.509"),
        ("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "private key"),
        ("   ", "empty"),
    ],
)
def test_refuses_what_is_not_a_certificate(text, message):
    with pytest.raises(CertificateError, match=message):
        certificates.parse_certificates(text)


def test_refuses_junk_between_base64_lines(signing_key):
    lines = signing_key.certificate_pem.splitlines()
    lines.insert(3, "!!junk!!")

    with pytest.raises(CertificateError):
        certificates.parse_certificates("\n".join(lines))


def test_fingerprints_match_okta_s_display_with_or_without_colons(signing_key):
    shown = signing_key.fingerprint()  # "AB:CD:…", as Okta shows it

    normalized = certificates.normalize_fingerprint(shown)

    assert normalized == certificates.fingerprint(signing_key.certificate, "sha256")
    assert certificates.normalize_fingerprint(shown.replace(":", "")) == normalized


def test_sha1_fingerprints_are_accepted_for_compatibility(signing_key):
    shown = signing_key.fingerprint(hashes.SHA1())

    normalized = certificates.normalize_fingerprint(shown)

    assert len(normalized) == 40
    certificates.check_fingerprint_length(normalized, "sha1")
    with pytest.raises(CertificateError, match="SHA256 fingerprint has 64"):
        certificates.check_fingerprint_length(normalized, "sha256")


@pytest.mark.parametrize("value", ["xyz", "AB:CD", "0" * 63, "g" * 64])
def test_refuses_a_malformed_fingerprint(value):
    with pytest.raises(CertificateError, match="64 hexadecimal digits"):
        certificates.normalize_fingerprint(value)
