"""Tokens and passwords never appear in a response, a log line or the provisioning log."""

from __future__ import annotations

import logging

import pytest

from accounts.models import AuditEvent
from provisioning.scim.constants import PATCH_OP, USER_SCHEMA

pytestmark = pytest.mark.django_db
PASSWORDS = ["First-secret-passphrase-1", "Second-secret-passphrase-2", "Zq9-x"]


def test_no_secret_escapes_anywhere(scim, scim_token, caplog):
    caplog.set_level(logging.DEBUG)
    bodies: list[bytes] = []

    def keep(response):
        bodies.append(response.content)
        return response

    created = keep(
        scim.post(
            "/Users",
            {"schemas": [USER_SCHEMA], "userName": "sec@example.com", "password": PASSWORDS[0]},
        )
    ).json()
    path = f"/Users/{created['id']}"
    for password in PASSWORDS[1:]:  # accepted, then refused as too short
        keep(
            scim.patch(
                path,
                {
                    "schemas": [PATCH_OP],
                    "Operations": [{"op": "replace", "value": {"password": password}}],
                },
            )
        )
    keep(scim.put(path, {"userName": "sec@example.com", "password": PASSWORDS[1]}))
    keep(scim.get(path))
    keep(scim.get("/Users", {"filter": 'userName eq "sec@example.com"'}))
    keep(scim.send("post", "/Users", f'{{"password": "{PASSWORDS[0]}", '))  # broken JSON

    events = " ".join(
        f"{e.actor_label} {e.target_label} {e.changed} {e.detail}" for e in AuditEvent.objects.all()
    )
    everything = [caplog.text, events, *(body.decode() for body in bodies)]
    for secret in [scim_token, *PASSWORDS]:
        assert not any(secret in text for text in everything), secret
    assert "password" in events  # the attribute's name is logged, its value never
