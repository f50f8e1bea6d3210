"""The IdP's signing certificate: parsing what an admin pastes, and fingerprints.

Admins paste certificates in many shapes: a PEM file, Okta's "X.509 Certificate" box (PEM),
the bare base64 body some consoles show without the BEGIN/END lines, or several PEM blocks
while the IdP rolls its key over. All become a list of ``x509.Certificate``.
"""

from __future__ import annotations

import base64
import binascii
import re
import textwrap

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

_PEM_BLOCK = re.compile(
    r"-----BEGIN CERTIFICATE-----(?P<body>.*?)-----END CERTIFICATE-----", re.DOTALL
)
_HEX = re.compile(r"[0-9a-f]+")
# Hex digits in a fingerprint, by algorithm (FingerprintAlgorithm values).
FINGERPRINT_LENGTHS = {"sha256": 64, "sha1": 40}
_HASHES = {"sha256": hashes.SHA256, "sha1": hashes.SHA1}
MAX_CERTIFICATES = 4


class CertificateError(ValueError):
    """Text that is not one or more X.509 certificates; ``str()`` says why, for people."""


def parse_certificates(text: str) -> list[x509.Certificate]:
    """Every certificate in ``text``: PEM blocks, or one bare base64 body."""
    if "PRIVATE KEY" in text:
        raise CertificateError(
            "This is a private key. Paste the identity provider's certificate instead, and "
            "never share a private key."
        )
    bodies = [match["body"] for match in _PEM_BLOCK.finditer(text)] or [text]
    if len(bodies) > MAX_CERTIFICATES:
        raise CertificateError(f"Paste at most {MAX_CERTIFICATES} certificates.")
    return [_load(body) for body in bodies]


def _load(body: str) -> x509.Certificate:
    compact = "".join(body.split())
    if not compact:
        raise CertificateError("The certificate is empty.")
    try:
        base64.b64decode(compact, validate=True)  # junk between the lines is refused, not skipped
        return x509.load_pem_x509_certificate(pem_from_base64(compact).encode("ascii"))
    except (binascii.Error, ValueError):
        raise CertificateError(
            "This is not an X.509 certificate in PEM format (-----BEGIN CERTIFICATE----- …)."
        ) from None


def to_pem(certificates: list[x509.Certificate]) -> str:
    """Canonical PEM text, one block per certificate: what is stored."""
    return "".join(cert.public_bytes(Encoding.PEM).decode("ascii") for cert in certificates)


def der_base64(certificate: x509.Certificate) -> str:
    """The base64 body python3-saml wants (``x509cert``), without BEGIN/END lines."""
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")


def pem_from_base64(body: str) -> str:
    """A PEM block around a bare base64 body (as IdP metadata carries certificates)."""
    lines = "\n".join(textwrap.wrap("".join(body.split()), 64))
    return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n"


def fingerprint(certificate: x509.Certificate, algorithm: str) -> str:
    """Lower-case hex without separators, as ``normalize_fingerprint`` returns."""
    return certificate.fingerprint(_HASHES[algorithm]()).hex()


def normalize_fingerprint(value: str) -> str:
    """``AB:CD:…`` or ``abcd…`` (with or without colons or spaces) -> ``abcd…``."""
    compact = re.sub(r"[\s:]", "", value).lower()
    if not _HEX.fullmatch(compact) or len(compact) not in FINGERPRINT_LENGTHS.values():
        raise CertificateError(
            "A fingerprint is 64 hexadecimal digits (SHA-256) or 40 (SHA-1), with or without "
            "colons."
        )
    return compact


def check_fingerprint_length(value: str, algorithm: str) -> None:
    if len(value) != FINGERPRINT_LENGTHS[algorithm]:
        expected = FINGERPRINT_LENGTHS[algorithm]
        raise CertificateError(
            f"A {algorithm.upper()} fingerprint has {expected} hexadecimal digits; this one has "
            f"{len(value)}. Choose the matching algorithm."
        )
