"""Validation of a SAML response, step by step (``steps``); ``report`` turns it into a report.

Pure: no database, no network, no request objects. The steps, in order:

1. decode: strict base64, then well-formed XML with no DTD, entity, comment or processing
   instruction (a comment inside a signed value changes what it reads as without breaking the
   signature, CVE-2017-11427; canonicalisation drops comments).
2. request: answers an AuthnRequest this portal sent (checked by ``provisioning.sso_services``
   against the database).
3-9. the SAML protocol schema and a few shapes python3-saml would crash on, then its strict
   ``is_valid`` (status, one assertion, signature, issuer, audience, destination, subject
   confirmation, time; error codes mapped to steps by ``errors``), then this portal's stricter
   rules: exact Destination and Recipient, a bearer confirmation answering our request (SAML
   Profiles §4.1.4.2) and a smaller clock skew than python3-saml's fixed five minutes.
10. replay: the assertion ID is new (checked by the services against the database).
11. attributes: the required ones are present.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import xmlsec
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from provisioning.sso.errors import MESSAGES, explain
from provisioning.sso.steps import Refused, Step, steps_before

MAX_RESPONSE_CHARS = 512 * 1024
# SamlAssertionId.assertion_id's length; Okta's IDs are about 40 characters.
MAX_ID_LENGTH = 255
# Tolerated difference between the IdP's clock and ours, on Conditions NotBefore/NotOnOrAfter.
CLOCK_SKEW = dt.timedelta(minutes=2)
NS = {
    "samlp": OneLogin_Saml2_Constants.NS_SAMLP,
    "saml": OneLogin_Saml2_Constants.NS_SAML,
}

# What python3-saml raises for a response it cannot accept, besides its ValidationError:
# OneLogin_Saml2_Error (e.g. an encrypted assertion without an SP key), lxml's syntax errors,
# xmlsec's errors, and ValueError (bad timestamps, base64, DTDForbidden, EntitiesForbidden).
# Anything else is a bug and must surface as one.
EXPECTED_ERRORS = (
    OneLogin_Saml2_ValidationError,
    OneLogin_Saml2_Error,
    etree.XMLSyntaxError,
    xmlsec.Error,
    ValueError,
)


# 1. Decode -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodedResponse:
    xml: bytes
    in_response_to: str | None
    root: etree._Element = field(compare=False, repr=False)


def decode_response(value: str | None) -> DecodedResponse:
    """The posted ``SAMLResponse`` (SAML Bindings §3.5.4: base64 of the XML), parsed strictly."""
    if not value:
        raise Refused(Step.DECODE, "No SAML response was posted (SAMLResponse is missing).")
    if len(value) > MAX_RESPONSE_CHARS:
        raise Refused(Step.DECODE, "The SAML response is too large.")
    try:
        # IdPs may wrap the base64 in lines (RFC 2045); any other stray character is refused.
        xml = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):  # ValueError: non-ASCII characters in the value
        raise Refused(Step.DECODE, "The SAML response is not valid base64.") from None
    root = _parse_strictly(xml)
    if root.tag != f"{{{NS['samlp']}}}Response":
        raise Refused(Step.DECODE, "This is not a SAML 2.0 Response.")
    return DecodedResponse(xml=xml, in_response_to=root.get("InResponseTo"), root=root)


def _parse_strictly(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.fromstring(xml, parser).getroottree()
    except etree.XMLSyntaxError:
        raise Refused(Step.DECODE, "The SAML response is not well-formed XML.") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise Refused(
            Step.DECODE,
            "The SAML response contains a DOCTYPE, which SAML forbids (SAML Bindings §3.5.4); "
            "refused as a possible XML entity attack.",
        )
    if tree.xpath("//comment() | //processing-instruction()") or any(
        True for _ in tree.getroot().iter(etree.Entity)
    ):
        raise Refused(
            Step.DECODE,
            "The SAML response contains XML comments or processing instructions. Identity "
            "providers do not send them, and a comment inside a signed value changes what it "
            "reads as: refused.",
        )
    return tree.getroot()


# 3-9. Validation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectations:
    """What this portal expects of a response: its python3-saml settings and addresses."""

    saml_settings: dict[str, Any]
    request_data: dict[str, Any]
    request_id: str
    acs_url: str
    now: dt.datetime


Attributes = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class VerifiedAssertion:
    assertion_id: str
    # Until when the assertion could be accepted, so until when its ID must be remembered.
    expires_at: dt.datetime
    name_id: str
    attributes: Attributes


def verify(decoded: DecodedResponse, expect: Expectations) -> VerifiedAssertion:
    """Steps 3-9: python3-saml's strict validation, then this portal's stricter rules."""
    _check_schema(decoded.root)
    _check_timestamp_format(decoded.root)
    _check_signature_references(decoded.root)
    response = _validated_by_library(decoded, expect)
    assertion = response.document.find("saml:Assertion", NS)
    if len(assertion.get("ID")) > MAX_ID_LENGTH:
        raise _own_refusal(Step.STRUCTURE, "The assertion's ID is too long to be remembered.")
    _check_destination(response.document, expect)
    confirmation = _bearer_confirmation(assertion, expect)
    conditions_end = _check_time_window(assertion, expect.now)
    confirmation_end = _time(confirmation.get("NotOnOrAfter"))
    return VerifiedAssertion(
        assertion_id=assertion.get("ID"),
        expires_at=max(t for t in (conditions_end, confirmation_end) if t is not None),
        name_id=response.get_nameid() or "",
        attributes=_attributes(response.get_attributes()),
    )


def _check_schema(root: etree._Element) -> None:
    """The SAML 2.0 protocol schema, first: python3-saml checks it only after reading the
    status, and fails with an IndexError on a StatusCode without its Value."""
    if isinstance(OneLogin_Saml2_XML.validate_xml(root, "saml-schema-protocol-2.0.xsd"), str):
        raise Refused(
            Step.STRUCTURE,
            MESSAGES[OneLogin_Saml2_ValidationError.INVALID_XML_FORMAT],
            passed=steps_before(Step.STATUS),
        )


def _check_signature_references(root: etree._Element) -> None:
    """An enveloped SAML signature references its element by ``#ID`` (SAML Core §5.4.2);
    python3-saml fails with a TypeError on a Reference without a URI."""
    for reference in root.iter(f"{{{OneLogin_Saml2_Constants.NS_DS}}}Reference"):
        uri = reference.get("URI") or ""
        if not uri.startswith("#") or len(uri) < 2:
            raise Refused(
                Step.SIGNATURE,
                "A signature must reference the signed element by its ID (SAML Core §5.4.2).",
                passed=steps_before(Step.STATUS),
            )


_TIME_ATTRIBUTES = (
    "IssueInstant",
    "NotBefore",
    "NotOnOrAfter",
    "AuthnInstant",
    "SessionNotOnOrAfter",
)
_SAML_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


def _check_timestamp_format(root: etree._Element) -> None:
    """SAML Core §1.3.3: times are UTC with a "Z". python3-saml's parser raises a bare
    Exception on anything else, so such a response is refused before it gets there."""
    for element in root.iter(etree.Element):
        for name in _TIME_ATTRIBUTES:
            value = element.get(name)
            if value is not None and not _SAML_TIME.fullmatch(value):
                raise Refused(
                    Step.STRUCTURE,
                    f"The timestamp {name}={value!r} is not in UTC (SAML Core §1.3.3).",
                    passed=steps_before(Step.STATUS),
                )


def _validated_by_library(
    decoded: DecodedResponse, expect: Expectations
) -> OneLogin_Saml2_Response:
    settings = OneLogin_Saml2_Settings(expect.saml_settings)
    passed = steps_before(Step.STATUS)
    try:
        response = OneLogin_Saml2_Response(settings, base64.b64encode(decoded.xml))
        response.is_valid(expect.request_data, expect.request_id, raise_exceptions=True)
        response.get_nameid()  # strict mode checks NameID and SPNameQualifier here
        response.get_attributes()  # and refuses a repeated attribute name here
    except OneLogin_Saml2_ValidationError as error:
        step, message = explain(error.code)
        raise Refused(step, message, passed=passed, detail=str(error), code=error.code) from None
    except EXPECTED_ERRORS as error:
        raise Refused(
            Step.STRUCTURE,
            "The response could not be read as a SAML 2.0 response.",
            passed=passed,
            detail=str(error),
        ) from None
    return response


def _own_refusal(step: Step, message: str) -> Refused:
    """A refusal by this portal's own rules, after python3-saml accepted the response."""
    return Refused(step, message, passed=steps_before(Step.REPLAY) - {step})


