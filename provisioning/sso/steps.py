"""The steps a SAML response goes through, in order, and the refusal raised at one of them.

Pure: shared by the validator (``check``), python3-saml's error mapping (``errors``) and the
report (``report``).
"""

from __future__ import annotations

from django.db.models import TextChoices


class Step(TextChoices):
    DECODE = "decode", "Response readable: base64, well-formed XML, no DTD or comments"
    REQUEST = "request", "Answers a sign-in request this portal sent (InResponseTo)"
    STATUS = "status", "Identity provider reported success"
    STRUCTURE = "structure", "Exactly one assertion, valid SAML 2.0"
    SIGNATURE = "signature", "Assertion signed with the configured certificate"
    ISSUER = "issuer", "Issuer is the configured identity provider"
    AUDIENCE = "audience", "Audience is this portal's SP entity ID"
    DESTINATION = "destination", "Destination and Recipient are this portal's ACS URL"
    TIME = "time", "Within its validity period"
    REPLAY = "replay", "Not used before (no replay)"
    ATTRIBUTES = "attributes", "Required attributes present"


class Status(TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    NOT_REACHED = "not_reached", "Not reached"


STEPS = tuple(Step)
# python3-saml checks these in one call and stops at the first failure, with the signature
# last: when it fails, which of the others passed is unknown.
LIBRARY_STEPS = frozenset(STEPS[STEPS.index(Step.STATUS) : STEPS.index(Step.REPLAY)])


def steps_before(step: Step) -> frozenset[Step]:
    return frozenset(STEPS[: STEPS.index(step)])


class Refused(Exception):
    """A response refused at ``step``; ``message`` is for people, ``detail`` for admins/logs."""

    def __init__(
        self,
        step: Step,
        message: str,
        *,
        passed: frozenset[Step] | None = None,
        detail: str = "",
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.step = step
        self.message = message
        self.passed = steps_before(step) if passed is None else passed
        self.detail = detail
        self.code = code
