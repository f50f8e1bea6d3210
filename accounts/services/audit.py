"""The audit trail: one row per use case, written in the use case's own transaction.

Every path records here (portal, back office, SCIM, SSO, commands); the rows say who acted,
by which path, from which address, on whom, and each changed field's value before and after.
A password is recorded by name only. ``scrub_user`` removes a purged user's personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils import timezone

from accounts import sql
from accounts.models import AuditEvent, Group, Outcome, User
from accounts.services.validation import Actor

# Fields recorded by name only: their values are secrets.
SECRET_FIELDS = frozenset({"password"})


def change(field: str, before: Any, after: Any) -> dict[str, Any]:
    """One changed field as the trail holds it (JSON: model instances by their name)."""
    if field in SECRET_FIELDS:
        return {"field": field}
    return {"field": field, "before": _plain(before), "after": _plain(after)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):  # an element of a list (a phone number)
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Iterable):
        return [_plain(item) for item in value]
    return str(value)


def changes_of(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The fields whose values differ, in ``after``'s order."""
    return [
        change(name, before.get(name), value)
        for name, value in after.items()
        if before.get(name) != value
    ]


def record(
    event_type: str,
    *,
    actor: Actor,
    user: User | None = None,
    group: Group | None = None,
    label: str = "",
    changes: Sequence[Mapping[str, Any]] = (),
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
) -> None:
    """One row of the trail, in the caller's transaction (written in SQL: accounts.sql).
    ``user`` or ``group``: what it is about, named ``label`` (default: its name)."""
    if not label:
        label = user.username if user else group.name if group else ""
    sql.insert(
        AuditEvent,
        {
            "created_at": timezone.now(),
            "event_type": event_type,
            "outcome": outcome,
            "source": actor.source,
            "actor_label": _storable(actor.label)[:200],
            "actor_user_id": actor.user.pk if actor.user is not None else None,
            "address": actor.address or None,
            "target_user_id": user.pk if user is not None else None,
            "target_label": _storable(label)[:255],
            "target_group_id": group.pk if group is not None else None,
            "changes": [dict(item) for item in changes],
            "detail": _storable(detail),
        },
    )


def _storable(text: str) -> str:
    """``text`` as every database stores it: a refusal's label and detail can quote what a
    client sent (a userName, an id from the path), NUL and lone surrogates included."""
    if text.isascii() and "\x00" not in text:
        return text
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def scrub_user(user: User, *, label: str) -> None:
    """Remove ``user``'s personal data from the trail: the rows about it keep what happened
    (which fields, by whom) but name it ``label`` and hold none of its values; the rows it
    acted in name it ``label`` too."""
    about = AuditEvent.objects.filter(target_user=user)
    scrubbed = []
    for event in about.only("pk", "changes"):
        event.changes = [{"field": item["field"]} for item in event.changes]
        event.target_label = label
        scrubbed.append(event)
    AuditEvent.objects.bulk_update(scrubbed, ["changes", "target_label"])
    AuditEvent.objects.filter(actor_user=user).update(actor_label=label)
    _scrub_member_names(user.username, label)


def _scrub_member_names(username: str, label: str) -> None:
    """Group events name the members they added and removed: ``label`` for this one."""
    named = []
    members = AuditEvent.objects.filter(event_type__startswith="group.").only("pk", "changes")
    for event in members.iterator():
        changed = False
        for item in event.changes:
            for key in ("added_names", "removed_names"):
                names = item.get(key) or []
                if username in names:
                    item[key] = [label if name == username else name for name in names]
                    changed = True
        if changed:
            named.append(event)
    AuditEvent.objects.bulk_update(named, ["changes"])