def _same_url(a: str | None, b: str) -> bool:
    if a is None:
        return False
    x, y = urlsplit(a), urlsplit(b)
    return (x.scheme.lower(), x.netloc.lower(), x.path, x.query) == (
        y.scheme.lower(),
        y.netloc.lower(),
        y.path,
        y.query,
    )


def _check_destination(document: etree._Element, expect: Expectations) -> None:
    """python3-saml accepts a Destination that merely starts with the ACS URL; we want it."""
    destination = document.get("Destination")
    if destination is not None and not _same_url(destination, expect.acs_url):
        raise _own_refusal(
            Step.DESTINATION,
            f"The response was sent to {destination}, not to this portal's ACS URL "
            f"{expect.acs_url}.",
        )


def _bearer_confirmation(assertion: etree._Element, expect: Expectations) -> etree._Element:
    """SAML Profiles §4.1.4.2: a bearer SubjectConfirmationData with our Recipient, our
    request's ID as InResponseTo, and a NotOnOrAfter (python3-saml only checks those given,
    and the Recipient as a substring)."""
    path = "saml:Subject/saml:SubjectConfirmation[@Method=$bearer]/saml:SubjectConfirmationData"
    for data in assertion.xpath(path, namespaces=NS, bearer=OneLogin_Saml2_Constants.CM_BEARER):
        if (
            _same_url(data.get("Recipient"), expect.acs_url)
            and data.get("InResponseTo") == expect.request_id
            and data.get("NotOnOrAfter")
        ):
            return data
    raise _own_refusal(
        Step.DESTINATION,
        "The assertion's subject confirmation must name this portal's ACS URL as Recipient, "
        "answer this portal's request and say until when it is valid (SAML Profiles §4.1.4.2).",
    )


