"""Reading groups for the SCIM API: lists (filter, sort, page), one group, its members, and
the users a member list names.

Nothing here reads a group's members unless the answer shows them: a lookup by name, a list
without ``attributes=members`` and a write cost the same for a group of 50,000 as for an
empty one. Members are read in user order from the (group, user) index, a chunk at a time
(``members``), so that the largest group is written out in bounded memory.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, FilteredRelation, OrderBy, QuerySet

from accounts.models import SCIM_VISIBLE, Group, Membership, User, scim_visible_through
from provisioning.orm_attributes import attribute_spec, sort_expression
from provisioning.orm_filters import to_q
from provisioning.scim import registry
from provisioning.scim.errors import InvalidValue, NotFound
from provisioning.scim.group_schemas import GROUP, GROUP_RESOURCE_SCHEMAS
from provisioning.scim.listing import ListQuery

# What an IdP may filter Groups on and sort them by (RFC 7644 §3.4.2.2, §3.4.2.3), from the
# Group registry, keyed like filters.AttrPath.key(): a member is found by its user's id, among
# the members the IdP sees (``_filterable``).
FILTERABLE = {
    key: attribute_spec(ref, relations={"members": "visible_member__scim_id"})
    for key, ref in registry.filterable(GROUP_RESOURCE_SCHEMAS).items()
}
SORTABLE = {
    key: sort_expression(ref) for key, ref in registry.sortable(GROUP_RESOURCE_SCHEMAS).items()
}
_SORTABLE_NAMES = ", ".join(registry.sortable_names(GROUP_RESOURCE_SCHEMAS))
_CORE_PREFIX = f"{GROUP.id.lower()}:"
_VIEWED = (
    "pk",
    "scim_id",
    "name",
    "external_id",
    "description",
    "created_at",
    "updated_at",
    "version",
)
# How many members one round trip reads, and how many ids one statement names.
MEMBER_CHUNK = 2000
ID_BATCH = 500


@dataclass(frozen=True)
class GroupPage:
    total: int
    groups: list[dict[str, Any]]


def _ordering(query: ListQuery) -> list[OrderBy]:
    if not query.sort_by:
        return [F("pk").asc()]
    key = query.sort_by.lower().removeprefix(_CORE_PREFIX)
    if key not in SORTABLE:
        raise InvalidValue(f"Cannot sort Groups by {query.sort_by!r}; sortable: {_SORTABLE_NAMES}.")
    expression = SORTABLE[key]
    return [expression.desc() if query.descending else expression.asc(), F("pk").asc()]


def _filterable() -> QuerySet[Group]:
    """Groups with ``visible_member``: their members the IdP sees (``SCIM_VISIBLE``), so
    that a filter on members.value finds no group by a user hidden from it (soft-deleted,
    a back-office account), as the group's own answer does not list one."""
    visible = FilteredRelation(
        "memberships__user", condition=scim_visible_through("memberships__user")
    )
    return Group.objects.alias(visible_member=visible)


def search_groups(query: ListQuery) -> GroupPage:
    """RFC 7644 §3.4.2: a page of the groups the filter matches, and their total. A filter
    on members matches a group once, however many of its members match."""
    groups = Group.objects.all()
    if query.filter is not None:
        matching = _filterable().filter(to_q(query.filter, FILTERABLE)).values("pk")
        groups = Group.objects.filter(pk__in=matching)
    if query.count == 0:
        return GroupPage(total=groups.count(), groups=[])
    page = list(
        groups.order_by(*_ordering(query)).values(*_VIEWED)[
            query.offset : query.offset + query.count
        ]
    )
    if len(page) < query.count and (page or query.offset == 0):
        total = query.offset + len(page)  # the page shows where the results end
    else:
        total = groups.count()
    return GroupPage(total=total, groups=page)


def _key(scim_id: str) -> uuid.UUID:
    try:
        if not scim_id.isascii():
            raise ValueError(scim_id)
        return uuid.UUID(scim_id)
    except ValueError:
        raise NotFound(f"Group {scim_id!r} not found.") from None


def get_group_view(scim_id: str) -> dict[str, Any]:
    """The group with this SCIM id, as the resource shows it (its members apart); 404."""
    view = Group.objects.filter(scim_id=_key(scim_id)).values(*_VIEWED).first()
    if view is None:
        raise NotFound(f"Group {scim_id} not found.")
    return view


