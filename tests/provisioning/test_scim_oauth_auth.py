"""The SCIM API with OAuth access tokens (RFC 6750 §2.1) beside the static API token: Entra- and
Okta-shaped calls, expiry, revocation, rotation with grace, and how the client is named."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, EventType, Outcome, User
from provisioning import services, tokens
from provisioning.api import throttling
from provisioning.models import OAuthClient
from tests.provisioning.oauth import access_token, request_token
from tests.provisioning.payloads import (
    CHALLENGE,
    UNAUTHORIZED,
    entra_create_user,
    entra_op,
    entra_patch,
    list_response,
    okta_create_user,
    okta_deactivate_patch,
    patch_op,
)
from tests.reliability.test_throttling import start_of_a_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def entra(db, actor) -> services.NewCredentials:
    """SCIM provisioning switched on, and an OAuth client held by Entra."""
    services.set_scim_enabled(True, actor=actor)
    return services.create_oauth_client("Entra", actor=actor)


@pytest.fixture
def entra_token(client, entra) -> str:
    return access_token(client, entra)


def assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response.json() == UNAUTHORIZED


def at(moment: dt.datetime):
    """Time travel: the server's clock reads ``moment``."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


# Microsoft Entra ID with OAuth client credentials --------------------------------------------


def test_entra_provisions_a_user_with_an_access_token(scim_as, entra_token):
    entra = scim_as(entra_token)

    found = entra.get("/Users", {"filter": 'userName eq "dave@contoso.com"'})
    created = entra.post(
        "/Users", entra_create_user("dave@contoso.com", "Dave", "Smith", "dave@contoso.com")
    )
    dave = User.objects.get(username="dave@contoso.com")
    deactivated = entra.patch(
        f"/Users/{dave.scim_id}", entra_patch(entra_op("Replace", "active", "False"))
    )

    assert found.json() == list_response([])
    assert (created.status_code, deactivated.status_code) == (201, 200)
    dave.refresh_from_db()
    assert not dave.is_active


def test_entra_writes_are_recorded_as_the_clients(scim_as, entra_token):
    scim_as(entra_token).post(
        "/Users", entra_create_user("dave@contoso.com", "Dave", "Smith", "dave@contoso.com")
    )

    event = AuditEvent.objects.get(event_type=EventType.USER_CREATED)
    assert event.actor_label == "scim:oauth Entra"


def test_a_refused_write_is_recorded_as_the_clients(scim_as, entra_token, alice):
    remove_timezone = patch_op({"op": "remove", "path": "timezone"})

    response = scim_as(entra_token).patch(f"/Users/{alice.scim_id}", remove_timezone)

    assert response.status_code == 400
    [event] = AuditEvent.objects.filter(event_type__startswith="user.")
    assert (event.outcome, event.actor_label) == (Outcome.REFUSED, "scim:oauth Entra")


def test_authenticated_client_is_named_by_the_oauth_client(entra_token, entra):
    client = services.authenticate_access_token(entra_token)

    assert client is not None
    assert (client.client_name, client.client_id) == ("Entra", entra.client.client_id)
    assert client.actor.label == "scim:oauth Entra"
    assert client.rate_key == f"oauth:{entra.client.client_id}"


def test_records_the_clients_last_use(scim_as, entra_token):
    assert OAuthClient.objects.get().last_used_at is None

    scim_as(entra_token).get("/Users")

    assert timezone.now() - OAuthClient.objects.get().last_used_at < dt.timedelta(minutes=1)


# Okta-shaped calls: the static token (Bearer and Header modes) and an access token -----------


@pytest.fixture
def okta_tokens(client, scim_token, entra) -> dict[str, str]:
    """Authorization header values, by how Okta would send them."""
    oauth = access_token(client, entra, how="basic")
    return {
        "static-bearer": f"Bearer {scim_token}",
        "static-bare": scim_token,
        "oauth-bearer": f"Bearer {oauth}",
        "oauth-bare": oauth,
    }


@pytest.mark.parametrize("kind", ["static-bearer", "static-bare", "oauth-bearer", "oauth-bare"])
def test_okta_provisions_a_user_with_each_kind_of_token(scim_as, okta_tokens, kind):
    okta = scim_as(None)
    auth = okta_tokens[kind]

    found = okta.get("/Users", {"filter": 'userName eq "eve"'}, Authorization=auth)
    created = okta.post(
        "/Users", okta_create_user("eve", "Eve", "Evans", "eve@example.com"), Authorization=auth
    )
    eve = User.objects.get(username="eve")
    deactivated = okta.patch(f"/Users/{eve.scim_id}", okta_deactivate_patch(), Authorization=auth)

    assert found.json() == list_response([])
    assert (created.status_code, deactivated.status_code) == (201, 200)
    eve.refresh_from_db()
    assert not eve.is_active


# Refusals --------------------------------------------------------------------------------------


def test_an_expired_access_token_is_refused(scim_as, entra_token):
    okta = scim_as(entra_token)

    with at(timezone.now() + dt.timedelta(minutes=59)):
        assert okta.get("/Users").status_code == 200
    with at(timezone.now() + dt.timedelta(minutes=60, seconds=1)):
        assert_unauthorized(okta.get("/Users"))


