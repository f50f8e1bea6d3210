"""Groups as an IdP pushes them (Okta's Group Push, Entra's group provisioning): create,
replace, patch and delete, only ever through ``accounts.services``.

Member ids are resolved to users in batches; an id that names no visible user (a typo, a user
deleted since) is skipped and named in the event, and the rest is applied: one stale id must
not block a whole push. A group pushed by an IdP is managed by SCIM from then on: the portal
shows it as the IdP's and refuses local edits of its name and members.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from accounts import services as accounts
from accounts.models import Group, GroupManager
from accounts.services import Actor, MemberChange
from accounts.transactions import write_transaction
from provisioning import group_queries
from provisioning.scim import groups as scim_groups
from provisioning.scim.patch import parse_patch_request

# Ids a note names; it counts them all.
NAMED_IDS = 20


def _note(unknown: Sequence[str], ignored: Sequence[str] = ()) -> str:
    parts = []
    if unknown:
        shown = ", ".join(unknown[:NAMED_IDS])
        more = f" and {len(unknown) - NAMED_IDS} more" if len(unknown) > NAMED_IDS else ""
        parts.append(f"Skipped {len(unknown)} unknown member id(s): {shown}{more}")
    if ignored:
        parts.append(f"Ignored (not kept here): {', '.join(ignored)}")
    return "; ".join(parts)


def provision_group(payload: Any, *, actor: Actor) -> Group:
    """RFC 7644 §3.3: a new group, with the members it names that are users here."""
    body = scim_groups.parse_group(payload)
    resolved = group_queries.resolve_members(body.members)
    change = accounts.create_group(
        accounts.NewGroup(
            name=body.fields["name"],
            external_id=body.fields["external_id"],
            description=body.fields["description"],
            managed_by=GroupManager.SCIM,
        ),
        actor=actor,
        members=resolved.of(body.members),
        note=_note(resolved.unknown, body.ignored),
    )
    return change.group


def replace_group(
    scim_id: str, payload: Any, *, actor: Actor, expected_versions: Collection[int] | None = None
) -> Group:
    """RFC 7644 §3.5.1 (PUT): the group's name, externalId, description and members become
    those sent; only the difference is written (Okta sends every change as a PUT of the whole
    group)."""
    body = scim_groups.parse_group(payload)
    with write_transaction():
        group = group_queries.lock_group(scim_id)
        members, resolved = _replacing(group, body.members)
        change = accounts.change_group(
            group,
            actor=actor,
            fields={**body.fields, "managed_by": GroupManager.SCIM},
            members=members,
            expected_versions=expected_versions,
            locked=True,
            note=_note(resolved.unknown, body.ignored),
        )
    return change.group


def patch_group(
    scim_id: str, payload: Any, *, actor: Actor, expected_versions: Collection[int] | None = None
) -> Group:
    """RFC 7644 §3.5.2 (PATCH): rename, and add, remove or replace members, all or nothing.
    Two concurrent PATCHes of one group run one after the other (the group's row is locked)
    and both take effect: each writes only the members it names."""
    operations = parse_patch_request(payload)
    with write_transaction():
        group = group_queries.lock_group(scim_id)
        patch = scim_groups.interpret_patch(operations, group_id=str(group.scim_id))
        if patch.replace is not None:
            members, resolved = _replacing(group, patch.replace)
            unknown = resolved.unknown
        else:
            added = group_queries.resolve_members(patch.add)
            removed = group_queries.resolve_members(patch.remove, visible_only=False)
            members = MemberChange(add=added.of(patch.add), remove=removed.of(patch.remove))
            unknown = (*added.unknown, *removed.unknown)
        change = accounts.change_group(
            group,
            actor=actor,
            fields={**patch.fields, "managed_by": GroupManager.SCIM},
            members=members,
            expected_versions=expected_versions,
            locked=True,
            note=_note(unknown, patch.ignored),
        )
    return change.group


def _replacing(
    group: Group, replace: Sequence[str]
) -> tuple[MemberChange, group_queries.ResolvedMembers]:
    """A member list that replaces the current one (a PUT's, or a PATCH's ``replace`` with
    the adds and removes after it folded in): the difference, from the current members read
    once under the group's lock; only ids that are not among them are looked up."""
    current = group_queries.member_keys(group.pk)
    wanted = dict.fromkeys(group_queries.canonical_id(i) for i in replace)
    resolved = group_queries.resolve_members([i for i in wanted if i not in current])
    return (
        MemberChange(
            add=list(resolved.keys.values()),
            remove=[pk for member_id, pk in current.items() if member_id not in wanted],
        ),
        resolved,
    )


def delete_group(
    scim_id: str, *, actor: Actor, expected_versions: Collection[int] | None = None
) -> None:
    """RFC 7644 §3.6: the group and its memberships go for good (Okta's "delete the group in
    the app"); the users stay."""
    with write_transaction():
        group = group_queries.lock_group(scim_id)
        accounts.delete_group(group, actor=actor, expected_versions=expected_versions, locked=True)
