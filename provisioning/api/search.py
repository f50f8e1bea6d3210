"""``POST /.search`` at the root (RFC 7644 §3.4.3): one search over Users and Groups.

Users come first, then groups, each in its own order; paging runs over the two in turn. A
filter that names an attribute only one resource type has finds only resources of that type
(``userName`` finds no group); one that neither type can answer is refused as each would
refuse it.
"""

from __future__ import annotations

from dataclasses import replace

from rest_framework.request import Request
from rest_framework.response import Response

from provisioning import group_queries, queries
from provisioning.api.groups import listed
from provisioning.api.users import UserResourceView
from provisioning.scim.errors import InvalidFilter, InvalidValue
from provisioning.scim.listing import ListQuery, list_response, query_from_search


class RootSearchView(UserResourceView):
    writes = False

    def post(self, request: Request) -> Response:
        query = query_from_search(request.data)
        users, users_total, user_error = self.users(query)
        groups_query = replace(
            query,
            start_index=max(1, query.start_index - users_total),
            count=max(0, query.count - len(users)),
        )
        groups, groups_total, group_error = self.groups(groups_query)
        if user_error is not None and group_error is not None:
            raise user_error
        if query.offset + len(users) < users_total:
            groups = []  # the page ends among the users
        resources = self.resources(users, query) + listed(groups, query, self.base_url())
        return Response(
            list_response(
                resources, total=users_total + groups_total, start_index=query.start_index
            )
        )

    def users(self, query: ListQuery) -> tuple[list, int, Exception | None]:
        try:
            page = queries.search_users(query, self.custom())
        except (InvalidFilter, InvalidValue) as error:
            return [], 0, error
        return page.users, page.total, None

    def groups(self, query: ListQuery) -> tuple[list, int, Exception | None]:
        try:
            page = group_queries.search_groups(query)
        except (InvalidFilter, InvalidValue) as error:
            return [], 0, error
        return page.groups, page.total, None
