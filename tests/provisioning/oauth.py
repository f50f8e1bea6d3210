"""Helpers of the OAuth tests: token requests as identity providers send them (RFC 6749 §4.4.2)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlencode

from django.http import HttpResponse
from django.test import Client

from provisioning.services import NewCredentials

TOKEN_URL = "/oauth/token"
FORM = "application/x-www-form-urlencoded"


def basic(client_id: str, secret: str) -> str:
    """HTTP Basic credentials as RFC 6749 §2.3.1 builds them (each part form-encoded first)."""
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def request_token(
    client: Client,
    client_id: str,
    secret: str,
    *,
    how: str = "basic",
    form: dict[str, Any] | None = None,
    secure: bool = True,
    **headers: str,
) -> HttpResponse:
    """POST /oauth/token with the client credentials grant; ``how``: "basic" (HTTP Basic, as
    RFC 6749 prefers) or "form" (client_id and client_secret in the body, as Entra sends)."""
    body = {"grant_type": "client_credentials"}
    if how == "basic":
        headers.setdefault("Authorization", basic(client_id, secret))
    else:
        body |= {"client_id": client_id, "client_secret": secret}
    address = {"REMOTE_ADDR": headers.pop("REMOTE_ADDR")} if "REMOTE_ADDR" in headers else {}
    return client.post(
        TOKEN_URL,
        urlencode(body | (form or {})),
        content_type=FORM,
        secure=secure,
        headers=headers,
        **address,
    )


def access_token(client: Client, credentials: NewCredentials, *, how: str = "form") -> str:
    response = request_token(client, credentials.client.client_id, credentials.secret, how=how)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]
