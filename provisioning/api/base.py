"""The one base class of every SCIM view: authentication, media types, errors, ETags."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.db import DatabaseError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import exceptions as domain
from provisioning import queries, services
from provisioning.api import throttling
from provisioning.api.authentication import ScimTokenAuthentication
from provisioning.api.negotiation import PlainJSONParser, ScimJSONParser, ScimJSONRenderer
from provisioning.scim import errors as scim
from provisioning.scim.attributes import Attribute
from provisioning.scim.representation import etag

logger = logging.getLogger("provisioning.scim")

# Domain errors -> SCIM errors (RFC 7644 §3.12). Decided by type, never by message text.
DOMAIN_ERRORS: list[tuple[type[Exception], type[scim.ScimError]]] = [
    (domain.ValueInUse, scim.Uniqueness),
    (domain.GroupNameInUse, scim.Uniqueness),
    (domain.GroupManagedElsewhere, scim.Mutability),
    (domain.ValuesInUse, scim.Uniqueness),  # username and email both taken
    (domain.InvalidField, scim.InvalidValue),
    (domain.InvalidData, scim.InvalidValue),  # several refusals at once, all named
    (domain.VersionMismatch, scim.PreconditionFailed),
    (domain.UserIsDeleted, scim.NotFound),
    (services.ProvisioningError, scim.InvalidValue),
]
DRF_ERRORS: list[tuple[type[Exception], type[scim.ScimError]]] = [
    (drf.NotAuthenticated, scim.Unauthorized),
    (drf.AuthenticationFailed, scim.Unauthorized),
    (drf.PermissionDenied, scim.Forbidden),
    (drf.MethodNotAllowed, scim.MethodNotAllowed),
    (drf.UnsupportedMediaType, scim.UnsupportedMediaType),
    (drf.ParseError, scim.InvalidSyntax),
    (drf.Throttled, scim.TooManyRequests),
    (Http404, scim.NotFound),
    # Django answers these 400 for the portal (a Host not in ALLOWED_HOSTS, too many fields).
    (DisallowedHost, scim.HostNotAllowed),
    (SuspiciousOperation, scim.ScimError),
]


def as_scim_error(exc: Exception) -> scim.ScimError | None:
    if isinstance(exc, scim.ScimError):
        return exc
    for source, target in DOMAIN_ERRORS:
        if isinstance(exc, source):
            return target(str(exc))
    for source, target in DRF_ERRORS:
        if isinstance(exc, source):
            return target(str(getattr(exc, "detail", "")) or None)
    return None


class AlwaysScim(BaseContentNegotiation):
    """Answer application/scim+json whatever Accept says (IdPs send */* or application/json)."""

    def select_parser(self, request, parsers):
        content_type = request.content_type.split(";")[0].strip().lower()
        return next((p for p in parsers if p.media_type == content_type), None)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ScimView(APIView):
    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [ScimJSONParser, PlainJSONParser]
    renderer_classes = [ScimJSONRenderer]
    content_negotiation_class = AlwaysScim
    # No OPTIONS: SCIM defines none, and DRF's would describe the view (its docstring, its
    # parsers) in a body of its own, not SCIM's. It is a SCIM 405, as any other method.
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]
    host: str | None = None  # the request's Host, once it passed ALLOWED_HOSTS (initial)
    client: services.ScimClient | None = None  # once authenticated (perform_authentication)
    custom_attributes: tuple[Attribute, ...] | None = None  # read once: custom()
    resource_type = "User"  # what a refused write is recorded against
    writes = True  # False for a search: a POST that changes nothing, and records no refusal

    @property
    def actor(self) -> services.Actor:
        """The token's holder, acting from the request's address."""
        return self.authenticated_client().actor.at(self.request.META.get("REMOTE_ADDR"))

    def custom(self) -> tuple[Attribute, ...]:
        """The custom user fields, when the admin exposes them (one query, once a request)."""
        if not self.authenticated_client().custom_fields:
            return ()
        if self.custom_attributes is None:
            self.custom_attributes = queries.custom_fields()
        return self.custom_attributes

    def authenticated_client(self) -> services.ScimClient:
        # Handlers run only once authentication and the permission check passed.
        assert self.client is not None, "no SCIM client before authentication"
        return self.client

    def base_url(self) -> str:
        """The API's address: PUBLIC_URL's, else the request's own."""
        if settings.PUBLIC_URL:
            return f"{settings.PUBLIC_URL}/api/scim2"
        if self.host is None:
            self.host = self.request.get_host()
        return f"{self.request.scheme}://{self.host}/api/scim2"

    def if_match(self) -> frozenset[int] | None:
        """RFC 7644 §3.14 / RFC 9110 §13.1.1: the versions an If-Match header names, if any
        (the write goes ahead at any of them; tags that are none of ours match nothing)."""
        header = self.request.META.get("HTTP_IF_MATCH", "").strip()
        if not header or header == "*":
            return None
        versions = frozenset(v for v in map(_version, header.split(",")) if v is not None)
        if not versions:
            raise scim.PreconditionFailed("If-Match must name one ETag given by this server.")
        return versions

    def if_none_match(self, version: int) -> bool:
        """RFC 9110 §13.1.2: whether If-None-Match names the current version (weak
        comparison, so "3" matches W/"3") or is "*"."""
        header = self.request.META.get("HTTP_IF_NONE_MATCH", "")
        tags = [tag.strip() for tag in header.split(",") if tag.strip()]
        return "*" in tags or any(_version(tag) == version for tag in tags)

    def handle_exception(self, exc: Exception) -> Response:
        error = as_scim_error(exc)
        if isinstance(exc, SuspiciousOperation):
            # As Django's handler does for the portal: the details go to the security log.
            logging.getLogger(f"django.security.{type(exc).__name__}").error(
                str(exc), extra={"status_code": 400, "request": self.request}
            )
        if error is None and isinstance(exc, DatabaseError):
            logger.exception("Database error in SCIM request")
            error = scim.ServiceUnavailable()
        if error is None:
            logger.exception("Unexpected error in SCIM request")
            error = scim.ServerError()
        self.log_refused_write(exc, error)
        response = Response(error.as_dict(), status=error.status_code)
        if error.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
        if error.retry_after is not None:
            response["Retry-After"] = str(error.retry_after)
        return response

    def log_refused_write(self, exc: Exception, error: scim.ScimError) -> None:
        """Every refused write by an authenticated client is in the audit trail, once, after
        its rollback: also when it fails before a use case runs (bad JSON, unknown id, ...).
        This is the one place refusals are recorded."""
        if (
            self.writes
            and isinstance(self.client, services.ScimClient)
            and 400 <= error.status_code < 500
        ):
            record = (
                services.record_refused_group_write
                if self.resource_type == "Group"
                else services.record_refused_write
            )
            record(
                self.request.method or "",
                exc,
                actor=self.actor,
                scim_id=self.kwargs.get("scim_id", ""),
                payload=self.parsed_body() if self.request.method == "POST" else None,
            )

    def parsed_body(self) -> object:
        """The request's body, if it parses: a write refused before its body was read (for its
        query string, say) may have a body that does not."""
        try:
            return self.request.data
        except (drf.APIException, scim.ScimError, SuspiciousOperation):
            return None

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        # Known from here on: a refusal after this point is an authenticated client's.
        user = request.user
        self.client = user if isinstance(user, services.ScimClient) else None

    def initial(self, request: Request, *args, **kwargs) -> None:
        # ALLOWED_HOSTS first, as CommonMiddleware checks it for the portal's pages: a refused
        # Host (400) is refused before any work is done, PUBLIC_URL or not.
        self.host = request.get_host()
        super().initial(request, *args, **kwargs)
        throttling.token_limiter.hit(self.authenticated_client().rate_key)

    def permission_denied(self, request, message=None, code=None):
        # No token at all is a 401 with a challenge, as a wrong token is.
        if request.authenticators and not request.successful_authenticator:
            raise scim.Unauthorized()
        raise scim.Forbidden(message)


# Our versions fit a PostgreSQL bigint: an ETag of more digits is none of ours.
_VERSION = re.compile(r"[0-9]{1,19}")


def _version(tag: str) -> int | None:
    """The version an entity tag names, if it is one of ours: ASCII digits only (``isdigit``
    takes superscript and Arabic-Indic digits, which int() refuses or reads as another
    number)."""
    tag = tag.strip().removeprefix("W/").strip('"')
    return int(tag) if _VERSION.fullmatch(tag) else None


def with_etag(response: Response, version: int) -> Response:
    response["ETag"] = etag(version)
    return response
