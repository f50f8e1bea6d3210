"""Bearer-token authentication of the SCIM API (RFC 7644 §2, RFC 6750), and its token's life."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import AuditEvent, Outcome, User
from provisioning import services, tokens
from provisioning.api import throttling
from provisioning.models import ScimSettings
from tests.factories import UserFactory
from tests.provisioning.payloads import (
    CHALLENGE,
    UNAUTHORIZED,
    okta_create_user,
    okta_deactivate_patch,
    patch_op,
)
from tests.reliability.test_throttling import start_of_a_window

pytestmark = pytest.mark.django_db


def assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response.json() == UNAUTHORIZED


def test_accepts_the_current_token(scim):
    assert scim.get("/Users").status_code == 200


def test_auth_scheme_is_case_insensitive(client, scim_token):
    response = client.get("/api/scim2/Users", headers={"Authorization": f"bearer {scim_token}"})

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/Users", "/Users/00000000-0000-0000-0000-000000000001"])
def test_refuses_request_without_token(scim_as, scim_token, path):
    assert_unauthorized(scim_as(None).get(path))


def test_refuses_create_without_token_and_creates_nothing(scim_as, scim_token):
    response = scim_as(None).post(
        "/Users", okta_create_user("eve", "Eve", "Evans", "eve@example.com")
    )

    assert_unauthorized(response)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["scim_00000000_wrong", "wrong", "scim_{prefix}_wrong"],
    ids=["other-prefix", "not-ours", "right-prefix"],
)
def test_refuses_wrong_token(scim_as, scim_token, token):
    token = token.format(prefix=tokens.prefix_of(scim_token))

    assert_unauthorized(scim_as(token).get("/Users"))


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "Token {token}", "Bearer tökén"],
    ids=["basic", "scheme-only", "blank-token", "other-scheme", "not-ascii"],
)
def test_refuses_malformed_authorization_header(client, scim_token, header):
    header = header.format(token=scim_token)

    response = client.get("/api/scim2/Users", headers={"Authorization": header})

    assert_unauthorized(response)


def test_refuses_valid_token_while_provisioning_is_disabled(scim, actor):
    services.set_scim_enabled(False, actor=actor)

    assert_unauthorized(scim.get("/Users"))


def test_refuses_old_token_after_rotation(scim_as, scim_token, actor):
    new_token = services.rotate_scim_token(actor=actor)

    assert_unauthorized(scim_as(scim_token).get("/Users"))
    assert scim_as(new_token).get("/Users").status_code == 200


def test_old_token_works_during_grace_period_only(scim_as, scim_token, actor):
    new_token = services.rotate_scim_token(actor=actor, grace=dt.timedelta(minutes=5))
    old, new = scim_as(scim_token), scim_as(new_token)

    assert old.get("/Users").status_code == 200
    assert new.get("/Users").status_code == 200

    # Five minutes later.
    ScimSettings.objects.update(previous_valid_until=timezone.now() - dt.timedelta(seconds=1))

    assert_unauthorized(old.get("/Users"))
    assert new.get("/Users").status_code == 200


def test_grace_period_ends_at_the_next_rotation(scim_as, scim_token, actor):
    services.rotate_scim_token(actor=actor, grace=dt.timedelta(minutes=5))
    services.rotate_scim_token(actor=actor)

    assert_unauthorized(scim_as(scim_token).get("/Users"))


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/"])
def test_scim_token_does_not_open_the_back_office(client, scim_token, path):
    response = client.get(path, headers={"Authorization": f"Bearer {scim_token}"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_back_office_session_does_not_open_the_scim_api(client, scim_token):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)

    assert_unauthorized(client.get("/api/scim2/Users"))


def test_token_is_stored_only_as_prefix_and_keyed_hash(scim_token):
    row = ScimSettings.objects.get()

    assert scim_token not in repr(model_to_dict(row))
    secret = scim_token.split("_", 2)[2]
    assert secret not in repr(model_to_dict(row))
    assert row.token_prefix == tokens.prefix_of(scim_token)
    assert row.token_hash == tokens.hash_token(scim_token)
    for event in AuditEvent.objects.all():
        assert secret not in repr(model_to_dict(event))


def test_each_rotation_issues_a_distinct_well_formed_token(scim_token, actor):
    new_token = services.rotate_scim_token(actor=actor)

    assert new_token != scim_token
    assert tokens.prefix_of(new_token) == ScimSettings.objects.get().token_prefix
    assert len(new_token.split("_", 2)[2]) >= 43  # 256 bits, URL-safe base64


def test_records_last_use(scim):
    assert ScimSettings.objects.get().last_used_at is None

    scim.get("/Users")

    last_used = ScimSettings.objects.get().last_used_at
    assert last_used is not None
    assert timezone.now() - last_used < dt.timedelta(minutes=1)


def test_writes_last_use_at_most_once_a_minute(scim):
    recent = timezone.now() - dt.timedelta(seconds=30)
    ScimSettings.objects.update(last_used_at=recent)

    scim.get("/Users")
    assert ScimSettings.objects.get().last_used_at == recent

    stale = timezone.now() - dt.timedelta(minutes=2)
    ScimSettings.objects.update(last_used_at=stale)

    scim.get("/Users")
    assert ScimSettings.objects.get().last_used_at > stale


def test_client_is_named_by_token_prefix(scim_token):
    client = services.authenticate_scim_token(scim_token)

    assert asdict(client) == {"token_prefix": tokens.prefix_of(scim_token), "custom_fields": False}
    assert client.actor.label == f"scim:token {tokens.prefix_of(scim_token)}"


# Okta's "HTTP Header" authentication mode sends the Authorization field as typed: an admin who
# pastes the token without "Bearer" sends it bare.


def test_accepts_the_bare_token_on_a_read(scim_as, scim_token):
    response = scim_as(None).get("/Users", Authorization=scim_token)

    assert response.status_code == 200


def test_accepts_the_bare_token_on_a_write(scim_as, scim_token, alice):
    okta = scim_as(None)

    response = okta.patch(
        f"/Users/{alice.scim_id}", okta_deactivate_patch(), Authorization=scim_token
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.is_active


@pytest.mark.parametrize(
    "header",
    ["bearer {token}", "BEARER {token}", "  Bearer {token}  ", "  {token}  "],
    ids=["lower", "upper", "bearer-padded", "bare-padded"],
)
def test_accepts_the_token_in_any_case_and_padded(client, scim_token, header):
    header = header.format(token=scim_token)

    response = client.get("/api/scim2/Users", headers={"Authorization": header})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "token",
    ["scim_00000000_wrong", "scim_{prefix}_wrong", "{token}x"],
    ids=["other-prefix", "right-prefix", "longer"],
)
def test_refuses_a_wrong_bare_token(client, scim_token, token):
    token = token.format(prefix=tokens.prefix_of(scim_token), token=scim_token)

    assert_unauthorized(client.get("/api/scim2/Users", headers={"Authorization": token}))


@pytest.mark.parametrize(
    "header",
    ["Basic xyz", "Token xyz", "xyz", "{token} {token}", "Basic {token}"],
    ids=["basic", "other-scheme", "not-ours", "two-tokens", "basic-with-our-token"],
)
def test_a_bare_value_must_look_like_one_of_our_tokens(client, scim_token, header):
    header = header.format(token=scim_token)

    assert_unauthorized(client.get("/api/scim2/Users", headers={"Authorization": header}))


def test_request_log_names_the_prefix_of_a_bare_token(client, scim_token, caplog):
    caplog.set_level(logging.INFO, logger="lms.requests")

    client.get("/api/scim2/Users", headers={"Authorization": scim_token})

    [line] = [r.getMessage() for r in caplog.records if r.name == "lms.requests"]
    assert f"token_prefix={tokens.prefix_of(scim_token)}" in line
    assert scim_token.split("_", 2)[2] not in caplog.text


def test_a_refused_write_with_a_bare_token_is_recorded_as_the_tokens(scim_as, scim_token, alice):
    remove_timezone = patch_op({"op": "remove", "path": "timezone"})

    response = scim_as(None).patch(
        f"/Users/{alice.scim_id}", remove_timezone, Authorization=scim_token
    )

    assert response.status_code == 400
    [event] = AuditEvent.objects.filter(event_type__startswith="user.")
    assert (event.outcome, event.actor_label) == (
        Outcome.REFUSED,
        f"scim:token {tokens.prefix_of(scim_token)}",
    )


def test_rate_limit_counts_bare_and_bearer_presentations_together(client, scim_token, settings):
    settings.SCIM_RATE_LIMIT = 4
    start_of_a_window(needed_seconds=3)
    throttling.token_limiter.counters.clear()

    statuses = [
        client.get("/api/scim2/Users", headers={"Authorization": header}).status_code
        for header in [scim_token, f"Bearer {scim_token}"] * 3
    ]

    assert statuses == [200] * 4 + [429] * 2
