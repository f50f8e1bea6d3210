"""SCIM Users endpoints (RFC 7644 §3.3-§3.6, §3.4.3): parse, call the service, render."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from provisioning import queries, services
from provisioning.api.base import ScimView, with_etag
from provisioning.scim.listing import (
    ListQuery,
    Projection,
    build_projection,
    build_query,
    list_response,
    query_from_search,
)
from provisioning.scim.representation import UserView, project, user_resource


class UserResourceView(ScimView):
    """A SCIM view that answers with User resources: the request's projection, the API's
    address in each resource, the list envelope."""

    def resources(self, views: list[UserView], shape: Projection | ListQuery) -> list[dict]:
        base_url = self.base_url()
        custom = self.custom()
        return [
            project(
                user_resource(view, base_url=base_url, custom=custom),
                attributes=shape.attributes,
                excluded=shape.excluded_attributes,
            )
            for view in views
        ]

    def listing(self, query: ListQuery) -> Response:
        page = queries.search_users(query, self.custom())
        resources = self.resources(page.users, query)
        return Response(list_response(resources, total=page.total, start_index=query.start_index))

    def projection(self) -> Projection:
        """What a single user's answer shows. A write reads it before its use case runs: a
        query string refused afterwards would refuse a write already made."""
        return build_projection(self.request.query_params)

    def user_response(
        self, view: UserView, projection: Projection, status_code: int = status.HTTP_200_OK
    ) -> Response:
        """One user as the response's body, with its ETag (RFC 7644 §3.14)."""
        [resource] = self.resources([view], projection)
        return with_etag(Response(resource, status=status_code), view["version"])

    def response_after_create(self, user: User, projection: Projection) -> Response:
        """The user a create left, read back as a GET would show it."""
        view = queries.get_user_view(str(user.scim_id))
        return self.user_response(view, projection, status.HTTP_201_CREATED)


class UsersView(UserResourceView):
    def get(self, request: Request) -> Response:
        return self.listing(build_query(request.query_params))

    def post(self, request: Request) -> Response:
        projection = self.projection()
        user = services.provision_user(request.data, actor=self.actor, custom=self.custom())
        response = self.response_after_create(user, projection)
        response["Location"] = f"{self.base_url()}/Users/{user.scim_id}"
        return response


class UserSearchView(UserResourceView):
    writes = False

    def post(self, request: Request) -> Response:
        return self.listing(query_from_search(request.data))


class UserDetailView(UserResourceView):
    def get(self, request: Request, scim_id: str) -> Response:
        projection = self.projection()
        view = queries.get_user_view(scim_id)
        if self.if_none_match(view["version"]):
            return with_etag(Response(status=status.HTTP_304_NOT_MODIFIED), view["version"])
        return self.user_response(view, projection)

    def put(self, request: Request, scim_id: str) -> Response:
        projection = self.projection()
        written = services.replace_user(
            scim_id,
            request.data,
            actor=self.actor,
            expected_versions=self.if_match(),
            custom=self.custom(),
        )
        return self.user_response(written.view, projection)

    def patch(self, request: Request, scim_id: str) -> Response:
        projection = self.projection()
        written = services.patch_user(
            scim_id,
            request.data,
            actor=self.actor,
            expected_versions=self.if_match(),
            custom=self.custom(),
        )
        return self.user_response(written.view, projection)

    def delete(self, request: Request, scim_id: str) -> Response:
        services.delete_user(scim_id, actor=self.actor, expected_versions=self.if_match())
        return Response(status=status.HTTP_204_NO_CONTENT)
