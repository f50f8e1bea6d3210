"""SCIM Users endpoints (RFC 7644 §3.3-§3.6, §3.4.3): parse, call the service, render."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from provisioning import queries, services
from provisioning.api.base import ScimView, with_etag
from provisioning.scim.listing import ListQuery, build_query, list_response, query_from_search
from provisioning.scim.representation import project, user_resource


class UserRenderingMixin:
    def location(self, user: User) -> str:
        return f"{self.base_url()}/Users/{user.scim_id}"

    def resource(self, user: User, query: ListQuery | None = None) -> dict:
        resource = user_resource(services.scim_view(user), base_url=self.base_url())
        if query is None:
            query = build_query(self.request.query_params)
        return project(resource, attributes=query.attributes, excluded=query.excluded_attributes)

    def listing(self, query: ListQuery) -> Response:
        page = queries.search_users(query)
        resources = [self.resource(user, query) for user in page.users]
        return Response(list_response(resources, total=page.total, start_index=query.start_index))


class UsersView(UserRenderingMixin, ScimView):
    def get(self, request: Request) -> Response:
        return self.listing(build_query(request.query_params))

    def post(self, request: Request) -> Response:
        user = services.provision_user(request.data, actor=self.actor)
        user = queries.get_user(str(user.scim_id))
        response = Response(self.resource(user), status=status.HTTP_201_CREATED)
        response["Location"] = self.location(user)
        return with_etag(response, user.version)


class UserSearchView(UserRenderingMixin, ScimView):
    def post(self, request: Request) -> Response:
        return self.listing(query_from_search(request.data))


class UserDetailView(UserRenderingMixin, ScimView):
    def get(self, request: Request, scim_id: str) -> Response:
        user = queries.get_user(scim_id)
        if self.if_none_match(user.version):
            return with_etag(Response(status=status.HTTP_304_NOT_MODIFIED), user.version)
        return with_etag(Response(self.resource(user)), user.version)

    def put(self, request: Request, scim_id: str) -> Response:
        user = services.replace_user(
            queries.get_user(scim_id),
            request.data,
            actor=self.actor,
            expected_version=self.if_match(),
        )
        return self.written(user)

    def patch(self, request: Request, scim_id: str) -> Response:
        user = services.patch_user(
            queries.get_user(scim_id),
            request.data,
            actor=self.actor,
            expected_version=self.if_match(),
        )
        return self.written(user)

    def delete(self, request: Request, scim_id: str) -> Response:
        services.delete_user(
            queries.get_user(scim_id), actor=self.actor, expected_version=self.if_match()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def written(self, user: User) -> Response:
        user = queries.get_user(str(user.scim_id))
        return with_etag(Response(self.resource(user)), user.version)
