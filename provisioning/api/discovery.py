"""Discovery endpoints (RFC 7644 §4): what this server really supports."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from provisioning import services
from provisioning.api.base import ScimView
from provisioning.scim import discovery
from provisioning.scim.errors import NotFound
from provisioning.scim.listing import list_response


def _listed(resources: list[dict]) -> Response:
    return Response(list_response(resources, total=len(resources), start_index=1))


def _one(resources: list[dict], resource_id: str, kind: str) -> Response:
    for resource in resources:
        if resource["id"].lower() == resource_id.lower():
            return Response(resource)
    raise NotFound(f"No {kind} {resource_id!r}.")


class ServiceProviderConfigView(ScimView):
    def get(self, request: Request) -> Response:
        return Response(discovery.service_provider_config(self.base_url()))


class ResourceTypesView(ScimView):
    def get(self, request: Request, resource_id: str | None = None) -> Response:
        types = discovery.resource_types(self.base_url())
        return _one(types, resource_id, "resource type") if resource_id else _listed(types)


class SchemasView(ScimView):
    def get(self, request: Request, resource_id: str | None = None) -> Response:
        documents = discovery.schema_documents(
            self.base_url(), canonical_values=services.canonical_values(), custom=self.custom()
        )
        return _one(documents, resource_id, "schema") if resource_id else _listed(documents)


class NotFoundView(ScimView):
    """Any other path under /api/scim2 (Bulk, Me, ...): a SCIM 404, after authentication."""

    def dispatch_any(self, request: Request, *args, **kwargs) -> Response:
        raise NotFound(
            "This SCIM endpoint does not exist on this server (Users and Groups are served)."
        )

    get = post = put = patch = delete = dispatch_any
