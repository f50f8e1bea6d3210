"""Groups' use cases: create, change (fields and members), delete.

Members are rows of ``Membership``, one per (group, user), written row by row: adding a
member is an INSERT of the rows that are missing, removing one a DELETE of the rows that
exist; a group's member list is never read, changed and written back whole. The group's row
is locked for the write (its version moves), so two writes to one group run one after the
other and both take effect.

A soft-deleted user keeps its memberships (they return with it on restore); purging a user
removes them. A deactivated user keeps them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.exceptions import (
    GroupManagedElsewhere,
    GroupNameInUse,
    InvalidField,
)
from accounts.models import (
    Branch,
    EventType,
    Group,
    GroupManager,
    Membership,
    Source,
    User,
)
from accounts.services import audit
from accounts.services.users import require_version
from accounts.services.validation import Actor, Checks
from accounts.transactions import write_transaction

# How many ids one statement names: well within every database's limit on parameters.
BATCH = 500
# How many members an event names; it counts them all.
NAMED_IN_EVENT = 20
NAME_LENGTH = 255  # Group.name's
GROUP_FIELDS = frozenset({"name", "description", "external_id", "branch", "managed_by"})


@dataclass(frozen=True, kw_only=True)
class NewGroup:
    name: str
    description: str = ""
    external_id: str = ""
    branch: Branch | None = None
    managed_by: str = GroupManager.PORTAL


@dataclass(frozen=True)
class MemberChange:
    """What a write does to the members, by user key: ``add`` these, ``remove`` those (a
    user in both is left as it is)."""

    add: Collection[int] = ()
    remove: Collection[int] = ()

    @property
    def empty(self) -> bool:
        return not self.add and not self.remove


@dataclass(frozen=True)
class GroupChange:
    group: Group
    changed: tuple[str, ...] = ()
    added: int = 0
    removed: int = 0
    names: dict[str, list[str]] = field(default_factory=dict)


def _batches(values: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for value in values:
        batch.append(value)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# Rules ----------------------------------------------------------------------------------------


def _clean_name(value: str | None) -> str:
    name = (value or "").strip()
    if not name:
        raise InvalidField("name", "A group needs a name.")
    if len(name) > NAME_LENGTH:
        raise InvalidField("name", "A group name has at most 255 characters.")
    if "\x00" in name:
        raise InvalidField("name", "A group name cannot hold a NUL character.")
    return name


def _check_name_free(name: str, *, exclude_pk: int | None) -> None:
    others = Group.objects.exclude(pk=exclude_pk) if exclude_pk else Group.objects.all()
    if others.with_name(name).exists():
        raise GroupNameInUse(name)


# What the portal may still change of a group an IdP manages: where it sits in the portal,
# and who manages it (an admin may take a group back from the IdP).
PORTAL_OWNED = frozenset({"branch", "managed_by"})


def _check_may_edit(
    group: Group, actor: Actor, fields: Collection[str] = (), members: bool = True
) -> None:
    """An IdP's group is changed by the IdP (its name, description and members): the
    portal's pages refuse, with the reason."""
    if not group.is_scim_managed or actor.source not in {Source.PORTAL, Source.BACK_OFFICE}:
        return
    if members or set(fields) - PORTAL_OWNED:
        raise GroupManagedElsewhere(group.name)


DESCRIPTION_LENGTH = 2000


def _clean_description(value: str | None) -> str:
    # Group.description is a TextField without a length (validation._clean_text measures the
    # User's columns, and the User has no description).
    description = (value or "").strip()
    if "\x00" in description:
        raise InvalidField("description", "A description cannot hold a NUL character.")
    if len(description) > DESCRIPTION_LENGTH:
        raise InvalidField(
            "description", f"A description has at most {DESCRIPTION_LENGTH} characters."
        )
    return description


def _clean(name: str, value: Any) -> Any:
    if name == "name":
        return _clean_name(value)
    if name == "description":
        return _clean_description(value)
    if name == "external_id":
        return (value or "").strip()[:255]
    return value  # branch: a Branch or None


def _save_name(group: Group, fields: Sequence[str]) -> None:
    """Save, turning a lost race on the name into the same typed error as the check."""
    try:
        with transaction.atomic():
            group.save(update_fields=fields) if fields else group.save()
    except IntegrityError:
        _check_name_free(group.name, exclude_pk=group.pk)
        raise


# Use cases ------------------------------------------------------------------------------------


def create_group(
    data: NewGroup, *, actor: Actor, members: Collection[int] = (), note: str = ""
) -> GroupChange:
    """A new group, with these users (by key) as its first members."""
    check = Checks()
    group = Group(
        name=check(_clean_name, data.name, fallback=""),
        description=check(_clean, "description", data.description, fallback=""),
        external_id=_clean("external_id", data.external_id),
        branch=data.branch,
        managed_by=data.managed_by,
    )
    check.raise_any()
    with write_transaction():
        _check_name_free(group.name, exclude_pk=None)
        _save_name(group, ())
        added = _add(group, set(members))
        given = {
            "name": group.name,
            "description": group.description,
            "external_id": group.external_id,
            "branch": group.branch,
            "managed_by": group.managed_by,
        }
        names = _named_members(added, "added")
        audit.record(
            EventType.GROUP_CREATED,
            actor=actor,
            group=group,
            changes=[
                *(audit.change(k, None, v) for k, v in given.items() if v not in (None, "")),
                *_member_trail(len(added), 0, names),
            ],
            detail=note,
        )
    return GroupChange(group, ("name",), added=len(added), names=names)


