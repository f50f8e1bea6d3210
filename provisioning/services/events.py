"""Provisioning in the audit trail: its own events, and SCIM writes refused.

The trail is accounts' (``accounts.services.audit``): users' changes are recorded there by
accounts' use cases, in their transactions. Provisioning records its own use cases (the SCIM
switch and token, SSO settings, checks and sign-ins) with ``record_event``, and a refused
SCIM write, once, after its rollback, with ``record_refused_write``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from accounts.models import EventType as UserEventType
from accounts.models import Group, Outcome, User
from accounts.services import Actor, audit


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
) -> None:
    """One row of the audit trail, in the caller's transaction (``changed``: names only)."""
    audit.record(
        event_type,
        actor=actor,
        user=user,
        label=label,
        changes=[{"field": name} for name in changed],
        outcome=outcome,
        detail=detail,
    )


# HTTP method of a SCIM write -> the event that records it.
WRITE_EVENTS = {
    "POST": UserEventType.USER_CREATED,
    "PUT": UserEventType.USER_REPLACED,
    "PATCH": UserEventType.USER_UPDATED,
    "DELETE": UserEventType.USER_DELETED,
}


def record_refused_write(
    method: str, error: Exception, *, actor: Actor, scim_id: str = "", payload: Any = None
) -> None:
    """Record a refused SCIM write, in a transaction of its own after the write's rolled
    back: whatever refused it (the body, the id, a rule of the domain). The user it names,
    by id or (for a create) by userName, is named as far as it is known."""
    if method not in WRITE_EVENTS:
        return
    user = _visible_user(scim_id)
    record_event(
        WRITE_EVENTS[method],
        actor=actor,
        user=user,
        label=user.username if user else scim_id or _payload_label(payload),
        outcome=Outcome.REFUSED,
        detail=str(error),
    )


def _visible_user(scim_id: str) -> User | None:
    try:
        key = uuid.UUID(scim_id)
    except ValueError:
        return None
    if str(key) != scim_id:  # only an id as the API gives it (no braces, no urn:uuid:)
        return None
    return User.objects.scim_visible().filter(scim_id=key).only("pk", "username").first()


def _payload_label(payload: Any) -> str:
    return _payload_value(payload, "username")


# HTTP method of a SCIM write to /Groups -> the event that records it.
GROUP_WRITE_EVENTS = {
    "POST": UserEventType.GROUP_CREATED,
    "PUT": UserEventType.GROUP_UPDATED,
    "PATCH": UserEventType.GROUP_UPDATED,
    "DELETE": UserEventType.GROUP_DELETED,
}


def record_refused_group_write(
    method: str, error: Exception, *, actor: Actor, scim_id: str = "", payload: Any = None
) -> None:
    """``record_refused_write`` for a write to /Groups: the group named by id or, for a
    create, by displayName."""
    if method not in GROUP_WRITE_EVENTS:
        return
    group = _group(scim_id)
    audit.record(
        GROUP_WRITE_EVENTS[method],
        actor=actor,
        group=group,
        label=group.name if group else scim_id or _payload_value(payload, "displayname"),
        outcome=Outcome.REFUSED,
        detail=str(error),
    )


def _group(scim_id: str) -> Group | None:
    try:
        key = uuid.UUID(scim_id)
    except ValueError:
        return None
    if str(key) != scim_id:
        return None
    return Group.objects.filter(scim_id=key).only("pk", "name").first()


def _payload_value(payload: Any, name: str) -> str:
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            if str(key).lower() == name and isinstance(value, str):
                return value
    return ""
