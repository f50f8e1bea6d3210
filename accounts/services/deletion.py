"""Deleting users: a soft delete (the user keeps its username and email), a restore, and the
permanent deletion that frees them, with the selection of users for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from accounts.exceptions import UserNotDeleted
from accounts.models import EventType, User
from accounts.services import audit
from accounts.services.users import _locked, _write
from accounts.services.validation import Actor
from accounts.transactions import write_transaction


def soft_delete_user(user: User, *, actor: Actor, locked: bool = False) -> User:
    """Hide the user everywhere but the deleted-users view; it keeps its username and email.

    ``locked``: see the package's docstring. Deleting a deleted user does (and records) nothing.
    """
    with _write(locked):
        if not locked:
            user = _locked(user)
        if user.is_deleted:
            return user
        user.deleted_at = timezone.now()
        user.save(update_fields=["deleted_at"])
        audit.record(EventType.USER_DELETED, actor=actor, user=user)
    return user


def restore_user(user: User, *, actor: Actor) -> User:
    """Bring a soft-deleted user back; restoring one that is not deleted does nothing."""
    with write_transaction():
        user = _locked(user)
        if not user.is_deleted:
            return user
        user.deleted_at = None
        user.save(update_fields=["deleted_at"])
        audit.record(EventType.USER_RESTORED, actor=actor, user=user)
    return user


def permanently_delete_user(user: User, *, actor: Actor) -> None:
    """Delete a soft-deleted user for good, freeing its username and email.

    Its personal data leaves the audit trail too: earlier rows keep what happened but name
    the user only by its opaque SCIM id, and hold none of its values.
    """
    with write_transaction():
        user = _locked(user)
        if not user.is_deleted:
            raise UserNotDeleted(user.username)
        label = f"purged user {user.scim_id}"
        audit.scrub_user(user, label=label)
        user.delete()
        audit.record(EventType.USER_PURGED, actor=actor, label=label)


def deleted_users_matching(
    *,
    usernames: Iterable[str] = (),
    emails: Iterable[str] = (),
    ids: Iterable[int] = (),
    deleted_before: dt.datetime | None = None,
) -> tuple[list[User], list[User]]:
    """Select users for permanent deletion: returns (deletable, refused because not deleted)."""
    found: dict[int, User] = {}
    for username in usernames:
        found.update({u.pk: u for u in User.objects.with_username(username)})
    for email in emails:
        found.update({u.pk: u for u in User.objects.with_email(email)})
    found.update({u.pk: u for u in User.objects.filter(pk__in=list(ids))})
    if deleted_before is not None:
        found.update(
            {u.pk: u for u in User.objects.soft_deleted().filter(deleted_at__lt=deleted_before)}
        )
    users = sorted(found.values(), key=lambda u: u.pk)
    return [u for u in users if u.is_deleted], [u for u in users if not u.is_deleted]
