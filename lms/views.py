"""Operational endpoints."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from provisioning.api.base import as_scim_error
from provisioning.api.negotiation import ScimJSONRenderer
from provisioning.scim import errors as scim
from provisioning.scim.constants import MEDIA_TYPE

logger = logging.getLogger("lms.health")
SCIM_PREFIX = "/api/scim2/"


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers ask for on every site: the portal's icon."""
    return HttpResponseRedirect(static("portal/favicon.svg"))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the app answers and its database does, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: database unreachable", exc_info=True)
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"},
            status=503,
            headers={"Retry-After": "5"},
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, for pages: a database outage is a 503 with Retry-After.

    Django calls it while handling the exception, wherever it was raised (a view, or a
    middleware loading the session), so the exception is at hand. The SCIM API answers its
    own errors with SCIM bodies (provisioning.api.base) and never gets here.
    """
    if isinstance(sys.exc_info()[1], DatabaseError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400, for a request refused before its view ran: a middleware found it
    suspicious (CommonMiddleware: a Host not in ALLOWED_HOSTS). The SCIM API's clients read
    SCIM error bodies (RFC 7644 §3.12), as its views answer them; pages get Django's page."""
    if not request.path_info.startswith(SCIM_PREFIX):
        return defaults.bad_request(request, exception)
    error = as_scim_error(exception) or scim.ScimError()
    body = ScimJSONRenderer().render(error.as_dict())
    return HttpResponse(body, status=error.status_code, content_type=MEDIA_TYPE)
