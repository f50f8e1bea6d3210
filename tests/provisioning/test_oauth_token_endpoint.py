"""POST /oauth/token: the client credentials grant of the SCIM API (RFC 6749 §4.4, §5)."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import AuditEvent, Source
from provisioning import services, tokens
from provisioning.models import EventType, OAuthAccessToken, OAuthClientSecret, ScimSettings
from provisioning.oauth_server import AUTHENTICATION_FAILED
from tests.provisioning.oauth import FORM, TOKEN_URL, basic, request_token
from tests.reliability.test_throttling import start_of_a_window

pytestmark = pytest.mark.django_db

INVALID_CLIENT = {"error": "invalid_client", "error_description": AUTHENTICATION_FAILED}


@pytest.fixture
def entra(db, actor) -> services.NewCredentials:
    """SCIM provisioning switched on, and an OAuth client held by Entra."""
    services.set_scim_enabled(True, actor=actor)
    return services.create_oauth_client("Entra", actor=actor)


def ask(client, credentials, **options):
    return request_token(client, credentials.client.client_id, credentials.secret, **options)


def assert_no_store(response) -> None:
    # RFC 6749 §5.1: a token response, and its errors, are never cached.
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"
    assert response["Content-Type"] == "application/json"


def assert_invalid_client(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic error="invalid_client"')
    assert response.json() == INVALID_CLIENT
    assert_no_store(response)


@pytest.mark.parametrize("how", ["basic", "form"])
def test_issues_a_bearer_token_of_scope_scim_for_an_hour(client, entra, how):
    response = ask(client, entra, how=how)

    assert response.status_code == 200
    body = response.json()
    assert tokens.is_access_token(body.pop("access_token"))
    assert body == {"token_type": "Bearer", "expires_in": 3600, "scope": "scim"}
    assert_no_store(response)


@pytest.mark.parametrize("scope", ["scim", " scim ", ""])
def test_accepts_the_scim_scope_or_none(client, entra, scope):
    response = ask(client, entra, form={"scope": scope})

    assert response.status_code == 200
    assert response.json()["scope"] == "scim"


@pytest.mark.parametrize("scope", ["openid", "scim admin", "SCIM"])
def test_refuses_any_other_scope(client, entra, scope):
    response = ask(client, entra, form={"scope": scope})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert not OAuthAccessToken.objects.exists()


@pytest.mark.parametrize("how", ["basic", "form"])
def test_refuses_a_wrong_secret_with_401_and_the_basic_challenge(client, entra, how):
    wrong = f"scimcs_{entra.secret.split('_')[1]}_wrong"

    assert_invalid_client(request_token(client, entra.client.client_id, wrong, how=how))
    assert not OAuthAccessToken.objects.exists()


@pytest.mark.parametrize("how", ["basic", "form"])
def test_an_unknown_client_gets_the_same_answer_as_a_wrong_secret(client, entra, how):
    assert_invalid_client(request_token(client, "scimclient_0000000000000000", "x", how=how))


@pytest.mark.parametrize(
    "client_id", ["", "x" * 65, "scimclient_\x00"], ids=["empty", "too-long", "nul"]
)
def test_refuses_client_ids_no_client_can_have(client, entra, client_id):
    response = request_token(client, client_id, entra.secret, how="form")

    assert response.status_code in {400, 401}
    assert response.json()["error"] in {"invalid_client", "invalid_request"}


def test_refuses_a_request_without_client_credentials(client, entra):
    response = client.post(
        TOKEN_URL, "grant_type=client_credentials", content_type=FORM, secure=True
    )

    assert_invalid_client(response)


@pytest.mark.parametrize(
    "header",
    ["Basic !!!", "Basic " + "//79", "Basic c2NpbWNsaWVudA==", "Bearer abc", "Basic"],
    ids=["not-base64", "not-utf8", "no-colon", "other-scheme", "scheme-only"],
)
def test_refuses_an_unreadable_authorization_header(client, entra, header):
    response = client.post(
        TOKEN_URL,
        "grant_type=client_credentials",
        content_type=FORM,
        secure=True,
        headers={"Authorization": header},
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token", "x"])
def test_refuses_other_grants(client, entra, grant_type):
    response = ask(client, entra, form={"grant_type": grant_type})

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert_no_store(response)


def test_requires_the_grant_type(client, entra):
    response = client.post(
        TOKEN_URL,
        "",
        content_type=FORM,
        secure=True,
        headers={"Authorization": basic(entra.client.client_id, entra.secret)},
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "The grant_type parameter is required.",
    }


def test_refuses_two_ways_of_authenticating_at_once(client, entra):
    response = ask(
        client,
        entra,
        form={"client_id": entra.client.client_id, "client_secret": entra.secret},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_refuses_a_repeated_parameter(client, entra):
    body = urlencode([("grant_type", "client_credentials"), ("scope", "scim"), ("scope", "x")])

    response = client.post(
        TOKEN_URL,
        body,
        content_type=FORM,
        secure=True,
        headers={"Authorization": basic(entra.client.client_id, entra.secret)},
    )

    assert response.status_code == 400
    assert response.json()["error_description"] == "Repeated parameter: scope."


def test_refuses_credentials_in_the_query_string(client, entra):
    query = urlencode({"client_id": entra.client.client_id, "client_secret": entra.secret})

    response = client.post(
        f"{TOKEN_URL}?{query}", "grant_type=client_credentials", content_type=FORM, secure=True
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_refuses_a_json_body(client, entra):
    response = client.post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        content_type="application/json",
        secure=True,
        headers={"Authorization": basic(entra.client.client_id, entra.secret)},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_answers_get_with_405(client, entra):
    response = client.get(TOKEN_URL, secure=True)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"] == "invalid_request"


def test_requires_https_except_on_the_loopback(client, entra):
    response = ask(client, entra, secure=False)  # http://testserver

    assert response.status_code == 400
    assert response.json()["error"] == "insecure_transport"


def test_issues_nothing_while_provisioning_is_disabled(client, entra, actor):
    services.set_scim_enabled(False, actor=actor)

    response = ask(client, entra)

    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "SCIM provisioning is disabled.",
    }


# Lifetime ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [60, 90, 360])
def test_tokens_live_as_long_as_the_setting_says(client, entra, actor, minutes):
    services.set_oauth_token_lifetime(minutes, actor=actor)

    response = ask(client, entra)

    assert response.json()["expires_in"] == minutes * 60
    row = OAuthAccessToken.objects.get()
    assert row.expires_at - row.issued_at == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("minutes", [0, 59, 361, 1440])
def test_the_lifetime_stays_between_60_and_360_minutes(entra, actor, minutes):
    with pytest.raises(services.OAuthClientError, match="60 to 360 minutes"):
        services.set_oauth_token_lifetime(minutes, actor=actor)

    assert ScimSettings.load().oauth_token_lifetime_minutes == 60


@pytest.mark.parametrize("minutes", [59, 361])
def test_the_database_keeps_the_lifetime_in_range(entra, minutes):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScimSettings.objects.update(oauth_token_lifetime_minutes=minutes)


def test_changing_the_lifetime_is_recorded(entra, actor):
    services.set_oauth_token_lifetime(120, actor=actor)

    event = AuditEvent.objects.filter(event_type=EventType.SCIM_SETTINGS_UPDATED).get()
    assert event.detail == "OAuth access token lifetime 120 minutes"


# Secrets and tokens stored ----------------------------------------------------------------------


def test_secret_and_token_are_stored_only_as_prefix_and_keyed_hash(client, entra):
    token = ask(client, entra).json()["access_token"]

    stored = [
        *OAuthClientSecret.objects.all(),
        *OAuthAccessToken.objects.all(),
        *AuditEvent.objects.all(),
    ]
    for row in stored:
        assert entra.secret.split("_", 2)[2] not in repr(model_to_dict(row))
        assert token.split("_", 2)[2] not in repr(model_to_dict(row))
    assert OAuthClientSecret.objects.get().hash == tokens.hash_token(entra.secret)
    assert OAuthAccessToken.objects.get().hash == tokens.hash_token(token)


def test_issuing_a_token_is_recorded_as_the_clients(client, entra):
    token = ask(client, entra, REMOTE_ADDR="203.0.113.9").json()["access_token"]

    event = AuditEvent.objects.get(event_type=EventType.OAUTH_TOKEN_ISSUED)
    assert (event.actor_label, event.source, event.address, event.target_label) == (
        "scim:oauth Entra",
        Source.SCIM,
        "203.0.113.9",
        "Entra",
    )
    assert tokens.prefix_of(token, tokens.ACCESS_TOKEN_SCHEME) in event.detail


def test_notes_which_secret_was_used(client, entra):
    ask(client, entra)

    assert OAuthClientSecret.objects.get().last_used_at is not None


def test_expired_tokens_are_dropped_as_new_ones_are_issued(client, entra):
    ask(client, entra)
    later = timezone.now() + dt.timedelta(hours=2)

    with mock.patch("django.utils.timezone.now", return_value=later):
        ask(client, entra)

    assert OAuthAccessToken.objects.count() == 1


def test_never_logs_the_token_or_the_secret(client, entra, caplog):
    caplog.set_level(logging.DEBUG)

    token = ask(client, entra).json()["access_token"]

    assert token not in caplog.text
    assert entra.secret not in caplog.text


# Rotation ---------------------------------------------------------------------------------------


def test_a_rotated_secret_stops_at_once_without_grace(client, entra, actor):
    new = services.rotate_oauth_client_secret(entra.client, actor=actor)

    assert_invalid_client(ask(client, entra))
    assert request_token(client, entra.client.client_id, new).status_code == 200


def test_a_rotated_secret_works_during_its_grace_period_only(client, entra, actor):
    new = services.rotate_oauth_client_secret(
        entra.client, actor=actor, grace=dt.timedelta(minutes=15)
    )

    assert ask(client, entra).status_code == 200
    assert request_token(client, entra.client.client_id, new).status_code == 200

    later = timezone.now() + dt.timedelta(minutes=15, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert_invalid_client(ask(client, entra))
        assert request_token(client, entra.client.client_id, new).status_code == 200


def test_several_secrets_are_valid_during_successive_rotations(client, entra, actor):
    grace = dt.timedelta(hours=1)
    second = services.rotate_oauth_client_secret(entra.client, actor=actor, grace=grace)
    third = services.rotate_oauth_client_secret(entra.client, actor=actor, grace=grace)

    for secret in (entra.secret, second, third):
        assert request_token(client, entra.client.client_id, secret).status_code == 200


def test_a_revoked_client_gets_no_token(client, entra, actor):
    services.revoke_oauth_client(entra.client, actor=actor)

    assert_invalid_client(ask(client, entra))


# Guessing ---------------------------------------------------------------------------------------


def test_failed_client_authentications_are_limited_per_address(client, entra, settings):
    settings.SCIM_AUTH_FAILURE_LIMIT = 2
    start_of_a_window(needed_seconds=3)

    statuses = [
        request_token(client, entra.client.client_id, "wrong").status_code for _ in range(3)
    ]

    assert statuses == [401, 401, 429]
    limited = request_token(client, entra.client.client_id, "wrong")
    assert limited.json()["error"] == "invalid_client"
    assert int(limited["Retry-After"]) >= 1
