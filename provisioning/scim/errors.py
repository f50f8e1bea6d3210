"""SCIM errors (RFC 7644 §3.12): one hierarchy, rendered as one envelope.

Each subclass carries the HTTP status and, where RFC 7644 Table 9 defines one, the
``scimType``. The SCIM views' exception handler turns any ``ScimError`` into
``{"schemas": [Error URN], "status": "400", "scimType": "...", "detail": "..."}``.
"""

from __future__ import annotations

from typing import Any

from provisioning.scim.constants import ERROR


class ScimError(Exception):
    status_code: int = 400
    scim_type: str | None = None
    default_detail: str = "The request is invalid."

    # Seconds after which a client may retry (sent as Retry-After), where that makes sense.
    retry_after: int | None = None

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None) -> None:
        self.detail = detail or self.default_detail
        if retry_after is not None:
            self.retry_after = retry_after
        super().__init__(self.detail)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR], "status": str(self.status_code)}
        if self.scim_type:
            body["scimType"] = self.scim_type
        body["detail"] = self.detail
        return body


class InvalidFilter(ScimError):
    scim_type = "invalidFilter"
    default_detail = "The filter syntax is invalid or names an unsupported attribute."


class TooMany(ScimError):
    scim_type = "tooMany"
    default_detail = "The request would return too many results."


class Uniqueness(ScimError):
    status_code = 409
    scim_type = "uniqueness"
    default_detail = "One or more unique attribute values are already in use."


class Mutability(ScimError):
    scim_type = "mutability"
    default_detail = "The request tries to change an immutable or read-only attribute."


class InvalidSyntax(ScimError):
    scim_type = "invalidSyntax"
    default_detail = "The request body is not a valid SCIM message."


class InvalidPath(ScimError):
    scim_type = "invalidPath"
    default_detail = "The path attribute is invalid or malformed."


class NoTarget(ScimError):
    scim_type = "noTarget"
    default_detail = "The path does not match any attribute or value."


class InvalidValue(ScimError):
    scim_type = "invalidValue"
    default_detail = "A required value is missing or a value is not compatible."


class InvalidVersion(ScimError):
    scim_type = "invalidVers"
    default_detail = "The specified SCIM protocol version is not supported."


class Sensitive(ScimError):
    scim_type = "sensitive"
    default_detail = "The request cannot be completed because of sensitive information in the URI."


class Unauthorized(ScimError):
    status_code = 401
    default_detail = "Authentication failed: send a valid SCIM API token as a Bearer token."


class Forbidden(ScimError):
    status_code = 403
    default_detail = "This operation is not allowed."


class NotFound(ScimError):
    status_code = 404
    default_detail = "Resource not found."


class HostNotAllowed(ScimError):
    default_detail = "The Host header names a host this server does not serve."


class MethodNotAllowed(ScimError):
    status_code = 405
    default_detail = "This method is not supported on this endpoint."


class PreconditionFailed(ScimError):
    status_code = 412
    default_detail = "The resource has changed (ETag mismatch)."


class PayloadTooLarge(ScimError):
    status_code = 413
    default_detail = "The request body is too large."


class UnsupportedMediaType(ScimError):
    status_code = 415
    default_detail = "Send application/scim+json or application/json."


class TooManyRequests(ScimError):
    status_code = 429
    default_detail = "Too many requests; retry later."


class ServerError(ScimError):
    status_code = 500
    default_detail = "An unexpected error occurred. It has been logged."


class ServiceUnavailable(ScimError):
    status_code = 503
    retry_after = 5
    default_detail = "The service is temporarily unavailable; retry later."
