"""A fake Okta: a signing key made in the test, and SAML responses shaped like Okta's.

Okta's responses (Okta SAML 2.0 app integration, default settings): ``saml2p:Response`` with
Destination and InResponseTo, an entity-format Issuer, a Success status, and one
``saml2:Assertion`` signed with RSA-SHA256 over exclusive c14n, its enveloped signature right
after the Issuer (the position SAML's schema requires), the signing certificate in KeyInfo.
Attributes are ``xs:string`` values named as the app's attribute statements say (Username,
FirstName, LastName, Email).

``FakeOkta.response(...)`` returns the XML (bytes) so tests can tamper with it after signing;
``post_value`` turns it into the base64 ``SAMLResponse`` of the HTTP-POST binding.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner, methods

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

OKTA_ISSUER = "http://www.okta.com/exk1fake0kta5am1"
OKTA_SSO_URL = "https://lms-test.okta.com/app/lmstest_portal/exk1fake0kta5am1/sso/saml"
OKTA_SLO_URL = "https://lms-test.okta.com/app/lmstest_portal/exk1fake0kta5am1/slo/saml"

ALICE = {
    "Username": "alice@example.com",
    "FirstName": "Alice",
    "LastName": "Pleasance",
    "Email": "alice@example.com",
}


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(Encoding.PEM).decode("ascii")

    def fingerprint(self, algorithm: hashes.HashAlgorithm | None = None) -> str:
        """Upper-case hex with colons, as Okta's admin console shows it."""
        digest = self.certificate.fingerprint(algorithm or hashes.SHA256())
        return ":".join(f"{byte:02X}" for byte in digest)


def make_signing_key(common_name: str = "lms-test.okta.com") -> SigningKey:
    """A fresh RSA-2048 key and a self-signed certificate, as Okta's app signing certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return SigningKey(key, certificate)


def saml_time(moment: dt.datetime) -> str:
    """Okta's timestamps: UTC, milliseconds, "Z"."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def new_id() -> str:
    return "id" + uuid.uuid4().hex


def q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


@dataclass
class Assertion:
    """What goes into one assertion; every field can be changed to build a bad one."""

    in_response_to: str | None
    recipient: str
    audience: str
    issuer: str = OKTA_ISSUER
    attributes: Mapping[str, str | Sequence[str]] = field(default_factory=lambda: dict(ALICE))
    name_id: str = "alice@example.com"
    assertion_id: str = field(default_factory=new_id)
    issued_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    not_before: dt.timedelta = dt.timedelta(minutes=-5)  # Okta: 5 minutes before issue
    not_on_or_after: dt.timedelta = dt.timedelta(minutes=5)
    confirmation_not_on_or_after: dt.timedelta = dt.timedelta(minutes=5)

    def element(self) -> etree._Element:
        assertion = etree.Element(
            q(SAML, "Assertion"),
            nsmap={"saml2": SAML},
            ID=self.assertion_id,
            IssueInstant=saml_time(self.issued_at),
            Version="2.0",
        )
        _issuer(assertion, self.issuer)
        placeholder = etree.SubElement(assertion, q(DS, "Signature"), nsmap={"ds": DS})
        placeholder.set("Id", "placeholder")
        self._subject(assertion)
        self._conditions(assertion)
        self._authn_statement(assertion)
        self._attribute_statement(assertion)
        return assertion

    def _subject(self, assertion: etree._Element) -> None:
        subject = etree.SubElement(assertion, q(SAML, "Subject"))
        name_id = etree.SubElement(
            subject,
            q(SAML, "NameID"),
            Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        )
        name_id.text = self.name_id
        confirmation = etree.SubElement(
            subject, q(SAML, "SubjectConfirmation"), Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"
        )
        data = etree.SubElement(confirmation, q(SAML, "SubjectConfirmationData"))
        if self.in_response_to is not None:
            data.set("InResponseTo", self.in_response_to)
        data.set("NotOnOrAfter", saml_time(self.issued_at + self.confirmation_not_on_or_after))
        data.set("Recipient", self.recipient)

    def _conditions(self, assertion: etree._Element) -> None:
        conditions = etree.SubElement(
            assertion,
            q(SAML, "Conditions"),
            NotBefore=saml_time(self.issued_at + self.not_before),
            NotOnOrAfter=saml_time(self.issued_at + self.not_on_or_after),
        )
        restriction = etree.SubElement(conditions, q(SAML, "AudienceRestriction"))
        etree.SubElement(restriction, q(SAML, "Audience")).text = self.audience

    def _authn_statement(self, assertion: etree._Element) -> None:
        statement = etree.SubElement(
            assertion,
            q(SAML, "AuthnStatement"),
            AuthnInstant=saml_time(self.issued_at),
            SessionIndex=self.assertion_id,
        )
        context = etree.SubElement(statement, q(SAML, "AuthnContext"))
        etree.SubElement(
            context, q(SAML, "AuthnContextClassRef")
        ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"

    def _attribute_statement(self, assertion: etree._Element) -> None:
        statement = etree.SubElement(assertion, q(SAML, "AttributeStatement"))
        for name, value in self.attributes.items():
            attribute = etree.SubElement(
                statement,
                q(SAML, "Attribute"),
                Name=name,
                NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
            )
            for item in [value] if isinstance(value, str) else value:
                element = etree.SubElement(
                    attribute, q(SAML, "AttributeValue"), nsmap={"xs": XS, "xsi": XSI}
                )
                element.set(q(XSI, "type"), "xs:string")
                element.text = item


def _issuer(parent: etree._Element, issuer: str) -> None:
    element = etree.SubElement(
        parent,
        q(SAML, "Issuer"),
        Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity",
        nsmap={"saml2": SAML},
    )
    element.text = issuer


def sign(element: etree._Element, key: SigningKey) -> etree._Element:
    """Enveloped RSA-SHA256 signature over exclusive c14n, at the element's placeholder."""
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm=EXC_C14N,
    )
    return signer.sign(element, key=key.private_key, cert=[key.certificate], id_attribute="ID")