def _check_time_window(assertion: etree._Element, now: dt.datetime) -> dt.datetime | None:
    """Conditions NotBefore/NotOnOrAfter (SAML Core §2.5.1.2) within CLOCK_SKEW; returns the
    last instant the assertion is acceptable."""
    conditions = assertion.find("saml:Conditions", NS)
    not_before = _time(conditions.get("NotBefore"))
    not_on_or_after = _time(conditions.get("NotOnOrAfter"))
    if not_before is not None and now + CLOCK_SKEW < not_before:
        raise _own_refusal(
            Step.TIME,
            "The assertion is not valid yet (NotBefore is in the future). Check that the "
            "clocks of the portal and the identity provider are right.",
        )
    if not_on_or_after is not None and now - CLOCK_SKEW >= not_on_or_after:
        raise _own_refusal(Step.TIME, "The assertion has expired (NotOnOrAfter has passed).")
    return None if not_on_or_after is None else not_on_or_after + CLOCK_SKEW


def _time(value: str | None) -> dt.datetime | None:
    """An xs:dateTime in UTC (SAML Core §1.3.3)."""
    if not value:
        return None
    # The same parser python3-saml used on these values, so both read the same instant.
    return dt.datetime.fromtimestamp(OneLogin_Saml2_Utils.parse_SAML_to_time(value), dt.UTC)


def _attributes(raw: Mapping[str, list[Any]]) -> Attributes:
    """Attribute name -> its string values (python3-saml gives NameID values as dicts)."""
    return tuple((name, tuple(_text(v) for v in values)) for name, values in raw.items())


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("NameID", {}).get("value") or "")
    return str(value)


def unverified_attributes(xml: bytes) -> Attributes:
    """The attributes as sent, for a check report when validation failed; never trusted."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    path = "//saml:Assertion/saml:AttributeStatement/saml:Attribute"
    return tuple(
        (
            node.get("Name", ""),
            tuple("".join(v.itertext()).strip() for v in node.findall("saml:AttributeValue", NS)),
        )
        for node in root.xpath(path, namespaces=NS)
    )
