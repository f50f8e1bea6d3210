"""The provisioning log: what use cases record, and refused requests recorded after rollback."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from accounts.exceptions import AccountError
from accounts.models import User
from accounts.services import Actor
from provisioning.models import EventType, Outcome, ProvisioningEvent
from provisioning.scim.errors import ScimError


class ProvisioningError(Exception):
    """A provisioning request the portal refuses for a reason of its own."""


def record_event(
    event_type: str,
    *,
    actor: Actor,
    user: User | None = None,
    label: str = "",
    changed: Sequence[str] = (),
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
) -> ProvisioningEvent:
    """One line of the provisioning log, in the caller's transaction (secrets never go in)."""
    return ProvisioningEvent.objects.create(
        event_type=event_type,
        outcome=outcome,
        actor_label=actor.label[:200],
        target_user=user if user is not None and user.pk else None,
        target_label=(label or (user.username if user else ""))[:255],
        changed=list(changed),
        detail=detail,
    )


@dataclass
class Subject:
    """Whom a write is about, as far as known when it is refused."""

    label: str
    user: User | None = None

    def is_(self, user: User) -> None:
        self.label, self.user = user.username, user


@contextmanager
def refusals_recorded(event_type: str, *, actor: Actor, subject: Subject) -> Iterator[None]:
    """Record a refused request after its transaction rolled back, then let the error go on."""
    try:
        yield
    except (AccountError, ProvisioningError, ScimError) as error:
        error.provisioning_event_recorded = True
        record_event(
            event_type,
            actor=actor,
            user=subject.user,
            label=subject.label,
            outcome=Outcome.REFUSED,
            detail=str(error),
        )
        raise


# HTTP method of a SCIM write -> the event that records it.
WRITE_EVENTS = {
    "POST": EventType.USER_CREATED,
    "PUT": EventType.USER_REPLACED,
    "PATCH": EventType.USER_UPDATED,
    "DELETE": EventType.USER_DELETED,
}


def record_refused_write(method: str, error: Exception, *, actor: Actor, label: str) -> None:
    """Log a write refused before any use case ran (unparsable body, unknown id, ...)."""
    if method in WRITE_EVENTS and not getattr(error, "provisioning_event_recorded", False):
        record_event(
            WRITE_EVENTS[method],
            actor=actor,
            label=label,
            outcome=Outcome.REFUSED,
            detail=str(error),
        )
