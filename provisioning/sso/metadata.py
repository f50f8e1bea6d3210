"""IdP metadata XML (SAML Metadata §2.4.3) -> the SSO settings fields it determines.

Parsed with python3-saml's ``OneLogin_Saml2_IdPMetadataParser`` (its parser refuses DTDs and
entities). Only what is pasted or uploaded is read: metadata is never fetched from a URL here.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from provisioning.sso import certificates

MAX_METADATA_BYTES = 1024 * 1024
MAX_VALUE_LENGTH = 1024  # SsoSettings' entity ID and URL columns

# What the parser raises on input that is not usable metadata: malformed XML, and (as
# ValueError subclasses) a DTD or an entity declaration.
# AttributeError: python3-saml's parser on an empty <ds:X509Certificate/>.
METADATA_ERRORS = (etree.XMLSyntaxError, ValueError, AttributeError)

# A KeyDescriptor without ``use`` serves both signing and encryption (SAML Metadata §2.4.1.1).
_SIGNING_CERTIFICATES = (
    "//md:IDPSSODescriptor/md:KeyDescriptor[not(contains(@use, 'encryption'))]"
    "/ds:KeyInfo/ds:X509Data/ds:X509Certificate"
)


class MetadataError(ValueError):
    """Metadata the portal cannot use; ``str()`` says why, for people."""


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    sso_url: str
    slo_url: str
    certificate_pem: str


def parse_idp_metadata(xml: str | bytes) -> IdpMetadata:
    """The IdP's entity ID, HTTP-Redirect sign-in and sign-out URLs and signing certificates."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    if len(raw) > MAX_METADATA_BYTES:
        raise MetadataError("The metadata is larger than 1 MB; is this the right file?")
    try:
        idp = OneLogin_Saml2_IdPMetadataParser.parse(raw).get("idp", {})
        signing = _signing_certificates(raw)
    except METADATA_ERRORS:
        raise MetadataError(
            "This is not well-formed metadata XML (a DOCTYPE or entities are refused)."
        ) from None
    return _metadata(idp, signing)


def _signing_certificates(raw: bytes) -> list[str]:
    # The parser returns an encryption-only certificate as if it signed; look for signing ones.
    dom = OneLogin_Saml2_XML.to_etree(raw)
    nodes = OneLogin_Saml2_XML.query(dom, _SIGNING_CERTIFICATES)
    return [OneLogin_Saml2_XML.element_text(node) or "" for node in nodes]


def _metadata(idp: dict, signing: list[str]) -> IdpMetadata:
    entity_id = idp.get("entityId", "")
    if not entity_id:
        raise MetadataError("The metadata has no IDPSSODescriptor with an entityID.")
    sso_url = idp.get("singleSignOnService", {}).get("url", "")
    if not sso_url:
        raise MetadataError(
            "The metadata has no SingleSignOnService with the HTTP-Redirect binding "
            f"({OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT})."
        )
    slo_url = idp.get("singleLogoutService", {}).get("url", "")
    if max(len(entity_id), len(sso_url), len(slo_url)) > MAX_VALUE_LENGTH:
        raise MetadataError(
            f"An entity ID or URL in the metadata is over {MAX_VALUE_LENGTH} characters long."
        )
    return IdpMetadata(entity_id, sso_url, slo_url, _signing_pem(signing))


def _signing_pem(signing: list[str]) -> str:
    if not signing:
        raise MetadataError(
            'The metadata has no signing key (a KeyDescriptor use="signing" with an '
            "X509Certificate): the portal could not verify what the IdP signs."
        )
    try:
        parsed = [certificates.parse_certificates(body)[0] for body in signing]
    except certificates.CertificateError as error:
        raise MetadataError(f"The metadata's signing certificate: {error}") from None
    # A certificate listed twice (use="signing" and without use) is one certificate.
    unique = {cert.fingerprint(hashes.SHA256()): cert for cert in parsed}
    return certificates.to_pem(list(unique.values()))
