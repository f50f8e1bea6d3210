"""Bearer-token authentication for the SCIM API only (RFC 7644 §2, RFC 6750): the static API
token, or an OAuth access token from ``/oauth/token`` (RFC 6749 §4.4)."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from provisioning import services, tokens
from provisioning.api.throttling import check_failed_authentications
from provisioning.scim.errors import Unauthorized


class ScimTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``, or the bare token (Okta's "HTTP Header" mode without
    "Bearer"; see ``tokens.presented_token``); the token is the API token or an OAuth access
    token, told apart by its shape. Used by the SCIM views and nothing else."""

    def authenticate(self, request: Request) -> tuple[services.ScimClient, None]:
        client = self._client(request)
        if client is None:
            # Guessing is slowed down: too many failures from one address get 429.
            check_failed_authentications(request.META.get("REMOTE_ADDR", ""))
            raise Unauthorized()
        return client, None

    @staticmethod
    def _client(request: Request) -> services.ScimClient | None:
        # From META rather than DRF's get_authorization_header(): it reads request.headers,
        # which builds a mapping of every header first (docs/performance.md).
        token = tokens.presented_token(request.META.get("HTTP_AUTHORIZATION", ""))
        if token is None:
            return None
        if tokens.is_access_token(token):
            return services.authenticate_access_token(token)
        return services.authenticate_scim_token(token)

    def authenticate_header(self, request: Request) -> str:
        # Without this DRF would turn a 401 into a 403 (RFC 6750 §3 wants the challenge).
        return 'Bearer realm="scim"'
