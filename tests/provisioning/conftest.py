"""SCIM API fixtures: provisioning switched on, its token, and a test client speaking SCIM."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from accounts.services import Actor
from provisioning import services
from provisioning.scim.constants import MEDIA_TYPE, USER_SCHEMA
from tests.provisioning.payloads import ROOT

# RFC 3339 in UTC with milliseconds, as the server writes meta.created and meta.lastModified.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


class ScimApi:
    """Django's test client as an IdP uses the API: a Bearer token and application/scim+json.

    Paths are relative to /api/scim2 unless they start with "/api/" or "/admin/". Extra
    keyword arguments are request headers: ``If_Match='W/"1"'`` sends ``If-Match: W/"1"``.
    """

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.token = token

    def url(self, path: str) -> str:
        return path if path.startswith(("/api/", "/admin/")) else f"{ROOT}{path}"

    def headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token is not None else {}
        return headers | extra

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> HttpResponse:
        return self.client.get(self.url(path), params or {}, headers=self.headers(headers))

    def post(self, path: str, body: Any, **headers: str) -> HttpResponse:
        return self.send("post", path, json.dumps(body), **headers)

    def put(self, path: str, body: Any, **headers: str) -> HttpResponse:
        return self.send("put", path, json.dumps(body), **headers)

    def patch(self, path: str, body: Any, **headers: str) -> HttpResponse:
        return self.send("patch", path, json.dumps(body), **headers)

    def delete(self, path: str, **headers: str) -> HttpResponse:
        return self.client.delete(self.url(path), headers=self.headers(headers))

    def send(
        self,
        method: str,
        path: str,
        data: str | bytes,
        *,
        content_type: str = MEDIA_TYPE,
        **headers: str,
    ) -> HttpResponse:
        """A request with a body given as raw text, in any media type."""
        send = getattr(self.client, method)
        return send(self.url(path), data, content_type=content_type, headers=self.headers(headers))


@pytest.fixture
def scim_token(db, actor: Actor) -> str:
    """SCIM provisioning switched on, and its current API token."""
    services.set_scim_enabled(True, actor=actor)
    return services.rotate_scim_token(actor=actor)


@pytest.fixture
def scim(client: Client, scim_token: str) -> ScimApi:
    return ScimApi(client, scim_token)


@pytest.fixture
def scim_as(client: Client) -> Callable[[str | None], ScimApi]:
    """``scim_as(token)``: a SCIM client presenting ``token`` (None: no Authorization header)."""
    return lambda token: ScimApi(client, token)


def freeze(document: Any) -> Any:
    """``document`` with what differs from run to run replaced by placeholders.

    In every User resource (anything declaring the core User schema): ``id`` becomes "<id>"
    (also inside ``meta.location``), and ``meta.created`` / ``meta.lastModified`` become
    "<timestamp>" once checked to be RFC 3339 UTC timestamps. Whatever else is compared as is.
    """
    if isinstance(document, list):
        return [freeze(item) for item in document]
    if not isinstance(document, dict):
        return document
    frozen = {key: freeze(value) for key, value in document.items()}
    if USER_SCHEMA not in document.get("schemas", []) or "id" not in document:
        return frozen
    scim_id = frozen["id"]
    frozen["id"] = "<id>"
    meta = frozen.get("meta")
    if isinstance(meta, dict):
        for key in ("created", "lastModified"):
            if key in meta:
                assert TIMESTAMP.fullmatch(meta[key]), meta[key]
                meta[key] = "<timestamp>"
        if "location" in meta:
            meta["location"] = meta["location"].replace(scim_id, "<id>")
    return frozen


@pytest.fixture
def frozen() -> Callable[[Any], Any]:
    """``frozen(response.json())``: see ``freeze``."""
    return freeze


def body(response: HttpResponse) -> Any:
    """A response's JSON body, whether written at once or streamed (a group's members)."""
    if getattr(response, "streaming", False):
        return json.loads(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    return json.loads(response.content) if response.content else None