def lock_group(scim_id: str) -> Group:
    """The group with this SCIM id, under a row lock held until the transaction ends; 404."""
    group = Group.objects.select_for_update().filter(scim_id=_key(scim_id)).first()
    if group is None:
        raise NotFound(f"Group {scim_id} not found.")
    return group


def view_of(group: Group) -> dict[str, Any]:
    """A group just written, as ``get_group_view`` shows it."""
    return {name: getattr(group, name) for name in _VIEWED}


def members(group_pk: int) -> Iterator[uuid.UUID]:
    """The SCIM ids of the group's members the IdP sees (``SCIM_VISIBLE``), in user order,
    read ``MEMBER_CHUNK`` at a time."""
    rows = (
        Membership.objects.filter(scim_visible_through("user"), group_id=group_pk)
        .order_by("user_id")
        .values_list("user__scim_id", flat=True)
    )
    return rows.iterator(chunk_size=MEMBER_CHUNK)


def _batches(values: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(values), ID_BATCH):
        yield values[start : start + ID_BATCH]


def members_of(group_pks: list[int]) -> dict[int, list[uuid.UUID]]:
    """The SCIM ids of the visible members of several groups at once (a list answer that
    asks for members: one query for the page), in user order."""
    found: dict[int, list[uuid.UUID]] = {pk: [] for pk in group_pks}
    rows = (
        Membership.objects.filter(scim_visible_through("user"), group_id__in=group_pks)
        .order_by("group_id", "user_id")
        .values_list("group_id", "user__scim_id")
    )
    for group_pk, scim_id in rows:
        found[group_pk].append(scim_id)
    return found


def member_keys(group_pk: int) -> dict[str, int]:
    """The group's members the IdP sees (``SCIM_VISIBLE``): SCIM id (as this API writes it)
    -> user key. A soft-deleted user's membership is kept for its restore, and is not one of
    these: a member list sent from outside never names it, and never removes it."""
    rows = Membership.objects.filter(scim_visible_through("user"), group_id=group_pk)
    return {str(scim_id): pk for scim_id, pk in rows.values_list("user__scim_id", "user_id")}


def canonical_id(given: str) -> str:
    """A user id as this API writes it ("2819C223-..." and "{2819c223-...}" are the id
    "2819c223-..."); anything that is no UUID as sent."""
    key = _as_uuid(given)
    return given if key is None else str(key)


def _as_uuid(given: str) -> uuid.UUID | None:
    # ASCII only: uuid.UUID() reads other scripts' digits as hex digits.
    try:
        return uuid.UUID(given) if given.isascii() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ResolvedMembers:
    """The user keys a member list names, and the ids it names that are no visible user."""

    keys: dict[str, int]
    unknown: tuple[str, ...]

    def of(self, ids: Iterable[str]) -> list[int]:
        return [self.keys[i] for i in ids if i in self.keys]


def resolve_members(ids: Iterable[str], *, visible_only: bool = True) -> ResolvedMembers:
    """Each id, as sent, to the key of the visible user (``SCIM_VISIBLE``) it names; the
    rest are unknown (a typo, a deleted user, a user this API does not show). A group's id
    among them is refused: groups do not nest. ``visible_only=False`` finds any user, a
    soft-deleted one included: an IdP that removes a member it has since deleted means it."""
    wanted: dict[uuid.UUID, str] = {}
    unknown: list[str] = []
    for given in dict.fromkeys(ids):
        key = _as_uuid(given)
        if key is None:
            unknown.append(given)
        else:
            wanted[key] = given
    keys: dict[str, int] = {}
    for batch in _batches(list(wanted)):
        users = User.objects.filter(SCIM_VISIBLE) if visible_only else User.objects.all()
        found = users.filter(scim_id__in=batch).values_list("scim_id", "pk")
        keys.update({wanted[scim_id]: pk for scim_id, pk in found})
    missing = [key for key, given in wanted.items() if given not in keys]
    for batch in _batches(missing):
        nested = Group.objects.filter(scim_id__in=batch).values_list("scim_id", flat=True).first()
        if nested is not None:
            raise InvalidValue(
                f"{nested} is a group; a group cannot be a member of a group here (groups do "
                f"not nest). Add its users instead."
            )
    unknown += [wanted[key] for key in missing]
    return ResolvedMembers(keys, tuple(unknown))
