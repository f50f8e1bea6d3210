"""SCIM API tokens: generated, hashed and verified here, and nowhere else.

A token looks like ``scim_<prefix>_<secret>``: the prefix (8 hex digits) is safe to show and log,
and lets an admin recognise which token an IdP is using; the secret carries 256 bits. Only an
HMAC-SHA256 of the whole token under ``settings.SCIM_TOKEN_PEPPER`` is stored, so a leaked
database alone does not yield a usable token, and rotating ``SECRET_KEY`` leaves tokens alone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

SCHEME = "scim"


@dataclass(frozen=True)
class NewToken:
    token: str
    prefix: str
    hash: str


def hash_token(token: str) -> str:
    key = settings.SCIM_TOKEN_PEPPER.encode()
    return hmac.new(key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def generate_token() -> NewToken:
    prefix = secrets.token_hex(4)
    token = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewToken(token=token, prefix=prefix, hash=hash_token(token))


def prefix_of(token: str) -> str:
    """The displayable prefix of a presented token, or "" if it is not shaped like ours."""
    parts = token.split("_", 2)
    if len(parts) == 3 and parts[0] == SCHEME and len(parts[1]) == 8:
        return parts[1]
    return ""


def matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    if not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)