def lock_group(group: Group) -> Group:
    """The group, read again under a row lock (in the caller's transaction)."""
    return Group.objects.select_for_update().get(pk=group.pk)


def change_group(
    group: Group,
    *,
    actor: Actor,
    fields: Mapping[str, Any] | None = None,
    members: MemberChange = MemberChange(),
    expected_versions: Collection[int] | None = None,
    locked: bool = False,
    note: str = "",
) -> GroupChange:
    """Change a group's fields (``GROUP_FIELDS``) and members at once, all or nothing, and
    record it. ``locked``: the caller read ``group`` under a row lock in its transaction
    (``lock_group``), which this joins. ``expected_versions``: the write goes ahead only if
    the group is at one of them (SCIM If-Match)."""
    fields = dict(fields or {})
    unknown = set(fields) - GROUP_FIELDS
    if unknown:
        raise ValueError(f"Not changeable: {sorted(unknown)}")
    context = transaction.atomic(savepoint=False) if locked else write_transaction()
    with context:
        if not locked:
            group = lock_group(group)
        _check_may_edit(group, actor, set(fields), members=not members.empty)
        require_version(group, expected_versions)
        trail = _apply_fields(group, fields)
        added, removed = _apply_members(group, members)
        names = {**_named_members(added, "added"), **_named_members(removed, "removed")}
        changed = tuple(item["field"] for item in trail)
        if changed or added or removed:
            group.version += 1
            group.updated_at = timezone.now()
            columns = [*changed, "version", "updated_at"]
            if "name" in changed:
                _check_name_free(group.name, exclude_pk=group.pk)
                _save_name(group, columns)
            else:
                group.save(update_fields=columns)
        audit.record(
            _event_type(changed, bool(added or removed)),
            actor=actor,
            group=group,
            changes=[*trail, *_member_trail(len(added), len(removed), names)],
            detail="; ".join(
                part for part in (note, "" if changed or added or removed else "no change") if part
            ),
        )
    return GroupChange(group, changed, added=len(added), removed=len(removed), names=names)


def _event_type(changed: tuple[str, ...], members_changed: bool) -> str:
    if "name" in changed:
        return EventType.GROUP_RENAMED
    if members_changed and not changed:
        return EventType.GROUP_MEMBERS_CHANGED
    return EventType.GROUP_UPDATED


def _apply_fields(group: Group, fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    check = Checks()
    cleaned = {name: check(_clean, name, value, fallback=None) for name, value in fields.items()}
    check.raise_any()
    trail = []
    for name, value in cleaned.items():
        before = getattr(group, name)
        if before != value:
            setattr(group, name, value)
            trail.append(audit.change(name, before, value))
    return trail


def _apply_members(group: Group, members: MemberChange) -> tuple[list[int], list[int]]:
    """The keys of the users removed and of those added."""
    add, remove = set(members.add), set(members.remove)
    both = add & remove
    removed = _remove(group, remove - both) if remove - both else []
    added = _add(group, add - both) if add - both else []
    return added, removed


def _add(group: Group, users: set[int]) -> list[int]:
    """Insert the missing rows, a batch at a time; the keys of the users added. A row a
    concurrent write inserted first is skipped (ignore_conflicts), never an error."""
    added = []
    for batch in _batches(sorted(users)):
        present = set(
            Membership.objects.filter(group=group, user_id__in=batch).values_list(
                "user_id", flat=True
            )
        )
        added += [pk for pk in batch if pk not in present]
    # One statement where the database takes them all (Django splits it where it does not).
    Membership.objects.bulk_create(
        [Membership(group=group, user_id=pk) for pk in added], ignore_conflicts=True
    )
    return added


def _remove(group: Group, users: set[int]) -> list[int]:
    """Delete the rows that exist, a batch at a time; the keys of the users removed."""
    removed = []
    for batch in _batches(sorted(users)):
        rows = Membership.objects.filter(group=group, user_id__in=batch)
        present = list(rows.values_list("user_id", flat=True))
        if present:
            rows.delete()
        removed += present
    return removed


def _named_members(keys: list[int], key: str) -> dict[str, list[str]]:
    """The usernames of the first few of these users, for the event."""
    if not keys:
        return {}
    shown = keys[:NAMED_IN_EVENT]
    names = dict(User.objects.filter(pk__in=shown).values_list("pk", "username"))
    return {key: [names[pk] for pk in shown if pk in names]}


def _member_trail(added: int, removed: int, names: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The members' entry of an event: how many were added and removed, and who (the
    first ``NAMED_IN_EVENT`` of each)."""
    if not added and not removed:
        return []
    return [
        {
            "field": "members",
            "added": added,
            "removed": removed,
            "added_names": names.get("added", []),
            "removed_names": names.get("removed", []),
        }
    ]


def delete_group(
    group: Group,
    *,
    actor: Actor,
    expected_versions: Collection[int] | None = None,
    locked: bool = False,
) -> None:
    """Delete a group and its memberships for good (the users stay). Its events stay in the
    trail, named by the group's name."""
    context = transaction.atomic(savepoint=False) if locked else write_transaction()
    with context:
        if not locked:
            group = lock_group(group)
        _check_may_edit(group, actor)
        require_version(group, expected_versions)
        name = group.name
        Membership.objects.filter(group=group).delete()
        group.delete()
        audit.record(EventType.GROUP_DELETED, actor=actor, label=name)


def groups_of(user: User) -> list[Group]:
    """The groups ``user`` is a member of, by name."""
    return list(Group.objects.filter(memberships__user=user).order_by("name"))
