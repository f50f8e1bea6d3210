"""Bearer-token authentication for the SCIM API only (RFC 7644 §2, RFC 6750)."""

from __future__ import annotations

from rest_framework import HTTP_HEADER_ENCODING
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from provisioning import services
from provisioning.api.throttling import check_failed_authentications
from provisioning.scim.errors import Unauthorized


class ScimTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``; used by the SCIM views and nothing else."""

    def authenticate(self, request: Request) -> tuple[services.ScimClient, None]:
        client = self._client(request)
        if client is None:
            # Guessing is slowed down: too many failures from one address get 429.
            check_failed_authentications(request.META.get("REMOTE_ADDR", ""))
            raise Unauthorized()
        return client, None

    @staticmethod
    def _client(request: Request) -> services.ScimClient | None:
        # As DRF's get_authorization_header(), but from META: it reads request.headers, which
        # builds a mapping of every header first (docs/performance.md).
        header = request.META.get("HTTP_AUTHORIZATION", "").encode(HTTP_HEADER_ENCODING)
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip():
            return None
        try:
            text = token.strip().decode("ascii")
        except UnicodeDecodeError:
            return None
        return services.authenticate_scim_token(text)

    def authenticate_header(self, request: Request) -> str:
        # Without this DRF would turn a 401 into a 403 (RFC 6750 §3 wants the challenge).
        return 'Bearer realm="scim"'
