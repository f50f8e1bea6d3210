"""/api/scim2: with or without a trailing slash, resource names case-insensitive (RFC 7644 §3.2)."""

import re

from django.urls import re_path

from provisioning.api import discovery, groups, openapi, search, users

ID = r"(?P<{}>[^/]+)"


def ci(name: str) -> str:
    """A case-insensitive regex for a resource name that Django can still reverse.

    (An inline ``(?i:...)`` group is not reversible, which breaks every ``reverse()`` call.)
    """
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name)


def route(pattern: str) -> str:
    return rf"^{ci(pattern)}/?$"


urlpatterns = [
    # Users first: nearly every request an IdP sends is for them (".search" before the id,
    # which would match it too).
    re_path(route("Users"), users.UsersView.as_view()),
    re_path(route("Users/.search"), users.UserSearchView.as_view()),
    re_path(rf"^{ci('Users')}/{ID.format('scim_id')}/?$", users.UserDetailView.as_view()),
    re_path(route("Groups"), groups.GroupsView.as_view()),
    re_path(route("Groups/.search"), groups.GroupSearchView.as_view()),
    re_path(rf"^{ci('Groups')}/{ID.format('scim_id')}/?$", groups.GroupDetailView.as_view()),
    re_path(route("ServiceProviderConfig"), discovery.ServiceProviderConfigView.as_view()),
    re_path(route("ResourceTypes"), discovery.ResourceTypesView.as_view()),
    re_path(
        rf"^{ci('ResourceTypes')}/{ID.format('resource_id')}/?$",
        discovery.ResourceTypesView.as_view(),
    ),
    re_path(route("Schemas"), discovery.SchemasView.as_view()),
    re_path(rf"^{ci('Schemas')}/{ID.format('resource_id')}/?$", discovery.SchemasView.as_view()),
    # RFC 7644 §3.4.3: a search at the root spans every resource type: Users and Groups.
    re_path(route(".search"), search.RootSearchView.as_view()),
    # The OpenAPI description of all the above; served without a token (it holds no data).
    re_path(r"^openapi\.json$", openapi.openapi_view, name="scim-openapi"),
    # Anything else, a newline (%0A) in the path included: "." alone stops at one.
    re_path(r"^[\s\S]*$", discovery.NotFoundView.as_view()),
]