def test_a_longer_lifetime_keeps_tokens_longer(client, scim_as, entra, actor):
    services.set_oauth_token_lifetime(360, actor=actor)
    api = scim_as(access_token(client, entra))

    with at(timezone.now() + dt.timedelta(hours=5, minutes=59)):
        assert api.get("/Users").status_code == 200
    with at(timezone.now() + dt.timedelta(hours=6, seconds=1)):
        assert_unauthorized(api.get("/Users"))


def test_revoking_the_client_ends_its_tokens_at_once(scim_as, entra_token, entra, actor):
    api = scim_as(entra_token)
    assert api.get("/Users").status_code == 200

    services.revoke_oauth_client(entra.client, actor=actor)

    assert_unauthorized(api.get("/Users"))
    assert_unauthorized(api.post("/Users", okta_create_user("eve", "Eve", "E", "e@example.com")))
    assert not User.objects.filter(username="eve").exists()


def test_tokens_stop_while_provisioning_is_disabled(scim_as, entra_token, actor):
    services.set_scim_enabled(False, actor=actor)

    assert_unauthorized(scim_as(entra_token).get("/Users"))


def test_rotation_with_grace_old_secret_gets_tokens_until_the_grace_ends(
    client, scim_as, entra, actor
):
    new_secret = services.rotate_oauth_client_secret(
        entra.client, actor=actor, grace=dt.timedelta(minutes=15)
    )
    client_id = entra.client.client_id

    old_token = access_token(client, entra)
    assert scim_as(old_token).get("/Users").status_code == 200

    with at(timezone.now() + dt.timedelta(minutes=16)):
        assert request_token(client, client_id, entra.secret).status_code == 401
        fresh = request_token(client, client_id, new_secret).json()["access_token"]
        assert scim_as(fresh).get("/Users").status_code == 200
        # A token issued with the old secret lives on until it expires.
        assert scim_as(old_token).get("/Users").status_code == 200


@pytest.mark.parametrize(
    "token",
    ["scimat_00000000_wrong", "scimat_{prefix}_wrong", "{token}x", "scimcs_{prefix}_x"],
    ids=["other-prefix", "right-prefix", "longer", "a-secret-shape"],
)
def test_refuses_a_wrong_access_token(scim_as, entra_token, token):
    prefix = tokens.prefix_of(entra_token, tokens.ACCESS_TOKEN_SCHEME)

    assert_unauthorized(scim_as(token.format(prefix=prefix, token=entra_token)).get("/Users"))


def test_the_client_secret_is_not_an_access_token(scim_as, entra):
    assert_unauthorized(scim_as(entra.secret).get("/Users"))


def test_an_access_token_does_not_open_the_back_office(client, entra_token):
    response = client.get("/admin/", headers={"Authorization": f"Bearer {entra_token}"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Naming the client: request log and rate limits ------------------------------------------------


def test_request_log_names_the_oauth_client_never_the_token(client, entra_token, caplog):
    caplog.set_level(logging.INFO, logger="lms.requests")

    client.get("/api/scim2/Users", headers={"Authorization": f"Bearer {entra_token}"})

    [line] = [r.getMessage() for r in caplog.records if r.name == "lms.requests"]
    prefix = tokens.prefix_of(entra_token, tokens.ACCESS_TOKEN_SCHEME)
    assert f"token_prefix={prefix} oauth_client=Entra" in line
    assert entra_token.split("_", 2)[2] not in caplog.text


def test_request_log_names_no_client_for_a_refused_token(client, entra_token, caplog, actor):
    services.set_scim_enabled(False, actor=actor)
    caplog.set_level(logging.INFO, logger="lms.requests")

    client.get("/api/scim2/Users", headers={"Authorization": f"Bearer {entra_token}"})

    [line] = [r.getMessage() for r in caplog.records if r.name == "lms.requests"]
    assert "status=401" in line
    assert "oauth_client" not in line


def test_rate_limit_counts_all_tokens_of_a_client_together(client, entra, settings):
    settings.SCIM_RATE_LIMIT = 4
    start_of_a_window(needed_seconds=3)
    throttling.token_limiter.counters.clear()
    first, second = access_token(client, entra), access_token(client, entra)

    statuses = [
        client.get("/api/scim2/Users", headers={"Authorization": f"Bearer {token}"}).status_code
        for token in [first, second] * 3
    ]

    assert statuses == [200] * 4 + [429] * 2


def test_rate_limit_counts_the_static_token_apart(client, entra, scim_token, settings):
    settings.SCIM_RATE_LIMIT = 2
    start_of_a_window(needed_seconds=3)
    throttling.token_limiter.counters.clear()
    oauth = access_token(client, entra)

    statuses = [
        client.get("/api/scim2/Users", headers={"Authorization": f"Bearer {token}"}).status_code
        for token in [oauth, oauth, scim_token, scim_token]
    ]

    assert statuses == [200] * 4
