"""One structured line per request; the token never appears, its prefix does."""

from __future__ import annotations

import json
import logging

import pytest

from provisioning import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(db) -> str:
    actor = services.Actor.system("tests")
    services.set_scim_enabled(True, actor=actor)
    return services.rotate_scim_token(actor=actor)


def test_logs_method_path_status_duration_request_id_and_token_prefix(client, token, caplog):
    caplog.set_level(logging.INFO, logger="lms.requests")

    response = client.get(
        "/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_REQUEST_ID="okta-req-123"
    )

    [line] = [r.getMessage() for r in caplog.records if r.name == "lms.requests"]
    prefix = token.split("_")[1]
    assert line.startswith("method=GET path=/api/scim2/Users status=200 duration_ms=")
    assert f"request_id=okta-req-123 token_prefix={prefix}" in line
    assert token not in line
    assert response["X-Request-ID"] == "okta-req-123"


def test_a_path_with_a_newline_or_a_space_stays_one_line(client, caplog):
    caplog.set_level(logging.INFO, logger="lms.requests")

    client.get("/api/scim2/Users/x%0Amethod=GET path=/forged%20y")

    [line] = [r.getMessage() for r in caplog.records if r.name == "lms.requests"]
    assert "\n" not in line
    assert line.startswith('method=GET path="/api/scim2/Users/x\\nmethod=GET path=/forged y" ')


def test_json_lines_on_request(client, settings, caplog):
    settings.LOG_FORMAT = "json"
    caplog.set_level(logging.INFO, logger="lms.requests")

    client.get("/healthz")

    [line] = [r.getMessage() for r in caplog.records if r.name == "lms.requests"]
    fields = json.loads(line)
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/healthz", 200)
    assert len(fields["request_id"]) == 32


@pytest.mark.parametrize("given", ["a\r\nSet-Cookie: x=1", "x" * 65, "ünïcode", ""])
def test_unsafe_request_ids_are_replaced(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_a_wrong_token_is_logged_as_unrecognised_never_verbatim(client, caplog):
    caplog.set_level(logging.INFO)

    client.get("/api/scim2/Users", HTTP_AUTHORIZATION="Bearer guess-1234567890")

    assert "guess-1234567890" not in caplog.text
    assert "token_prefix=unrecognised" in caplog.text
