"""The project's middleware: one structured log line per request, and the portal's session,
user and messages kept off the SCIM API."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

from provisioning.services import OAuthScimClient
from provisioning.tokens import presented_token, shown_prefix

logger = logging.getLogger("lms.requests")
# A client's own request id is kept when it is a plain token (never anything that could
# smuggle a header or a log line).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id(request: HttpRequest) -> str:
    # META rather than request.headers: building the headers mapping costs more than the log.
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    # 32 random hex digits, as uuid4().hex gave, without building a UUID.
    return given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(16)


def token_prefix(request: HttpRequest) -> str:
    """The displayable prefix of the presented token (Bearer or bare; the API token or an OAuth
    access token), never the token itself; "" when none is presented."""
    token = presented_token(request.META.get("HTTP_AUTHORIZATION", ""))
    if token is None:
        return ""
    return shown_prefix(token) or "unrecognised"


def oauth_client(request: HttpRequest, prefix: str) -> str:
    """The name of the OAuth client whose access token the SCIM API accepted, or "". DRF sets
    the authenticated client as the request's user, for middleware to see; it is looked at only
    when a token was presented (else the portal's lazy user would be loaded for nothing)."""
    if not prefix or prefix == "unrecognised":
        return ""
    client = getattr(request, "user", None)
    return client.client_name if isinstance(client, OAuthScimClient) else ""


class RequestLogMiddleware:
    """One line per request: method, path, status, duration, request id, token prefix, and
    the OAuth client's name for a request with its access token."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        rid = request_id(request)
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        prefix = token_prefix(request)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "request_id": rid,
            "token_prefix": prefix,
            "oauth_client": oauth_client(request, prefix),
        }
        logger.info(self.format(fields), extra={"request": fields})
        return response

    @staticmethod
    def format(fields: dict) -> str:
        if settings.LOG_FORMAT == "json":
            return json.dumps(fields, separators=(",", ":"))
        return " ".join(f"{key}={_logfmt(value)}" for key, value in fields.items() if value != "")


def _logfmt(value: object) -> str:
    """A value as logfmt writes it: quoted and escaped when it holds a space, a quote or a
    control character. The path is the client's, decoded: "%0A" in it must not start a
    forged line of its own."""
    text = str(value)
    if text.isprintable() and " " not in text and '"' not in text:
        return text
    return json.dumps(text)


# The SCIM API authenticates every request by its bearer token (provisioning.api): it has no
# session, no signed-in portal user and no flash messages, so the portal's middleware for
# those is not run for it (its cost per request: docs/performance.md).
SCIM_API_PATH = "/api/scim2/"


class PortalOnly(MiddlewareMixin):
    """Runs the Django middleware it is mixed into for every path but the SCIM API's. Only for
    middleware that works in ``__call__`` alone (no ``process_view`` or exception hooks,
    which Django would still call)."""

    # Synchronous: the app is served over WSGI (under ASGI, Django would adapt it).
    async_capable = False

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if request.path_info.startswith(SCIM_API_PATH):
            return self.get_response(request)
        return super().__call__(request)


class PortalSessionMiddleware(PortalOnly, SessionMiddleware):
    pass


class PortalAuthenticationMiddleware(PortalOnly, AuthenticationMiddleware):
    pass


class PortalMessageMiddleware(PortalOnly, MessageMiddleware):
    pass
