"""python3-saml's validation error codes -> the step that failed, and a sentence for people.

``OneLogin_Saml2_ValidationError.code`` says what failed; its message is for developers and
goes to the log and the check report's detail, never alone to the person signing in.
"""

from __future__ import annotations

from onelogin.saml2.errors import OneLogin_Saml2_ValidationError

from provisioning.sso.steps import Step

_E = OneLogin_Saml2_ValidationError
_CODE_STEPS: dict[int, Step] = {
    **dict.fromkeys(
        (_E.MISSING_STATUS, _E.MISSING_STATUS_CODE, _E.STATUS_CODE_IS_NOT_SUCCESS), Step.STATUS
    ),
    **dict.fromkeys(
        (
            _E.WRONG_SIGNED_ELEMENT,
            _E.ID_NOT_FOUND_IN_SIGNED_ELEMENT,
            _E.DUPLICATED_ID_IN_SIGNED_ELEMENTS,
            _E.INVALID_SIGNED_ELEMENT,
            _E.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS,
            _E.UNEXPECTED_SIGNED_ELEMENTS,
            _E.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE,
            _E.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION,
            _E.WRONG_NUMBER_OF_SIGNATURES,
            _E.NO_SIGNED_MESSAGE,
            _E.NO_SIGNED_ASSERTION,
            _E.NO_SIGNATURE_FOUND,
            _E.INVALID_SIGNATURE,
            _E.DEPRECATED_SIGNATURE_METHOD,
            _E.DEPRECATED_DIGEST_METHOD,
        ),
        Step.SIGNATURE,
    ),
    _E.WRONG_INRESPONSETO: Step.REQUEST,
    **dict.fromkeys((_E.ISSUER_MULTIPLE_IN_RESPONSE, _E.WRONG_ISSUER), Step.ISSUER),
    **dict.fromkeys((_E.ISSUER_NOT_FOUND_IN_ASSERTION,), Step.ISSUER),
    **dict.fromkeys((_E.WRONG_AUDIENCE, _E.SP_NAME_QUALIFIER_NAME_MISMATCH), Step.AUDIENCE),
    **dict.fromkeys(
        (_E.WRONG_DESTINATION, _E.EMPTY_DESTINATION, _E.WRONG_SUBJECTCONFIRMATION),
        Step.DESTINATION,
    ),
    **dict.fromkeys(
        (_E.ASSERTION_TOO_EARLY, _E.ASSERTION_EXPIRED, _E.SESSION_EXPIRED, _E.RESPONSE_EXPIRED),
        Step.TIME,
    ),
}

MESSAGES: dict[int, str] = {
    _E.STATUS_CODE_IS_NOT_SUCCESS: "The identity provider answered with an error instead of "
    "signing you in (is the user assigned to the app?).",
    _E.WRONG_NUMBER_OF_ASSERTIONS: "The response must contain exactly one assertion. An extra "
    "or wrapped assertion is how signature-wrapping attacks work: refused.",
    _E.INVALID_XML_FORMAT: "The response does not conform to the SAML 2.0 schema.",
    _E.INVALID_SIGNATURE: "The signature does not verify with the configured certificate: the "
    "response was changed after it was signed, or was signed with another key.",
    _E.NO_SIGNED_ASSERTION: "The assertion is not signed. Signed assertions are required (in "
    "Okta: Assertion Signature = Signed).",
    _E.NO_SIGNATURE_FOUND: "The response is not signed. Signed assertions are required (in "
    "Okta: Assertion Signature = Signed).",
    _E.DEPRECATED_SIGNATURE_METHOD: "The signature uses SHA-1, which is refused (in Okta: "
    "Signature Algorithm = RSA-SHA256).",
    _E.DEPRECATED_DIGEST_METHOD: "The signature uses a SHA-1 digest, which is refused (in "
    "Okta: Digest Algorithm = SHA256).",
    _E.WRONG_ISSUER: "The response was issued by another identity provider than the configured "
    "one (check the identity provider issuer / entity ID).",
    _E.WRONG_AUDIENCE: "The assertion is meant for another service: its Audience is not this "
    "portal's SP entity ID (in Okta: Audience URI).",
    _E.WRONG_DESTINATION: "The response was sent to another address than this portal's ACS "
    "URL (in Okta: Single sign-on URL).",
    _E.WRONG_SUBJECTCONFIRMATION: "The assertion's subject confirmation is not for this "
    "portal's ACS URL and request, or has expired (its Recipient must be the ACS URL).",
    _E.ASSERTION_EXPIRED: "The assertion has expired (NotOnOrAfter has passed).",
    _E.ASSERTION_TOO_EARLY: "The assertion is not valid yet (NotBefore is in the future). "
    "Check that the clocks of the portal and the identity provider are right.",
    _E.SESSION_EXPIRED: "The identity provider's session for this sign-in has expired.",
    _E.WRONG_INRESPONSETO: "The response does not answer the sign-in request it claims to.",
}

_STEPMESSAGES: dict[Step, str] = {
    Step.STATUS: "The identity provider did not report success.",
    Step.STRUCTURE: "The response is not a well-formed SAML 2.0 response with one assertion.",
    Step.SIGNATURE: "The response's signature is not acceptable.",
    Step.ISSUER: "The response's issuer is not the configured identity provider.",
    Step.AUDIENCE: "The assertion is not meant for this portal.",
    Step.DESTINATION: "The response is not addressed to this portal's ACS URL.",
    Step.TIME: "The assertion is outside its validity period.",
    Step.REQUEST: "The response does not answer a request this portal sent.",
}


def explain(code: int) -> tuple[Step, str]:
    """The step a python3-saml validation error code belongs to, and a sentence for people."""
    step = _CODE_STEPS.get(code, Step.STRUCTURE)
    return step, MESSAGES.get(code, _STEPMESSAGES[step])
