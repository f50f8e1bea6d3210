"""Reading users for the SCIM API: the filter whitelist, sorting and paging.

Every query starts from ``User.objects.scim_visible()``: soft-deleted users never appear.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import F, OrderBy
from django.db.models.functions import Lower

from accounts.models import User
from provisioning.scim.errors import InvalidValue, NotFound
from provisioning.scim.listing import ListQuery
from provisioning.scim.query import AttributeSpec, to_q

S = AttributeSpec
# What an IdP may filter on (RFC 7644 §3.4.2.2), keyed like filters.AttrPath.key().
# `password` is deliberately absent: a filter on it would be an oracle.
FILTERABLE = {
    "id": S("scim_id", "uuid", case_exact=True),
    "externalid": S("external_id", "string", case_exact=True),
    "username": S("username", "string"),
    "name.givenname": S("first_name", "string"),
    "name.familyname": S("last_name", "string"),
    "displayname": S("display_name", "string"),
    "emails.value": S("email", "string"),
    "emails.type": S("email_type", "string"),
    "emails.primary": S("email_primary", "boolean"),
    "active": S("is_active", "boolean"),
    "timezone": S("time_zone", "string", case_exact=True),
    "usertype": S("user_type__name", "string"),
    "preferredlanguage": S("language", "string"),
    "locale": S("locale", "string"),
    "meta.created": S("created_at", "dateTime"),
    "meta.lastmodified": S("updated_at", "dateTime"),
}

# sortBy (RFC 7644 §3.4.2.3) -> an ordering expression; ties are broken by the primary key.
SORTABLE = {
    "username": Lower("username"),
    "name.givenname": Lower("first_name"),
    "name.familyname": Lower("last_name"),
    "displayname": Lower("display_name"),
    "emails": Lower("email"),
    "emails.value": Lower("email"),
    "externalid": F("external_id"),
    "active": F("is_active"),
    "meta.created": F("created_at"),
    "meta.lastmodified": F("updated_at"),
}
_CORE_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:user:"


@dataclass(frozen=True)
class Page:
    total: int
    users: list[User]


def _ordering(query: ListQuery) -> list[OrderBy]:
    if not query.sort_by:
        return [F("pk").asc()]
    key = query.sort_by.lower().removeprefix(_CORE_PREFIX)
    if key not in SORTABLE:
        raise InvalidValue(
            f"Cannot sort by {query.sort_by!r}; sortable: userName, name.givenName, "
            "name.familyName, displayName, emails, externalId, active, meta.created, "
            "meta.lastModified."
        )
    expression = SORTABLE[key]
    return [expression.desc() if query.descending else expression.asc(), F("pk").asc()]


def search_users(query: ListQuery) -> Page:
    ordering = _ordering(query)
    users = User.objects.scim_visible()
    if query.filter is not None:
        users = users.filter(to_q(query.filter, FILTERABLE))
    total = users.count()
    if query.count == 0 or query.offset >= total:
        return Page(total=total, users=[])
    window = users.order_by(*ordering)[query.offset : query.offset + query.count]
    return Page(total=total, users=list(window))


def get_user(scim_id: str) -> User:
    """The visible user with this SCIM id; 404 for anything else (malformed ids included)."""
    try:
        key = uuid.UUID(scim_id)
    except ValueError:
        raise NotFound(f"User {scim_id!r} not found.") from None
    user = User.objects.scim_visible().filter(scim_id=key).first()
    if user is None:
        raise NotFound(f"User {scim_id} not found.")
    return user
