"""Bearer-token authentication for the SCIM API only (RFC 7644 §2, RFC 6750)."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from provisioning import services, tokens
from provisioning.api.throttling import check_failed_authentications
from provisioning.scim.errors import Unauthorized


class ScimTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``, or the bare token (Okta's "HTTP Header" mode without
    "Bearer"; see ``tokens.presented_token``); used by the SCIM views and nothing else."""

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
        return None if token is None else services.authenticate_scim_token(token)

    def authenticate_header(self, request: Request) -> str:
        # Without this DRF would turn a 401 into a 403 (RFC 6750 §3 wants the challenge).
        return 'Bearer realm="scim"'
