"""SAML attributes as the portal reads them, and the report "Save and check" shows.

Pure: no database, no network. The report lists every validation step of
``provisioning.sso.check`` with its result, every attribute received, and which of the
required ones (TargetedId, first name, last name, email) are present.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from provisioning.sso.check import Attributes, VerifiedAssertion
from provisioning.sso.steps import STEPS, Refused, Status, Step


@dataclass(frozen=True)
class AttributeMapping:
    """Which SAML attribute carries which portal field (names as the IdP sends them)."""

    username: str
    first_name: str
    last_name: str
    email: str
    time_zone: str = ""
    user_type: str = ""
    branch: str = ""
    ignore_namespace: bool = False

    def required(self) -> tuple[tuple[str, str], ...]:
        return (
            ("TargetedId (username)", self.username),
            ("First name", self.first_name),
            ("Last name", self.last_name),
            ("Email", self.email),
        )


def _local_name(name: str) -> str:
    # Microsoft Entra ID and ADFS name claims by URI
    # (http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress): "ignore namespace"
    # compares what follows the last "/".
    return name.rstrip("/").rsplit("/", 1)[-1]


def attribute_values(attributes: Attributes, name: str, *, ignore_namespace: bool) -> tuple:
    if not name:
        return ()
    wanted = _local_name(name) if ignore_namespace else name
    for key, values in attributes:
        if (_local_name(key) if ignore_namespace else key) == wanted:
            return tuple(v for v in values if v)
    return ()


@dataclass(frozen=True)
class SamlProfile:
    """The user as the IdP describes it: first value of each mapped attribute, or ""."""

    username: str
    first_name: str
    last_name: str
    email: str
    time_zone: str = ""
    user_type: str = ""
    branch: str = ""


def profile(attributes: Attributes, mapping: AttributeMapping) -> SamlProfile:
    def first(name: str) -> str:
        values = attribute_values(attributes, name, ignore_namespace=mapping.ignore_namespace)
        return values[0].strip() if values else ""

    return SamlProfile(
        **{key: first(getattr(mapping, key)) for key in SamlProfile.__dataclass_fields__}
    )


@dataclass(frozen=True)
class RequiredAttribute:
    role: str
    name: str
    values: tuple[str, ...]

    @property
    def present(self) -> bool:
        return bool(self.values)


@dataclass(frozen=True)
class StepResult:
    step: Step
    status: Status
    message: str = ""

    @property
    def label(self) -> str:
        return self.step.label


@dataclass(frozen=True)
class CheckReport:
    """What "Save and check your configuration" shows, and what the provisioning log keeps."""

    steps: tuple[StepResult, ...]
    attributes: Attributes
    attributes_verified: bool
    required: tuple[RequiredAttribute, ...]
    name_id: str = ""
    detail: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(result.status == Status.PASSED for result in self.steps)

    @property
    def failure(self) -> StepResult | None:
        return next((r for r in self.steps if r.status == Status.FAILED), None)

    @property
    def missing(self) -> tuple[RequiredAttribute, ...]:
        return tuple(r for r in self.required if not r.present)

    def summary(self) -> str:
        """One line for the provisioning log: never attribute values."""
        if self.passed:
            return "All checks passed; required attributes present."
        failure = self.failure
        return f"Failed at “{failure.label}”: {failure.message}" if failure else ""


def required_attributes(
    attributes: Attributes, mapping: AttributeMapping
) -> tuple[RequiredAttribute, ...]:
    return tuple(
        RequiredAttribute(
            role,
            name,
            attribute_values(attributes, name, ignore_namespace=mapping.ignore_namespace),
        )
        for role, name in mapping.required()
    )


def _results(failed: Step, message: str, passed: Iterable[Step]) -> tuple[StepResult, ...]:
    passed = set(passed)

    def result(step: Step) -> StepResult:
        if step == failed:
            return StepResult(step, Status.FAILED, message)
        return StepResult(step, Status.PASSED if step in passed else Status.NOT_REACHED)

    return tuple(result(step) for step in STEPS)


def refused_report(
    refused: Refused, attributes: Attributes, mapping: AttributeMapping
) -> CheckReport:
    """A response refused at some step; its attributes are shown as sent, unverified."""
    return CheckReport(
        steps=_results(refused.step, refused.message, refused.passed),
        attributes=attributes,
        attributes_verified=False,
        required=required_attributes(attributes, mapping),
        detail=refused.detail,
    )


def verified_report(
    assertion: VerifiedAssertion, mapping: AttributeMapping, notes: tuple[str, ...] = ()
) -> CheckReport:
    """A valid response: it passes if every required attribute is present."""
    required = required_attributes(assertion.attributes, mapping)
    missing = [r.name for r in required if not r.present]
    message = f"Missing: {', '.join(missing)}." if missing else ""
    steps = _results(Step.ATTRIBUTES, message, STEPS) if missing else _all_passed()
    return CheckReport(
        steps=steps,
        attributes=assertion.attributes,
        attributes_verified=True,
        required=required,
        name_id=assertion.name_id,
        notes=notes,
    )


def _all_passed() -> tuple[StepResult, ...]:
    return tuple(StepResult(step, Status.PASSED) for step in STEPS)


def missing_required(attributes: Attributes, mapping: AttributeMapping) -> list[str]:
    """Names of required attributes the response lacks (sign-in refuses such a response)."""
    return [r.name for r in required_attributes(attributes, mapping) if not r.present]
