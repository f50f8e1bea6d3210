"""The OpenAPI 3.0 description of the SCIM API, served at ``GET /api/scim2/openapi.json``.

Built from what the server itself runs on, so it cannot drift: the User and Group resources from the
attribute definitions (``provisioning.scim.schemas``), the error envelope and its ``scimType``
values from the ``provisioning.scim.errors`` hierarchy, lengths from the columns that keep the
values (``json_schemas``); the operations, parameters and answers in ``paths``.

The document needs no token: it describes the API and holds no data (RFC 7644 §4 lets
discovery be public). Every SCIM endpoint it describes still requires the Bearer token.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from provisioning.api.openapi import paths
from provisioning.api.openapi.json_schemas import component_schemas

OPENAPI_VERSION = "3.0.3"


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The whole description, the same for every request (callers must not modify it)."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "LMS portal SCIM 2.0 API",
            "version": "2.0",
            "description": (
                "Provisioning of users and groups by an identity provider (RFC 7643, "
                "RFC 7644). Users and Groups are served; Bulk is not."
            ),
        },
        # Relative to where this document is served (OpenAPI 3.0 §4.7.5): /api/scim2.
        "servers": [{"url": "/api/scim2"}],
        "security": [{"bearerAuth": []}],
        "paths": paths.users_paths() | paths.groups_paths() | paths.discovery_paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The SCIM API token, shown once in the back office.",
                }
            },
            "schemas": component_schemas(),
            "parameters": paths.parameters(),
            "headers": paths.headers(),
            "responses": paths.error_responses(),
        },
    }


@functools.cache
def _serialized() -> bytes:
    return json.dumps(openapi_document(), separators=(",", ":")).encode()


@csrf_exempt  # it changes nothing; a POST gets 405, not the CSRF failure page
@require_safe
def openapi_view(request: HttpRequest) -> HttpResponse:
    """``GET /api/scim2/openapi.json``: no authentication, see the module docstring."""
    return HttpResponse(_serialized(), content_type="application/json")
