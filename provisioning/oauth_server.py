"""The SCIM API's OAuth 2.0 token endpoint: ``POST /oauth/token``, client credentials grant only
(RFC 6749 §4.4), scope ``scim`` only.

Authlib's framework-neutral authorization server does the protocol: client authentication by
HTTP Basic or form fields (§2.3.1), the grant's checks, scope validation (§3.3), the token
response (§5.1) and error responses (§5.2). The portal's own models stand behind it
(``services.oauth_clients``): secrets and tokens kept hashed, several secrets valid at once
during a rotation. What Authlib leaves open is settled here, before it runs: one way of
authenticating per request, each parameter once and in the body, a readable Basic header.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from authlib.consts import default_json_headers
from authlib.integrations.django_oauth2.requests import DjangoJsonRequest, DjangoOAuth2Request
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    InvalidRequestError,
    OAuth2Error,
)
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from provisioning import services, tokens
from provisioning.api.throttling import check_failed_authentications
from provisioning.models import OAuthClient, OAuthClientSecret, ScimSettings
from provisioning.scim.errors import TooManyRequests
from provisioning.services.oauth_clients import SCOPE

logger = logging.getLogger("provisioning.oauth")

GRANT_TYPE = "client_credentials"
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# Each may be sent once, in the body (RFC 6749 §3.2: "MUST NOT be included more than once").
PARAMETERS = ("grant_type", "scope", "client_id", "client_secret")
FORM = "application/x-www-form-urlencoded"
CLIENT_ID_MAX_LENGTH = OAuthClient._meta.get_field("client_id").max_length or 64
AUTHENTICATION_FAILED = "Client authentication failed: unknown client or wrong secret."


class ClientRefused(InvalidClientError):
    """``invalid_client`` for a reason of the portal's own, said as it is (401 unless told)."""

    status_code = 401


class Client(ClientMixin):
    """An ``OAuthClient`` as Authlib's grant asks about it (``ClientMixin``); remembers which of
    its secrets authenticated the request."""

    def __init__(self, client: OAuthClient) -> None:
        self.client = client
        self.secret: OAuthClientSecret | None = None

    def get_client_id(self) -> str:
        return self.client.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        # RFC 6749 §3.3: a request without a scope gets the default, the only one.
        return SCOPE

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        self.secret = services.valid_secret(self.client, client_secret)
        return self.secret is not None

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == GRANT_TYPE


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)


class TokenRequest(DjangoOAuth2Request):
    """Authlib's view of a Django request, with the client's address for the audit trail."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.address = request.META.get("REMOTE_ADDR")


class TokenServer(AuthorizationServer):
    """Authlib's authorization server over the portal's clients and tokens."""

    def __init__(self) -> None:
        super().__init__(scopes_supported=[SCOPE])
        self.register_grant(ClientCredentialsGrant)
        self.register_token_generator("default", self.bearer_token)

    def query_client(self, client_id: str) -> Client | None:
        # A value no client id can be (too long, a NUL byte) is not looked up at all.
        if not client_id or len(client_id) > CLIENT_ID_MAX_LENGTH or not client_id.isprintable():
            return None
        client = OAuthClient.objects.filter(client_id=client_id).first()
        return Client(client) if client else None

    @staticmethod
    def bearer_token(grant_type: str, client: Client, **_: Any) -> dict[str, Any]:
        """RFC 6749 §5.1 / RFC 6750: a Bearer token, no refresh token (§4.4.3)."""
        lifetime = services.access_token_lifetime()
        return {
            "access_token": tokens.generate_token(tokens.ACCESS_TOKEN_SCHEME).token,
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
            "scope": SCOPE,
        }

    def save_token(self, token: dict[str, Any], request: TokenRequest) -> None:
        client: Client = request.client
        assert client.secret is not None, "a token is issued to an authenticated client only"
        services.save_access_token(
            client.client,
            token["access_token"],
            secret=client.secret,
            scope=token["scope"],
            expires_in=token["expires_in"],
            actor=services.client_actor(client.client.name).at(request.address),
        )

    def create_oauth2_request(self, request: HttpRequest) -> TokenRequest:
        return TokenRequest(request)

    def create_json_request(self, request: HttpRequest) -> DjangoJsonRequest:
        return DjangoJsonRequest(request)

    def handle_response(self, status: int, body: Any, headers: list) -> HttpResponse:
        response = JsonResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        return response

    def handle_error_response(self, request: Any, error: OAuth2Error) -> HttpResponse:
        if isinstance(error, InvalidClientError) and not isinstance(error, ClientRefused):
            # One answer whether the client is unknown or its secret wrong, and always 401
            # with the Basic challenge (RFC 6749 §5.2 allows it for form credentials too).
            error = InvalidClientError(status_code=401, description=AUTHENTICATION_FAILED)
        return super().handle_error_response(request, error)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Authlib announces client authentication and revocation here; nothing listens."""


