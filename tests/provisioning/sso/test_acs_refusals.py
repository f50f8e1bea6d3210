"""POST /sso/saml/acs/ refuses every bad response, through the real validator.

No signature check is mocked: each response is built by the fake Okta (or an attacker with
another key), altered as the attack would, and posted. Each is refused with a clear message on
the page and a log line, never a 500, and nobody is signed in.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import logging
import random
import re
from collections.abc import Callable

import pytest
from django.test import Client
from lxml import etree

from provisioning.models import SamlRequest
from tests.provisioning.sso.conftest import Browser, signed_in_username
from tests.provisioning.sso.fake_okta import (
    ALICE,
    DS,
    SAML,
    SAMLP,
    FakeOkta,
    SigningKey,
    post_value,
    q,
    unsigned,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC)
ROOT = dict(ALICE) | {"Username": "root@example.com", "Email": "root@example.com"}

# A case: (okta, request ID, attacker's key) -> the posted SAMLResponse value.
Case = Callable[[FakeOkta, str, SigningKey], str]


def b64(xml: bytes) -> str:
    return base64.b64encode(xml).decode()


def tampered(okta: FakeOkta, request_id: str, other: SigningKey) -> str:
    xml = okta.response(request_id)
    return post_value(
        xml.replace(
            b"alice@example.com</saml2:AttributeValue>",
            b"root@example.com</saml2:AttributeValue>",
            1,
        )
    )


def extra_unsigned_assertion(okta: FakeOkta, request_id: str, other: SigningKey) -> str:
    """XSW: Okta's signed assertion, plus the attacker's unsigned one after it."""
    response = etree.fromstring(okta.response(request_id))
    response.append(unsigned(okta.assertion(request_id, attributes=ROOT).element()))
    return post_value(etree.tostring(response))


def wrapped_assertion(okta: FakeOkta, request_id: str, other: SigningKey) -> str:
    """XSW: the signed assertion hidden in Extensions, the attacker's in its place carrying a
    copy of its signature (whose Reference still points at the hidden one)."""
    response = etree.fromstring(okta.response(request_id))
    original = response.find(q(SAML, "Assertion"))
    evil = unsigned(okta.assertion(request_id, attributes=ROOT).element())
    evil.insert(1, copy.deepcopy(original.find(q(DS, "Signature"))))
    response.remove(original)
    extensions = etree.Element(q(SAMLP, "Extensions"))
    extensions.append(original)
    response.insert(1, extensions)
    response.append(evil)
    return post_value(etree.tostring(response))


def signature_moved_to_a_forged_assertion(
    okta: FakeOkta, request_id: str, other: SigningKey
) -> str:
    """XSW: the attacker's assertion takes the signed one's ID and signature."""
    response = etree.fromstring(okta.response(request_id))
    original = response.find(q(SAML, "Assertion"))
    evil = unsigned(okta.assertion(request_id, attributes=ROOT).element())
    evil.set("ID", original.get("ID"))
    evil.insert(1, copy.deepcopy(original.find(q(DS, "Signature"))))
    response.replace(original, evil)
    return post_value(etree.tostring(response))


def doctype_entity(okta: FakeOkta, request_id: str, other: SigningKey) -> str:
    xml = okta.response(request_id)
    xml = xml.replace(
        b"<saml2p:Response",
        b'<!DOCTYPE r [<!ENTITY leak SYSTEM "file:///etc/passwd">]><saml2p:Response',
        1,
    ).replace(b">Pleasance<", b">&leak;<", 1)
    return post_value(xml)


def comment_in_name_id(okta: FakeOkta, request_id: str, other: SigningKey) -> str:
    """CVE-2017-11427: the IdP signed "alice@example.com.evil.example"; a comment inserted
    after signing leaves the signature valid and makes a naive reader see alice@example.com."""
    xml = okta.response(request_id, name_id="alice@example.com.evil.example")
    return post_value(
        xml.replace(b"alice@example.com.evil.example<", b"alice@example.com<!---->.evil.example<")
    )


def status_code_without_value(okta: FakeOkta, request_id: str, other: SigningKey) -> str:
    # python3-saml reads the status before checking the schema and fails with an IndexError.
    return post_value(
        okta.response(request_id).replace(
            b' Value="urn:oasis:names:tc:SAML:2.0:status:Success"', b""
        )
    )


def reference_without_uri(okta: FakeOkta, request_id: str, other: SigningKey) -> str:
    # python3-saml fails with a TypeError on a signature Reference without a URI.
    return post_value(
        re.sub(rb'<ds:Reference URI="[^"]*"', b"<ds:Reference", okta.response(request_id))
    )


CASES: dict[str, tuple[Case, str]] = {
    "tampered-after-signing": (
        tampered,
        "response was changed after it was signed, or was signed with another key",
    ),
    "wrong-audience": (
        lambda okta, rid, other: post_value(okta.response(rid, audience="https://other.example/")),
        "meant for another service",
    ),
    "wrong-recipient": (
        lambda okta, rid, other: post_value(
            okta.response(rid, recipient="https://other.example/acs")
        ),
        "Recipient must be the ACS URL",
    ),
    "wrong-destination": (
        lambda okta, rid, other: post_value(
            okta.response(rid, destination="https://other.example/acs")
        ),
        "sent to another address than this portal's ACS URL",
    ),
    "wrong-issuer": (
        lambda okta, rid, other: post_value(okta.response(rid, issuer="http://www.okta.com/other")),
        "issued by another identity provider",
    ),
    "expired": (
        lambda okta, rid, other: post_value(
            okta.response(rid, issued_at=NOW - dt.timedelta(hours=1))
        ),
        "The assertion has expired",
    ),
    "not-yet-valid": (
        lambda okta, rid, other: post_value(
            okta.response(rid, issued_at=NOW + dt.timedelta(hours=1))
        ),
        "The assertion is not valid yet",
    ),
    "unsigned": (
        lambda okta, rid, other: post_value(okta.response(rid, signed=False)),
        "The assertion is not signed",
    ),
    "signed-by-another-key": (
        lambda okta, rid, other: post_value(okta.response(rid, key=other)),
        "does not verify with the configured certificate",
    ),
    "wrapping-extra-unsigned-assertion": (extra_unsigned_assertion, "exactly one assertion"),
    "wrapping-wrapped-assertion": (wrapped_assertion, "exactly one assertion"),
    "wrapping-signature-moved": (
        signature_moved_to_a_forged_assertion,
        "does not verify with the configured certificate",
    ),
    "unsolicited": (
        lambda okta, rid, other: post_value(okta.response(None)),
        "This response was not asked for",
    ),
    "in-response-to-mismatch": (
        lambda okta, rid, other: post_value(okta.response("ONELOGIN_" + "0" * 40)),
        "answers a sign-in request this portal did not send",
    ),
    "doctype-entity": (doctype_entity, "contains a DOCTYPE"),
    "comment-in-name-id": (comment_in_name_id, "contains XML comments"),
    "malformed-base64": (lambda okta, rid, other: "PHNhbWw+*not base64*", "not valid base64"),
    "malformed-xml": (
        lambda okta, rid, other: b64(b'<samlp:Response xmlns:samlp="urn:x"><unclosed>'),
        "not well-formed XML",
    ),
    "no-saml-response": (lambda okta, rid, other: "", "SAMLResponse is missing"),
    "status-code-without-value": (status_code_without_value, "SAML 2.0 schema"),
    "reference-without-uri": (reference_without_uri, "reference the signed element by its ID"),
}


@pytest.mark.parametrize(("case", "message"), CASES.values(), ids=CASES.keys())
def test_refuses_a_bad_response_clearly_and_logs_it(
    browser: Browser, alice, other_key, caplog, case, message
):
    request_id = browser.start()

    with caplog.at_level(logging.WARNING, logger="provisioning.sso"):
        response = browser.post_value(case(browser.okta, request_id, other_key))

    assert response.status_code == 400
    content = response.content.decode()
    assert "The sign-in response was refused" in content
    assert message in content.replace("&#x27;", "'")
    assert "SAML response refused at step" in caplog.text
    assert signed_in_username(browser.acs_client) is None


def test_a_replayed_response_is_refused(browser, alice, caplog):
    request_id = browser.start()
    xml = browser.okta.response(request_id)
    assert browser.post(xml).status_code == 302

    with caplog.at_level(logging.WARNING, logger="provisioning.sso"):
        replayed = browser.post(xml)

    assert replayed.status_code == 400
    assert "already been answered: the response was replayed" in replayed.content.decode()
    assert "SAML response refused at step request" in caplog.text


def test_a_replayed_assertion_is_refused_even_in_a_new_response(browser, alice, caplog):
    first = browser.okta.response(browser.start(), assertion_id="id-used-once")
    assert browser.post(first).status_code == 302
    again = browser.okta.response(browser.start(), assertion_id="id-used-once")

    with caplog.at_level(logging.WARNING, logger="provisioning.sso"):
        response = Browser(browser.client, browser.okta).post(again)

    assert response.status_code == 400
    assert "This assertion has already been used: refused as a replay." in response.content.decode()
    assert "SAML response refused at step replay" in caplog.text


def test_a_response_to_an_expired_request_is_refused(browser, alice):
    request_id = browser.start()
    SamlRequest.objects.update(created_at=NOW - dt.timedelta(minutes=11))

    response = browser.post(browser.okta.response(request_id))

    assert response.status_code == 400
    assert "request expired" in response.content.decode()


def test_a_failed_response_uses_its_request_up(browser, alice):
    request_id = browser.start()
    browser.post(browser.okta.response(request_id, audience="https://other.example/"))

    response = browser.post(browser.okta.response(request_id))

    assert response.status_code == 400
    assert SamlRequest.objects.get().consumed_at is not None


def test_an_assertion_id_too_long_to_remember_is_refused(browser, alice):
    response = browser.post(browser.okta.response(browser.start(), assertion_id="id" + "9" * 300))

    assert response.status_code == 400
    assert "ID is too long" in response.content.decode()


def test_the_acs_takes_posts_only(client, sso):
    assert client.get("/sso/saml/acs/").status_code == 405


def mutate(xml: bytes, rnd: random.Random) -> bytes:
    """Drop, duplicate or rewrite a few elements, attributes or texts anywhere in ``xml``."""
    document = etree.fromstring(xml)
    elements = list(document.iter(etree.Element))[1:]
    for _ in range(rnd.randint(1, 3)):
        element = rnd.choice(elements)
        action = rnd.choice(["drop", "duplicate", "attribute", "text"])
        if action == "drop" and element.getparent() is not None:
            element.getparent().remove(element)
        elif action == "duplicate" and element.getparent() is not None:
            element.getparent().append(copy.deepcopy(element))
        elif action == "attribute" and element.attrib:
            element.set(rnd.choice(list(element.attrib)), rnd.choice(["", "x", "#x"]))
        elif action == "text":
            element.text = rnd.choice(["x", "root@example.com"])
    return etree.tostring(document)


def test_mutated_responses_never_cause_a_500_nor_sign_in_anyone_else(browser, alice):
    rnd = random.Random(20261128)  # fixed: the same mutations on every run

    for _ in range(60):
        browser.acs_client = Client()
        xml = mutate(browser.okta.response(browser.start()), rnd)
        response = browser.post(xml)

        assert response.status_code in {302, 400}
        assert signed_in_username(browser.acs_client) in {None, "alice@example.com"}
