"""Reading for the SCIM API: users as SCIM views (the filter whitelist, sorting, paging), and
the reads every request starts with.

Every user query starts from ``User.objects.scim_visible()``: soft-deleted users and back-office
accounts never appear. The reads of one user, which nearly every request makes, are written in
SQL (``accounts.sql``); lists go through the ORM.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import F, OrderBy, QuerySet

from accounts import sql
from accounts.models import CustomField, User, UserQuerySet
from provisioning.orm_attributes import attribute_spec, sort_expression
from provisioning.orm_filters import AttributeSpec, to_q
from provisioning.scim import custom, registry
from provisioning.scim.attributes import BOOLEAN, DECIMAL, Attribute
from provisioning.scim.constants import LMS_USER_SCHEMA
from provisioning.scim.errors import InvalidValue, NotFound
from provisioning.scim.filters import Compare, Filter
from provisioning.scim.filters.values import coerce
from provisioning.scim.listing import ListQuery
from provisioning.scim.representation import UserView
from provisioning.scim.schemas import USER

# What an IdP may filter on (RFC 7644 §3.4.2.2) and sort by (§3.4.2.3), from the registry,
# keyed like filters.AttrPath.key(). `password` is not filterable: a filter on it would be an
# oracle.
FILTERABLE = {key: attribute_spec(ref) for key, ref in registry.filterable().items()}
SORTABLE = {key: sort_expression(ref) for key, ref in registry.sortable().items()}
_SORTABLE_NAMES = ", ".join(registry.sortable_names())
_CORE_PREFIX = f"{USER.id.lower()}:"


@dataclass(frozen=True)
class Page:
    total: int
    users: list[UserView]


def _ordering(query: ListQuery) -> list[OrderBy]:
    if not query.sort_by:
        return [F("pk").asc()]
    key = query.sort_by.lower().removeprefix(_CORE_PREFIX)
    if key not in SORTABLE:
        raise InvalidValue(f"Cannot sort by {query.sort_by!r}; sortable: {_SORTABLE_NAMES}.")
    expression = SORTABLE[key]
    return [expression.desc() if query.descending else expression.asc(), F("pk").asc()]


# What a user's SCIM view shows, as ORM lookups (the SCIM reads fetch just these).
SCIM_COLUMNS = registry.columns()


@cache
def _visible() -> UserQuerySet:
    """``User.objects.scim_visible()``, built once per process: each read clones it (building
    a query is a measurable part of a lookup: docs/performance.md), so no rows are ever kept
    on it."""
    return User.objects.scim_visible()


# Each branch and group of a user comes as one more row (LEFT JOINs): cheaper than a query or
# a subquery per relation, as most users have one branch or none and few groups.
_RELATED = ("branches__id", "branches__name", "member_of__scim_id", "member_of__name")


# The custom user fields' values too, shown when an admin exposes them (scim.custom).
_VIEWED = ("pk", *SCIM_COLUMNS, "custom_fields", *_RELATED)


@cache
def _viewed() -> QuerySet[User, dict[str, Any]]:
    """Visible users with what their SCIM views show (``SCIM_COLUMNS``, branches and groups),
    read in one query whatever their number; built once, as ``_visible()``."""
    return _visible().values(*_VIEWED).order_by()


def _views(rows: Iterable[dict[str, Any]]) -> dict[int, UserView]:
    """The views of the users in these rows of ``_viewed()``, by primary key."""
    users: dict[int, dict[str, Any]] = {}
    branches: dict[int, dict[int, str]] = defaultdict(dict)
    groups: dict[int, dict[uuid.UUID, str]] = defaultdict(dict)
    for row in rows:
        pk = row["pk"]
        users.setdefault(pk, row)
        if row["branches__id"] is not None:
            branches[pk][row["branches__id"]] = row["branches__name"]
        if row["member_of__scim_id"] is not None:
            groups[pk][row["member_of__scim_id"]] = row["member_of__name"]
    return {
        pk: {
            **row,
            # The first branch (by key) is the one shown.
            "branches": branches[pk][min(branches[pk])] if branches[pk] else "",
            "groups": tuple(sorted(groups[pk].items(), key=lambda item: item[1].casefold())),
        }
        for pk, row in users.items()
    }


def _user_name_equals(node: Filter | None) -> str | None:
    """``x`` when the filter is exactly ``userName eq "x"``: how Okta and Entra look a user up
    before provisioning it, the most frequent list request. ``x`` is checked as ``to_q``
    checks every value (InvalidFilter), without building the ORM filter it would not use."""
    match node:
        case Compare(path, "eq", str() as value) if path.key() == "username":
            return coerce("string", value, path)
    return None


def custom_fields() -> tuple[Attribute, ...]:
    """The custom user fields as attributes of the LMS extension (``scim.custom``)."""
    definitions = [
        custom.FieldDefinition(f.key, f.label, f.type, tuple(f.options), f.unique)
        for f in CustomField.objects.all()
    ]
    return custom.attributes(definitions)


# A custom field's SCIM type -> the type its filter values are read as.
_CUSTOM_FILTER_TYPES = {str(DECIMAL): "integer", str(BOOLEAN): "boolean"}


def _custom_specs(attributes: tuple[Attribute, ...]) -> dict[str, AttributeSpec]:
    """Filters on the custom fields: eq, ne and pr on the value kept under the key."""
    return {
        f"{LMS_USER_SCHEMA}:{a.name}".lower(): AttributeSpec(
            "custom_fields",
            _CUSTOM_FILTER_TYPES.get(str(a.type), "string"),
            case_exact=True,
            json_key=a.name,
        )
        for a in attributes
    }


def search_users(query: ListQuery, custom_attributes: tuple[Attribute, ...] = ()) -> Page:
    """RFC 7644 §3.4.2: a page of the visible users the filter matches, and their total.

    Two or three queries, whatever the page size: the page's ids (from the index alone, in key
    order), the users with those ids, and a count unless the page shows where the results end.
    A lookup by userName, which is unique, reads its one match, if any, in one query.
    """
    if query.count and (user_name := _user_name_equals(query.filter)) is not None:
        matches = list(_views(sql.user_by_username(_VIEWED).rows(user_name)).values())
        return Page(total=len(matches), users=matches[query.offset : query.offset + query.count])
    filterable = FILTERABLE | _custom_specs(custom_attributes) if custom_attributes else FILTERABLE
    where = to_q(query.filter, filterable) if query.filter is not None else None  # validates
    users = _visible() if where is None else _visible().filter(where)
    if query.count == 0:
        return Page(total=users.count(), users=[])
    page = users.order_by(*_ordering(query)).values_list("pk", flat=True)
    ids = list(page[query.offset : query.offset + query.count])
    views = _views(_viewed().filter(pk__in=ids)) if ids else {}
    # A user deleted between the two queries is left out.
    return Page(total=_total(users, ids, query), users=[views[pk] for pk in ids if pk in views])


def _total(users: UserQuerySet, ids: list[int], query: ListQuery) -> int:
    """totalResults, counting no more than the page leaves unknown."""
    if len(ids) < query.count and (ids or query.offset == 0):
        return query.offset + len(ids)  # the page shows where the results end
    if ids and not query.sort_by:
        # In key order (an IdP's import) only the users after the page are left to count: with
        # the page's own walk to its offset, one pass over the index, so a deep page costs
        # what the first does.
        return query.offset + len(ids) + users.filter(pk__gt=ids[-1]).count()
    return users.count()


def _scim_key(scim_id: str) -> uuid.UUID:
    try:
        # ASCII only: uuid.UUID() reads other scripts' digits (int() does) as hex digits.
        if not scim_id.isascii():
            raise ValueError(scim_id)
        return uuid.UUID(scim_id)
    except ValueError:
        raise NotFound(f"User {scim_id!r} not found.") from None


def get_user_view(scim_id: str) -> UserView:
    """The SCIM view of the visible user with this SCIM id; 404 for anything else."""
    views = _views(sql.user_by_scim_id(_VIEWED).rows(_scim_key(scim_id)))
    if not views:
        raise NotFound(f"User {scim_id} not found.")
    return next(iter(views.values()))


# The write services' read: the user under a row lock, as a model instance (every concrete
# column) and as its SCIM view (the state a PATCH applies to), in one query.
_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
_LOCKED = ("pk", *dict.fromkeys((*_USER_COLUMNS, *SCIM_COLUMNS, "custom_fields")), *_RELATED)


def view_after_write(user: User, before: UserView, changed: Collection[str]) -> UserView:
    """What a GET of ``user`` reads after a write that changed the fields ``changed``, without
    reading it: the columns from the saved instance, the relations as ``before`` (its view
    under the write's lock) has them. A change of branches reads it again: the view shows the
    first branch by key, and a first branch may bring a user type. Tests hold the two equal
    after every kind of write."""
    if "branches" in changed:
        return get_user_view(str(user.scim_id))
    view = dict(before)
    for key in _WRITTEN_COLUMNS:
        field, _, related = key.partition("__")
        if not related:
            view[key] = getattr(user, field)
        elif field in changed:
            view[key] = getattr(getattr(user, field), related)
    return view


_WRITTEN_COLUMNS = (*SCIM_COLUMNS, "custom_fields")


def lock_user(scim_id: str) -> tuple[User, UserView]:
    """The visible user with this SCIM id, under a row lock held until the transaction ends,
    and its SCIM view; 404 for anything else (malformed ids included)."""
    rows = sql.locked_user_by_scim_id(_LOCKED).rows(_scim_key(scim_id))
    if not rows:
        raise NotFound(f"User {scim_id} not found.")
    columns = rows[0]
    user = User.from_db(User.objects.db, _USER_COLUMNS, [columns[n] for n in _USER_COLUMNS])
    return user, next(iter(_views(rows).values()))