server = TokenServer()


def error_response(error: OAuth2Error, *extra: tuple[str, str]) -> HttpResponse:
    response = server.handle_error_response(None, error)
    for name, value in extra:
        response[name] = value
    return response


@csrf_exempt  # an API for identity providers, authenticated by client credentials
def token_endpoint(request: HttpRequest) -> HttpResponse:
    """RFC 6749 §4.4.2 (request) and §4.4.3 (response); open while SCIM is enabled. Every
    answer, error or not, carries ``Cache-Control: no-store`` (§5.1), set by Authlib."""
    if request.method != "POST":
        return error_response(InvalidRequestError("Use POST.", status_code=405), ("Allow", "POST"))
    try:
        if not ScimSettings.load().enabled:
            return error_response(ClientRefused("SCIM provisioning is disabled."))
        problem = malformed(request)
        if problem is not None:
            return failed(request, problem)
        return failed(request, server.create_token_response(request))
    except OAuth2Error as error:  # InsecureTransportError: the request was not over https
        return error_response(error)
    except DatabaseError:
        logger.exception("Database error at the token endpoint")
        response = server.handle_response(
            503, {"error": "temporarily_unavailable"}, [*default_json_headers, ("Retry-After", "5")]
        )
        return response


def malformed(request: HttpRequest) -> HttpResponse | None:
    """The error response to a request Authlib should not see, or None (RFC 6749 §2.3, §3.2)."""
    try:
        form = request.POST
    except SuspiciousOperation:  # too large, too many fields
        return error_response(InvalidRequestError("The request body is too large."))
    if _has_body(request) and request.content_type != FORM:
        return error_response(InvalidRequestError(f"Send the parameters as {FORM}."))
    if any(name in request.GET for name in PARAMETERS):
        return error_response(InvalidRequestError("Send the parameters in the request body."))
    repeated = [name for name in PARAMETERS if len(form.getlist(name)) > 1]
    if repeated:
        return error_response(InvalidRequestError(f"Repeated parameter: {repeated[0]}."))
    if "HTTP_AUTHORIZATION" in request.META:
        if not basic_credentials(request.META["HTTP_AUTHORIZATION"]):
            return error_response(InvalidClientError(status_code=401))
        if "client_secret" in form:
            return error_response(
                InvalidRequestError("Authenticate the client one way: HTTP Basic or the form.")
            )
    if not form.get("grant_type"):
        return error_response(InvalidRequestError("The grant_type parameter is required."))
    return None


def _has_body(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return True


def basic_credentials(header: str) -> bool:
    """Whether ``header`` is HTTP Basic with a client id and secret in UTF-8 (RFC 7617)."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    client_id, colon, secret = decoded.partition(":")
    return bool(colon and client_id and secret)


def failed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response``; a failed client authentication is counted against the address, and past
    the limit answered 429 (guessing is slowed down, as for the SCIM API's token)."""
    if response.status_code != 401:
        return response
    try:
        check_failed_authentications(request.META.get("REMOTE_ADDR", ""))
    except TooManyRequests as error:
        limited = error_response(
            ClientRefused("Too many failed client authentications; retry later.", status_code=429)
        )
        limited["Retry-After"] = str(error.retry_after)
        return limited
    return response