def unsigned(element: etree._Element) -> etree._Element:
    """The element without its signature placeholder (an IdP that does not sign)."""
    for placeholder in element.findall(q(DS, "Signature")):
        element.remove(placeholder)
    return element


def response_element(
    assertion: etree._Element | None,
    *,
    destination: str | None,
    in_response_to: str | None,
    issuer: str = OKTA_ISSUER,
) -> etree._Element:
    response = etree.Element(
        q(SAMLP, "Response"),
        nsmap={"saml2p": SAMLP},
        ID=new_id(),
        IssueInstant=saml_time(dt.datetime.now(dt.UTC)),
        Version="2.0",
    )
    if destination is not None:
        response.set("Destination", destination)
    if in_response_to is not None:
        response.set("InResponseTo", in_response_to)
    _issuer(response, issuer)
    status = etree.SubElement(response, q(SAMLP, "Status"))
    etree.SubElement(
        status, q(SAMLP, "StatusCode"), Value="urn:oasis:names:tc:SAML:2.0:status:Success"
    )
    if assertion is not None:
        response.append(assertion)
    return response


@dataclass
class FakeOkta:
    """Okta's side of one SAML app: its signing key, and responses as it sends them."""

    key: SigningKey
    acs_url: str = "http://testserver/sso/saml/acs/"
    audience: str = "http://testserver/sso/saml/metadata/"

    def assertion(self, in_response_to: str | None, **changes) -> Assertion:
        defaults = {"recipient": self.acs_url, "audience": self.audience}
        return Assertion(in_response_to=in_response_to, **(defaults | changes))

    def response(
        self,
        in_response_to: str | None,
        *,
        key: SigningKey | None = None,
        signed: bool = True,
        destination: str | None = "",
        **changes,
    ) -> bytes:
        """A complete response (XML bytes): ``changes`` go to ``Assertion``."""
        element = self.assertion(in_response_to, **changes).element()
        element = sign(element, key or self.key) if signed else unsigned(element)
        response = response_element(
            element,
            destination=self.acs_url if destination == "" else destination,
            in_response_to=in_response_to,
        )
        return etree.tostring(response, xml_declaration=True, encoding="UTF-8")


def post_value(xml: bytes) -> str:
    """The ``SAMLResponse`` form value of the HTTP-POST binding (SAML Bindings §3.5.4)."""
    return base64.b64encode(xml).decode("ascii")


def okta_metadata(
    key: SigningKey | None,
    *,
    use: str | None = "signing",
    sso_url: str = OKTA_SSO_URL,
    slo_url: str | None = None,
    entity_id: str = OKTA_ISSUER,
) -> str:
    """IdP metadata as Okta publishes it (Sign On tab → Metadata URL); ``key=None``: no
    KeyDescriptor at all; ``use``: the KeyDescriptor's use attribute (None: absent)."""
    key_descriptor = ""
    if key is not None:
        body = "".join(key.certificate_pem.splitlines()[1:-1])
        use_attribute = f' use="{use}"' if use else ""
        key_descriptor = (
            f'<md:KeyDescriptor{use_attribute}><ds:KeyInfo xmlns:ds="{DS}"><ds:X509Data>'
            f"<ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
            "</md:KeyDescriptor>"
        )
    slo = (
        '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{slo_url}"/>'
        if slo_url
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="{entity_id}">'
        '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{key_descriptor}"
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>"
        f"{slo}"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        f'Location="{sso_url}"/>'
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{sso_url}"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )
