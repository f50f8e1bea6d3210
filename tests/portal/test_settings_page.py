"""Account & Settings: locale, user defaults, SCIM provisioning and its token."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import AccountSettings, AuditEvent, UserType
from provisioning.models import EventType, ScimSettings
from tests.factories import user_type

pytestmark = pytest.mark.django_db


def test_saves_locale(admin_client):
    response = admin_client.post(
        "/settings/locale/", {"default_time_zone": "Asia/Tokyo", "default_language": "fr"}
    )

    assert response.status_code == 302
    account = AccountSettings.load()
    assert (account.default_time_zone, account.default_language) == ("Asia/Tokyo", "fr")


def test_refuses_an_unknown_time_zone(admin_client):
    response = admin_client.post(
        "/settings/locale/", {"default_time_zone": "Nowhere/Land", "default_language": "en"}
    )

    assert response.status_code == 400
    assert b"not an IANA time zone" in response.content
    assert AccountSettings.load().default_time_zone == "UTC"


def test_saves_default_user_type(admin_client):
    trainer = user_type(UserType.TRAINER)

    admin_client.post("/settings/user-defaults/", {"default_user_type": trainer.pk})

    assert AccountSettings.load().default_user_type == trainer


def test_shows_sso_as_not_configured(admin_client):
    response = admin_client.get("/settings/sso/")

    assert b"SSO is not configured" in response.content


def test_shows_the_scim_base_url(admin_client):
    assert b"http://testserver/api/scim2" in admin_client.get("/settings/scim/").content


def test_base_url_follows_the_public_url(admin_client, settings):
    settings.PUBLIC_URL = "https://lms.example.com"

    assert b"https://lms.example.com/api/scim2" in admin_client.get("/settings/scim/").content


def test_enables_and_disables_scim_and_logs_it(admin_client):
    admin_client.post("/settings/scim/", {"enabled": "on"})
    assert ScimSettings.load().enabled

    admin_client.post("/settings/scim/", {})
    assert not ScimSettings.load().enabled

    types = list(AuditEvent.objects.values_list("event_type", flat=True))
    assert types == [EventType.SCIM_DISABLED, EventType.SCIM_ENABLED]


def test_rotating_shows_the_token_once_and_the_old_one_stops(admin_client, client):
    admin_client.post("/settings/scim/", {"enabled": "on"})
    first = rotate(admin_client, 0).context["new_token"]
    second = rotate(admin_client, 0).context["new_token"]

    assert first != second
    assert second.encode() not in admin_client.get("/settings/scim/").content
    assert client.get("/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200
    assert client.get("/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 401


def test_rotation_with_grace_keeps_the_old_token_for_a_while(admin_client, client):
    admin_client.post("/settings/scim/", {"enabled": "on"})
    old = rotate(admin_client, 0).context["new_token"]
    response = rotate(admin_client, 60)

    assert b"keeps working for 60 minutes" in response.content
    assert client.get("/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 200
    ScimSettings.objects.update(previous_valid_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert client.get("/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 401


def test_token_page_is_not_cached(admin_client):
    response = rotate(admin_client, 0)

    assert "no-store" in response["Cache-Control"]


def rotate(admin_client, grace_minutes: int):
    """Rotate from the page, following its redirect to the page that shows the token."""
    return admin_client.post("/settings/scim/token/", {"grace_minutes": grace_minutes}, follow=True)


def test_a_reload_after_generating_rotates_nothing_and_shows_nothing(admin_client, client):
    admin_client.post("/settings/scim/", {"enabled": "on"})
    response = rotate(admin_client, 0)
    token = response.context["new_token"]
    assert response.redirect_chain == [("/settings/scim/", 302)]

    reloaded = admin_client.get("/settings/scim/")

    assert token.encode() not in reloaded.content
    assert AuditEvent.objects.filter(event_type="scim.token_rotated").count() == 1
    assert client.get("/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


@pytest.mark.parametrize(
    ("address", "section"),
    [
        ("/settings/scim/token/", "/settings/scim/"),
        ("/settings/scim/custom-fields/", "/settings/scim/"),
        ("/settings/locale/", "/settings/"),
        ("/settings/user-defaults/", "/settings/users/"),
    ],
)
def test_typing_a_form_address_leads_to_its_section(admin_client, address, section):
    response = admin_client.get(address)

    assert (response.status_code, response["Location"]) == (302, section)


def test_each_token_shows_its_own_last_use_during_the_grace_period(admin_client, client):
    admin_client.post("/settings/scim/", {"enabled": "on"})
    old = rotate(admin_client, 0).context["new_token"]
    client.get("/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {old}")

    page = rotate(admin_client, 60).content.decode()

    current, previous = page.split("Previous token", 1)
    assert "Last used: never." in current  # the new token: the IdP has not switched yet
    assert "works until" in previous
    assert "Last used: never." not in previous  # the old one was used a moment ago


# Each section of Account & Settings has its own address, a menu to the others, and a save
# returns to it with its message.

SECTIONS = {
    "/settings/": "Basic settings",
    "/settings/users/": "Users",
    "/settings/sso/": "Single sign-on (SSO)",
    "/settings/scim/": "SCIM provisioning",
}


@pytest.mark.parametrize("address", SECTIONS)
def test_each_section_has_its_address_and_marks_itself_in_the_menu(admin_client, address):
    page = admin_client.get(address).content.decode()

    menu = page[page.index('<nav aria-label="Account &amp; Settings sections">') :]
    menu = menu[: menu.index("</nav>")]
    for other, name in SECTIONS.items():
        current = 'aria-current="page"' if other == address else ""
        assert f'<a href="{other}" {current}>{name}</a>' in menu
    assert f"<title>{SECTIONS[address]} · Account &amp; Settings · LMS portal</title>" in page


def test_each_section_shows_only_its_own_forms(admin_client):
    basic = admin_client.get("/settings/").content.decode()
    users = admin_client.get("/settings/users/").content.decode()

    assert "Save locale" in basic and "Save user defaults" not in basic
    assert "Save user defaults" in users and "Custom user fields" in users
    assert "Save locale" not in users and "SCIM" not in users.split("</nav>", 2)[-1]


@pytest.mark.parametrize(
    ("form", "data", "section"),
    [
        ("/settings/locale/", {"default_time_zone": "UTC", "default_language": "en"}, "/settings/"),
        ("/settings/user-defaults/", {"default_user_type": "trainer"}, "/settings/users/"),
        ("/settings/scim/", {"enabled": ""}, "/settings/scim/"),
        ("/settings/scim/custom-fields/", {}, "/settings/scim/"),
    ],
)
def test_a_save_returns_to_its_section_with_its_message(admin_client, form, data, section):
    if "default_user_type" in data:
        data = {"default_user_type": user_type(UserType.TRAINER).pk}
    response = admin_client.post(form, data, follow=True)

    assert response.redirect_chain == [(section, 302)]
    assert b'<ul class="messages" role="status">' in response.content


def test_a_refused_form_is_shown_again_in_its_section(admin_client):
    response = admin_client.post(
        "/settings/user-defaults/", {"default_user_type": "999999"}, follow=True
    )

    assert response.status_code == 400
    assert b'aria-current="page">Users</a>' in response.content
    assert b"Save user defaults" in response.content
