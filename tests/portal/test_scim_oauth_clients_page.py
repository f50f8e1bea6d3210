"""Account & Settings → SCIM provisioning → OAuth clients: create (the secret shown once),
list, rotate with grace, revoke with confirmation, the token lifetime; admins only."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from provisioning import services
from provisioning.models import EventType, OAuthClient, ScimSettings
from provisioning.oauth_views import oauth_clients_section
from tests.provisioning.oauth import access_token, request_token

pytestmark = pytest.mark.django_db

PAGE = "/settings/scim/clients/"


@pytest.fixture(autouse=True)
def enabled(db, actor) -> None:
    services.set_scim_enabled(True, actor=actor)


@pytest.fixture
def entra(actor) -> services.NewCredentials:
    return services.create_oauth_client("Entra", actor=actor)


def create(admin_client, name: str = "Entra"):
    """Create from the page, following its redirect to the page that shows the secret."""
    return admin_client.post(f"{PAGE}new/", {"oauth-name": name}, follow=True)


def test_lists_clients_with_created_and_last_used(admin_client, client, entra):
    access = access_token(client, entra)
    client.get("/api/scim2/Users", headers={"Authorization": f"Bearer {access}"})

    page = admin_client.get(PAGE).content.decode()

    assert "Entra" in page
    assert entra.client.client_id in page
    used = OAuthClient.objects.get().last_used_at
    assert f"{timezone.localtime(used):%Y-%m-%d %H:%M}" in page
    assert entra.secret not in page


def test_shows_what_to_enter_in_entra(admin_client):
    response = admin_client.get(PAGE)

    assert response.context["oauth_token_endpoint"] == "http://testserver/oauth/token"
    assert response.context["oauth_tenant_url"] == "http://testserver/api/scim2"
    assert "Token Endpoint" in response.content.decode()


def test_creating_shows_the_secret_once_and_a_reload_mints_nothing(admin_client, client):
    response = create(admin_client)

    shown = response.context["oauth_new_secret"]
    assert response.redirect_chain == [(f"{PAGE}#oauth-clients", 302)]
    assert shown["secret"].encode() in response.content
    assert request_token(client, shown["client_id"], shown["secret"]).status_code == 200

    reloaded = admin_client.get(PAGE)

    assert shown["secret"].encode() not in reloaded.content
    assert reloaded.context["oauth_new_secret"] is None
    assert OAuthClient.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.OAUTH_CLIENT_CREATED).count() == 1


def test_the_page_showing_a_secret_is_not_cached(admin_client):
    response = create(admin_client)

    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required."), ("Entra", "already named")],
    ids=["blank", "taken"],
)
def test_refuses_a_blank_or_taken_name(admin_client, entra, name, message):
    response = create(admin_client, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert OAuthClient.objects.count() == 1


def test_rotating_with_grace_shows_the_new_secret_and_keeps_the_old(admin_client, client, entra):
    pk, client_id = entra.client.pk, entra.client.client_id

    response = admin_client.post(f"{PAGE}{pk}/rotate/", {"grace_minutes": 60}, follow=True)

    shown = response.context["oauth_new_secret"]
    assert shown["grace_minutes"] == 60
    assert "keeps working for 60 minutes" in response.content.decode()
    assert request_token(client, client_id, entra.secret).status_code == 200
    assert request_token(client, client_id, shown["secret"]).status_code == 200
    later = timezone.now() + dt.timedelta(minutes=61)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert request_token(client, client_id, entra.secret).status_code == 401


def test_rotating_without_grace_stops_the_old_secret(admin_client, client, entra):
    admin_client.post(f"{PAGE}{entra.client.pk}/rotate/", {"grace_minutes": 0})

    assert request_token(client, entra.client.client_id, entra.secret).status_code == 401


def scim_status(client, token: str) -> int:
    return client.get("/api/scim2/Users", headers={"Authorization": f"Bearer {token}"}).status_code


def test_revoking_asks_first_then_ends_the_tokens(admin_client, client, entra):
    token = access_token(client, entra)
    revoke = f"{PAGE}{entra.client.pk}/revoke/"

    confirm = admin_client.get(revoke)

    assert confirm.status_code == 200
    assert "its 1 unexpired access token stops working at once" in confirm.content.decode()
    assert scim_status(client, token) == 200

    response = admin_client.post(revoke, follow=True)

    assert "OAuth client Entra revoked; 1 access token(s) stopped working." in (
        response.content.decode()
    )
    assert scim_status(client, token) == 401
    assert not OAuthClient.objects.exists()


def test_an_unknown_client_is_404(admin_client):
    assert admin_client.get(f"{PAGE}999/revoke/").status_code == 404
    assert admin_client.post(f"{PAGE}999/rotate/", {"grace_minutes": 0}).status_code == 404


@pytest.mark.parametrize("action", ["new/", "lifetime/", "{pk}/rotate/"])
def test_a_typed_in_address_of_a_form_goes_back_to_the_page(admin_client, entra, action):
    response = admin_client.get(PAGE + action.format(pk=entra.client.pk))

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#oauth-clients"
    assert OAuthClient.objects.count() == 1


def test_saves_the_token_lifetime(admin_client, client, entra):
    admin_client.post(f"{PAGE}lifetime/", {"oauth-lifetime_minutes": 120})

    assert ScimSettings.load().oauth_token_lifetime_minutes == 120
    response = request_token(client, entra.client.client_id, entra.secret)
    assert response.json()["expires_in"] == 7200


@pytest.mark.parametrize("minutes", ["59", "361", "soon"])
def test_refuses_a_lifetime_out_of_range(admin_client, minutes):
    response = admin_client.post(f"{PAGE}lifetime/", {"oauth-lifetime_minutes": minutes})

    assert response.status_code == 400
    assert ScimSettings.load().oauth_token_lifetime_minutes == 60


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("post", "new/"),
        ("post", "lifetime/"),
        ("post", "{pk}/rotate/"),
        ("get", "{pk}/revoke/"),
        ("post", "{pk}/revoke/"),
    ],
)
def test_learners_are_refused(learner_client, entra, method, path):
    url = PAGE + path.format(pk=entra.client.pk)
    data = {"oauth-name": "Mine", "oauth-lifetime_minutes": 90, "grace_minutes": 0}

    response = getattr(learner_client, method)(url, data)

    assert response.status_code == 403
    assert list(OAuthClient.objects.values_list("name", flat=True)) == ["Entra"]
    assert ScimSettings.load().oauth_token_lifetime_minutes == 60


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_section_context_keys_all_start_with_oauth(rf, admin_client, portal_admin):
    request = rf.get(PAGE)
    request.session = {}
    request.user = portal_admin

    assert all(key.startswith("oauth_") for key in oauth_clients_section(request))
