"""The pure validator and report: decoding, error-code mapping, attributes (no database).

End-to-end refusals through the ACS are in test_acs_refusals.py; these pin the pieces.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError

from provisioning.models import SsoSettings
from provisioning.sso import check, errors, report, saml, steps
from provisioning.sso.steps import Refused, Status, Step
from tests.provisioning.sso.fake_okta import OKTA_ISSUER, OKTA_SSO_URL, post_value

SP = saml.SpEndpoints(
    entity_id="http://testserver/sso/saml/metadata/",
    acs_url="http://testserver/sso/saml/acs/",
    metadata_url="http://testserver/sso/saml/metadata/",
)
REQUEST_DATA = {
    "https": "off",
    "http_host": "testserver",
    "script_name": "",
    "path_info": "/sso/saml/acs/",
}
MAPPING = report.AttributeMapping(
    username="Username", first_name="FirstName", last_name="LastName", email="Email"
)


def expectations(key, request_id="ONELOGIN_1") -> check.Expectations:
    sso = SsoSettings(
        idp_entity_id=OKTA_ISSUER, idp_sso_url=OKTA_SSO_URL, idp_certificate=key.certificate_pem
    )
    return check.Expectations(
        saml_settings=saml.saml_settings(sso, SP),
        request_data=REQUEST_DATA,
        request_id=request_id,
        acs_url=SP.acs_url,
        now=dt.datetime.now(dt.UTC),
    )


def verify(xml: bytes, expect: check.Expectations) -> check.VerifiedAssertion:
    return check.verify(check.decode_response(post_value(xml)), expect)


def test_verifies_okta_s_response_and_reads_its_attributes(okta):
    assertion = verify(okta.response("ONELOGIN_1"), expectations(okta.key))

    assert dict(assertion.attributes) == {
        "Username": ("alice@example.com",),
        "FirstName": ("Alice",),
        "LastName": ("Pleasance",),
        "Email": ("alice@example.com",),
    }
    assert assertion.name_id == "alice@example.com"


def test_remembers_an_assertion_for_as_long_as_it_could_be_accepted(okta):
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0)
    xml = okta.response("ONELOGIN_1", issued_at=issued)

    assertion = verify(xml, expectations(okta.key))

    # Conditions' NotOnOrAfter (issue + 5 min) plus the tolerated clock skew.
    assert assertion.expires_at == issued + dt.timedelta(minutes=5) + check.CLOCK_SKEW


def test_accepts_a_fingerprint_instead_of_the_certificate(okta):
    sso = SsoSettings(
        idp_entity_id=OKTA_ISSUER,
        idp_sso_url=OKTA_SSO_URL,
        idp_cert_fingerprint=okta.key.fingerprint().replace(":", "").lower(),
    )
    expect = expectations(okta.key)
    expect = check.Expectations(**{**expect.__dict__, "saml_settings": saml.saml_settings(sso, SP)})

    assert verify(okta.response("ONELOGIN_1"), expect).assertion_id


def test_a_clock_skew_within_python3_saml_s_but_beyond_ours_is_refused(okta):
    xml = okta.response("ONELOGIN_1", not_before=dt.timedelta(seconds=200))

    with pytest.raises(Refused) as refused:
        verify(xml, expectations(okta.key))

    assert refused.value.step == Step.TIME
    assert refused.value.passed == steps.steps_before(Step.REPLAY) - {Step.TIME}


def test_a_recipient_that_merely_contains_the_acs_url_is_refused(okta):
    # python3-saml compares Recipient as a substring; SAML Profiles §4.1.4.2 wants the ACS URL.
    xml = okta.response("ONELOGIN_1", recipient="https://evil.example/?" + SP.acs_url)

    with pytest.raises(Refused) as refused:
        verify(xml, expectations(okta.key))

    assert refused.value.step == Step.DESTINATION


def test_a_timestamp_with_an_offset_is_refused_before_python3_saml_reads_it(okta):
    xml = okta.response("ONELOGIN_1").replace(b'Z"', b'+00:00"', 1)

    with pytest.raises(Refused) as refused:
        verify(xml, expectations(okta.key))

    assert refused.value.step == Step.STRUCTURE
    assert "not in UTC" in refused.value.message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "No SAML response"),
        ("", "No SAML response"),
        ("***", "not valid base64"),
        (base64.b64encode(b"<a><b></a>").decode(), "not well-formed XML"),
        (base64.b64encode(b"<a/>").decode(), "not a SAML 2.0 Response"),
        ("A" * (check.MAX_RESPONSE_CHARS + 4), "too large"),
    ],
)
def test_decoding_refuses_what_is_not_a_saml_response(value, message):
    with pytest.raises(Refused, match=message) as refused:
        check.decode_response(value)

    assert refused.value.step == Step.DECODE


def test_decoding_accepts_base64_wrapped_in_lines(okta):
    value = post_value(okta.response("ONELOGIN_1"))
    wrapped = "\r\n".join(value[i : i + 76] for i in range(0, len(value), 76))

    assert check.decode_response(wrapped).in_response_to == "ONELOGIN_1"


def test_every_python3_saml_error_code_maps_to_a_step_and_a_sentence():
    codes = [
        value
        for name, value in vars(OneLogin_Saml2_ValidationError).items()
        if name.isupper() and isinstance(value, int)
    ]

    for code in codes:
        step, message = errors.explain(code)
        assert step in steps.LIBRARY_STEPS | {Step.REQUEST}
        assert message.endswith((".", ")", ":", "refused."))


def test_a_refused_report_marks_failed_passed_and_not_reached_steps():
    refused = Refused(Step.AUDIENCE, "Wrong audience.", passed=steps.steps_before(Step.STATUS))

    result = report.refused_report(refused, (("Username", ("alice",)),), MAPPING)

    statuses = {r.step: r.status for r in result.steps}
    assert statuses[Step.DECODE] == statuses[Step.REQUEST] == Status.PASSED
    assert statuses[Step.AUDIENCE] == Status.FAILED
    assert statuses[Step.SIGNATURE] == statuses[Step.ATTRIBUTES] == Status.NOT_REACHED
    assert not result.passed
    assert result.summary() == "Failed at “Audience is this portal's SP entity ID”: Wrong audience."


def test_a_verified_report_lists_missing_required_attributes():
    assertion = check.VerifiedAssertion(
        assertion_id="id1",
        expires_at=dt.datetime.now(dt.UTC),
        name_id="alice",
        attributes=(("Username", ("alice",)), ("Email", ("a@example.com",))),
    )

    result = report.verified_report(assertion, MAPPING)

    assert [r.name for r in result.missing] == ["FirstName", "LastName"]
    assert result.failure.step == Step.ATTRIBUTES
    assert result.failure.message == "Missing: FirstName, LastName."


def test_ignoring_namespaces_matches_entra_s_claim_uris():
    claims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
    attributes = ((claims + "emailaddress", ("a@example.com",)),)

    assert report.attribute_values(attributes, "emailaddress", ignore_namespace=True) == (
        "a@example.com",
    )
    assert report.attribute_values(attributes, "emailaddress", ignore_namespace=False) == ()
