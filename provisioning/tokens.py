"""SCIM API tokens: generated, hashed and verified here, and nowhere else.

A token looks like ``scim_<prefix>_<secret>``: the prefix (8 hex digits) is safe to show and log,
and lets an admin recognise which token an IdP is using; the secret carries 256 bits. Only an
HMAC-SHA256 of the whole token under ``settings.SCIM_TOKEN_PEPPER`` is stored, so a leaked
database alone does not yield a usable token, and rotating ``SECRET_KEY`` leaves tokens alone.

OAuth 2.0 client credentials (RFC 6749 §4.4) are made the same way under schemes of their own:
a client secret is ``scimcs_<prefix>_<secret>`` and an access token ``scimat_<prefix>_<secret>``,
so a value says what it is, and one kind is never taken for another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

SCHEME = "scim"  # the static API token
ACCESS_TOKEN_SCHEME = "scimat"  # an OAuth access token, presented as a Bearer token
CLIENT_SECRET_SCHEME = "scimcs"  # an OAuth client's secret, presented to the token endpoint


@dataclass(frozen=True)
class NewToken:
    token: str
    prefix: str
    hash: str


def hash_token(token: str) -> str:
    key = settings.SCIM_TOKEN_PEPPER.encode()
    return hmac.new(key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def generate_token(scheme: str = SCHEME) -> NewToken:
    prefix = secrets.token_hex(4)
    token = f"{scheme}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewToken(token=token, prefix=prefix, hash=hash_token(token))


def prefix_of(token: str, scheme: str = SCHEME) -> str:
    """The displayable prefix of a presented token, or "" if it is not shaped like ours (of
    ``scheme``: the static API token's unless told)."""
    parts = token.split("_", 2)
    if len(parts) == 3 and parts[0] == scheme and len(parts[1]) == 8:
        return parts[1]
    return ""


def is_access_token(token: str) -> bool:
    """Whether ``token`` is shaped like an OAuth access token (not whether it is valid)."""
    return bool(prefix_of(token, ACCESS_TOKEN_SCHEME))


def shown_prefix(token: str) -> str:
    """The prefix of a static API token or of an OAuth access token, or "" (for the log)."""
    return prefix_of(token) or prefix_of(token, ACCESS_TOKEN_SCHEME)


def presented_token(authorization: str) -> str | None:
    """The token an ``Authorization`` header value presents, or None if it presents none.

    ``Bearer <token>`` (RFC 6750 §2.1; the scheme in any case), or the bare token: Okta's
    "HTTP Header" authentication mode sends the field as typed, so an admin who pastes the
    token without "Bearer" sends ``Authorization: <token>``. Only a value shaped like one of
    our tokens (the API token, or an OAuth access token) is read as a bare one: another scheme
    (``Basic ...``) presents no token. A token is ASCII (RFC 7235 token68). The one place the
    header is read: authentication, the request log and the rate limits name the same client
    from it.
    """
    value = authorization.strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        token = rest.strip()
    elif shown_prefix(value) and not any(char.isspace() for char in value):
        token = value
    else:
        return None
    return token if token and token.isascii() else None


def new_client_id() -> str:
    """An OAuth client's identifier (RFC 6749 §2.2): public, unique, safe in HTTP Basic."""
    return f"scimclient_{secrets.token_hex(8)}"


def matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    if not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)
