"""SCIM Groups endpoints (RFC 7644 §3.3-§3.6, §3.4.3): parse, call the service, render.

A single group's answer lists its members, written out as they are read
(``StreamingHttpResponse``), so that a group of 50,000 is answered in bounded memory and never
cut off. A list answer shows members only when ``attributes`` names them. A PATCH answers 204
(RFC 7644 §3.5.2 allows it), unless ``attributes`` or ``excludedAttributes`` asks for the
resource: Okta and Entra read nothing back, and reading a large group back is the cost of a
member change in other servers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.http import StreamingHttpResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Group
from provisioning import group_queries, services
from provisioning.api.base import ScimView, with_etag
from provisioning.scim.constants import MEDIA_TYPE
from provisioning.scim.group_representation import (
    GroupProjection,
    group_projection,
    group_resource,
    member,
)
from provisioning.scim.listing import (
    ListQuery,
    Projection,
    build_projection,
    build_query,
    list_response,
    query_from_search,
)
from provisioning.scim.representation import etag

MEMBERS_PER_WRITE = 1000


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class GroupResourceView(ScimView):
    resource_type = "Group"

    def listing(self, query: ListQuery) -> Response:
        page = group_queries.search_groups(query)
        resources = listed(page.groups, query, self.base_url())
        return Response(list_response(resources, total=page.total, start_index=query.start_index))

    def group_response(
        self,
        view: dict[str, Any],
        projection: Projection,
        status_code: int = status.HTTP_200_OK,
    ) -> StreamingHttpResponse | Response:
        """One group as the response's body, with its ETag; its members written out as they
        are read, a chunk at a time."""
        shape = group_projection(
            projection.attributes, projection.excluded_attributes, members_by_default=True
        )
        base_url = self.base_url()
        resource = shape.apply(group_resource(view, base_url=base_url))
        if not shape.members:
            return with_etag(Response(resource, status=status_code), view["version"])
        response = StreamingHttpResponse(
            _streamed(resource, group_queries.members(view["pk"]), shape, base_url),
            status=status_code,
            content_type=MEDIA_TYPE,
        )
        response["ETag"] = etag(view["version"])
        return response

    def after_write(
        self, group: Group, projection: Projection, status_code: int = status.HTTP_200_OK
    ) -> StreamingHttpResponse | Response:
        return self.group_response(group_queries.view_of(group), projection, status_code)


def listed(views: list[dict[str, Any]], query: ListQuery, base_url: str) -> list[dict[str, Any]]:
    """A list answer's groups, as ``attributes``/``excludedAttributes`` ask (members only
    when asked for, read for the whole page at once)."""
    shape = group_projection(query.attributes, query.excluded_attributes, members_by_default=False)
    members_of = group_queries.members_of([v["pk"] for v in views]) if shape.members else {}
    resources = []
    for view in views:
        resource = shape.apply(group_resource(view, base_url=base_url))
        if shape.members:
            elements = [
                shape.member(member(scim_id, base_url=base_url))
                for scim_id in members_of[view["pk"]]
            ]
            meta = resource.pop("meta", None)
            if elements:
                resource["members"] = elements
            if meta is not None:
                resource["meta"] = meta
        resources.append(resource)
    return resources


def _streamed(
    resource: dict[str, Any],
    rows: Iterator[Any],
    shape: GroupProjection,
    base_url: str,
) -> Iterator[bytes]:
    """The resource's JSON with "members" before "meta", the members written as read."""
    meta = resource.pop("meta", None)
    head = _json(resource)[:-1]
    first = list(islice(rows, MEMBERS_PER_WRITE))
    if not first:
        yield (head + (f',"meta":{_json(meta)}}}' if meta is not None else "}")).encode()
        return
    yield (head + ',"members":[').encode()
    chunk = first
    separator = ""
    while chunk:
        text = ",".join(
            _json(shape.member(member(scim_id, base_url=base_url))) for scim_id in chunk
        )
        yield (separator + text).encode("utf-8", "backslashreplace")
        separator = ","
        chunk = list(islice(rows, MEMBERS_PER_WRITE))
    yield ("]" + (f',"meta":{_json(meta)}}}' if meta is not None else "}")).encode()


class GroupsView(GroupResourceView):
    def get(self, request: Request) -> Response:
        return self.listing(build_query(request.query_params))

    def post(self, request: Request) -> StreamingHttpResponse | Response:
        projection = build_projection(request.query_params)
        group = services.provision_group(request.data, actor=self.actor)
        response = self.after_write(group, projection, status.HTTP_201_CREATED)
        response["Location"] = f"{self.base_url()}/Groups/{group.scim_id}"
        return response


class GroupSearchView(GroupResourceView):
    writes = False

    def post(self, request: Request) -> Response:
        return self.listing(query_from_search(request.data))


class GroupDetailView(GroupResourceView):
    def get(self, request: Request, scim_id: str) -> StreamingHttpResponse | Response:
        projection = build_projection(request.query_params)
        view = group_queries.get_group_view(scim_id)
        if self.if_none_match(view["version"]):
            return with_etag(Response(status=status.HTTP_304_NOT_MODIFIED), view["version"])
        return self.group_response(view, projection)

    def put(self, request: Request, scim_id: str) -> StreamingHttpResponse | Response:
        projection = build_projection(request.query_params)
        group = services.replace_group(
            scim_id, request.data, actor=self.actor, expected_versions=self.if_match()
        )
        return self.after_write(group, projection)

    def patch(self, request: Request, scim_id: str) -> StreamingHttpResponse | Response:
        projection = build_projection(request.query_params)
        group = services.patch_group(
            scim_id, request.data, actor=self.actor, expected_versions=self.if_match()
        )
        if projection.attributes or projection.excluded_attributes:
            return self.after_write(group, projection)
        return with_etag(Response(status=status.HTTP_204_NO_CONTENT), group.version)

    def delete(self, request: Request, scim_id: str) -> Response:
        services.delete_group(scim_id, actor=self.actor, expected_versions=self.if_match())
        return Response(status=status.HTTP_204_NO_CONTENT)
