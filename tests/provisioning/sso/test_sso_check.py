"""“Save and check your configuration”: the ACS in check mode, the report, the SCIM gate."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from accounts.models import AuditEvent, Outcome
from accounts.models import EventType as UserEventType
from provisioning import services
from provisioning.models import EventType, ScimSettings, SsoSettings
from provisioning.sso.steps import Status, Step
from tests.provisioning.sso.conftest import Browser, signed_in_username
from tests.provisioning.sso.fake_okta import ALICE

pytestmark = pytest.mark.django_db
CHECK = "/sso/saml/login/?check=1"


@pytest.fixture
def admin_browser(admin_client: Client, okta, sso) -> Browser:
    """The admin's browser: starts the check signed in; Okta's POST comes back cross-site."""
    return Browser(admin_client, okta)


def check_event() -> AuditEvent:
    return AuditEvent.objects.get(event_type=EventType.SSO_CHECKED)


def test_a_passing_check_signs_nobody_in_and_shows_what_came(admin_browser, alice):
    request_id = admin_browser.start(CHECK)

    response = admin_browser.post(admin_browser.okta.response(request_id))

    assert response.status_code == 200
    report = response.context["report"]
    assert report.passed
    assert [r.status for r in report.steps] == [Status.PASSED] * len(Step)
    assert dict(report.attributes) == {name: (value,) for name, value in ALICE.items()}
    assert all(r.present for r in report.required)
    content = response.content.decode()
    for name, value in ALICE.items():
        assert f"<code>{name}</code>" in content
        assert value in content
    assert signed_in_username(admin_browser.acs_client) is None
    assert not AuditEvent.objects.filter(event_type=UserEventType.USER_UPDATED).exists()


def test_a_passing_check_is_recorded_on_the_settings_and_in_the_log(admin_browser):
    admin_browser.post(admin_browser.okta.response(admin_browser.start(CHECK)))

    sso = SsoSettings.load()
    assert sso.check_passed
    assert sso.checked_at is not None
    event = check_event()
    assert (event.outcome, event.actor_label, event.target_label) == (
        Outcome.SUCCESS,
        "user:admin@example.com",
        "SAML SSO",
    )
    assert event.detail == "All checks passed; required attributes present."


def test_the_check_needs_no_portal_user_for_the_person_signing_in(admin_browser):
    response = admin_browser.post(admin_browser.okta.response(admin_browser.start(CHECK)))

    assert response.context["report"].passed


def test_a_check_with_missing_attributes_fails_and_says_which(admin_browser):
    attributes = {"Username": "alice@example.com", "Email": "alice@example.com"}

    response = admin_browser.post(
        admin_browser.okta.response(admin_browser.start(CHECK), attributes=attributes)
    )

    report = response.context["report"]
    assert not report.passed
    assert [r.name for r in report.missing] == ["FirstName", "LastName"]
    assert report.failure.step == Step.ATTRIBUTES
    assert response.content.decode().count("Missing</span>") == 2
    assert not SsoSettings.load().check_passed
    event = check_event()
    assert (event.outcome, event.detail) == (
        Outcome.REFUSED,
        "Failed at “Required attributes present”: Missing: FirstName, LastName.",
    )


def test_a_check_shows_attributes_under_other_names_to_help_map_them(admin_browser):
    attributes = dict(ALICE) | {"firstName": "Alice"}
    del attributes["FirstName"]

    response = admin_browser.post(
        admin_browser.okta.response(admin_browser.start(CHECK), attributes=attributes)
    )

    assert "<code>firstName</code>" in response.content.decode()
    assert [r.name for r in response.context["report"].missing] == ["FirstName"]


def test_a_check_that_fails_validation_shows_the_step_and_what_was_not_reached(
    admin_browser, caplog
):
    request_id = admin_browser.start(CHECK)

    with caplog.at_level(logging.WARNING, logger="provisioning.sso"):
        response = admin_browser.post(
            admin_browser.okta.response(request_id, audience="https://other.example/")
        )

    assert response.status_code == 200
    report = response.context["report"]
    statuses = {r.step: r.status for r in report.steps}
    assert statuses[Step.DECODE] == statuses[Step.REQUEST] == Status.PASSED
    assert statuses[Step.AUDIENCE] == Status.FAILED
    assert statuses[Step.SIGNATURE] == statuses[Step.ATTRIBUTES] == Status.NOT_REACHED
    assert not report.attributes_verified
    content = response.content.decode()
    assert "not trusted" in content
    assert "is not a valid audience" in content  # python3-saml's own words, for the admin
    assert "SAML response refused at step audience" in caplog.text
    assert check_event().outcome == Outcome.REFUSED
    assert not SsoSettings.load().check_passed


def test_a_check_signed_by_another_key_fails_at_the_signature(admin_browser, other_key):
    response = admin_browser.post(
        admin_browser.okta.response(admin_browser.start(CHECK), key=other_key)
    )

    assert response.context["report"].failure.step == Step.SIGNATURE


def test_a_check_points_out_optional_values_the_portal_would_ignore(admin_browser):
    SsoSettings.objects.update(attr_user_type="userType")

    response = admin_browser.post(
        admin_browser.okta.response(
            admin_browser.start(CHECK), attributes=dict(ALICE) | {"userType": "Wizard"}
        )
    )

    assert "The user type &#x27;Wizard&#x27; is not known to this portal" in (
        response.content.decode()
    )


def test_settings_page_shows_the_last_check(admin_browser):
    admin_browser.post(admin_browser.okta.response(admin_browser.start(CHECK)))

    sso_section = admin_browser.client.get("/settings/sso/").content.decode()
    scim_section = admin_browser.client.get("/settings/scim/").content.decode()

    assert "Last check:" in sso_section
    assert '<span class="badge ok">Passed</span>' in sso_section
    assert "SSO checked" in scim_section


# The SCIM section asks for a passed check before provisioning is enabled from the page.


def test_scim_section_asks_for_the_check_while_sso_is_unchecked(admin_client, sso):
    content = admin_client.get("/settings/scim/").content.decode()

    assert "SSO not checked" in content
    assert "see it pass before enabling provisioning" in content


def test_enabling_scim_waits_for_a_passed_sso_check(admin_client, sso):
    response = admin_client.post("/settings/scim/", {"enabled": "on"}, follow=True)

    assert not ScimSettings.load().enabled
    assert "SCIM provisioning was not enabled" in response.content.decode()


def test_enabling_scim_works_once_sso_passed_its_check(admin_browser):
    admin_browser.post(admin_browser.okta.response(admin_browser.start(CHECK)))

    admin_browser.client.post("/settings/scim/", {"enabled": "on"})

    assert ScimSettings.load().enabled


def test_enabling_scim_without_sso_is_not_blocked(admin_client, db):
    admin_client.post("/settings/scim/", {"enabled": "on"})

    assert ScimSettings.load().enabled


def test_disabling_scim_is_never_blocked(admin_client, sso, actor):
    services.set_scim_enabled(True, actor=actor)

    admin_client.post("/settings/scim/", {})

    assert not ScimSettings.load().enabled


def test_a_check_says_an_idps_super_admin_claim_would_be_ignored(admin_browser):
    SsoSettings.objects.update(attr_user_type="userType")

    response = admin_browser.post(
        admin_browser.okta.response(
            admin_browser.start(CHECK), attributes=dict(ALICE) | {"userType": "SuperAdmin"}
        )
    )

    assert (
        "The user type &#x27;SuperAdmin&#x27; is granted only in the portal, by a SuperAdmin"
        in response.content.decode()
    )


def test_a_check_is_recorded_as_the_portal_admins_at_their_address(admin_browser):
    admin_browser.post(admin_browser.okta.response(admin_browser.start(CHECK)))

    event = check_event()
    assert (event.source, event.address) == ("portal", "127.0.0.1")
    assert event.actor_label.startswith("user:")
