"""POST /sso/saml/acs/ with valid responses: who is signed in, who is refused, and why.

Every response here is signed by the fake Okta and validated for real.
"""

from __future__ import annotations

import logging

import pytest

from accounts.models import AuditEvent, Outcome, Source, User, UserSource, UserType
from accounts.models import EventType as UserEventType
from provisioning.models import EventType, SamlRequest, SsoSettings
from tests.factories import BranchFactory, UserFactory, account_settings, user_type
from tests.provisioning.sso.conftest import Browser, signed_in_username
from tests.provisioning.sso.fake_okta import ALICE

pytestmark = pytest.mark.django_db


def okta_says(**changes: str) -> dict[str, str]:
    """Alice's attributes as Okta sends them, with ``changes``."""
    return dict(ALICE) | changes


def test_signs_in_an_active_user_and_syncs_the_profile(browser, alice):
    response = browser.sign_in(attributes=okta_says(LastName="Liddell-Hargreaves"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_username(browser.acs_client) == "alice@example.com"
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name, alice.email) == (
        "Alice",
        "Liddell-Hargreaves",
        "alice@example.com",
    )
    event = AuditEvent.objects.get(event_type=EventType.SSO_SIGN_IN)
    assert (event.source, event.actor_label, event.address, event.target_user) == (
        Source.SSO,
        "sso:saml",
        "127.0.0.1",
        alice,
    )
    assert event.changes == [
        {"field": "last_name", "before": "Liddell", "after": "Liddell-Hargreaves"}
    ]


def test_a_sign_in_that_changes_nothing_is_recorded_with_no_change(browser, alice):
    browser.sign_in(attributes=okta_says(LastName="Liddell"))

    assert signed_in_username(browser.acs_client) == "alice@example.com"
    event = AuditEvent.objects.get()
    assert (event.event_type, event.outcome, event.changes, event.detail) == (
        EventType.SSO_SIGN_IN,
        Outcome.SUCCESS,
        [],
        "no change",
    )


def test_finds_the_user_by_username_case_insensitively(browser, alice):
    browser.sign_in(attributes=okta_says(Username="ALICE@example.com"))

    assert signed_in_username(browser.acs_client) == "alice@example.com"


def test_goes_to_the_page_asked_for(browser, alice):
    request_id = browser.start("/sso/saml/login/?next=/branches/")

    response = browser.post(browser.okta.response(request_id))

    assert response["Location"] == "/branches/"


def test_the_session_ends_when_the_user_is_deactivated(browser, alice):
    browser.sign_in()
    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert browser.acs_client.get("/users/").status_code == 302  # back to sign-in


@pytest.mark.parametrize(
    ("trait", "status_text", "kind"),
    [
        ({"is_active": False}, "Your account is inactive", "inactive"),
        ({"deleted": True}, "Your account has been deleted", "deleted"),
    ],
)
def test_refuses_inactive_and_deleted_users(browser, caplog, trait, status_text, kind):
    UserFactory(username="alice@example.com", **trait)

    with caplog.at_level(logging.WARNING, logger="provisioning.sso"):
        response = browser.sign_in()

    assert response.status_code == 403
    assert status_text in response.content.decode()
    assert signed_in_username(browser.acs_client) is None
    assert f"SSO sign-in refused ({kind}_user)" in caplog.text
    event = AuditEvent.objects.get(event_type=EventType.SSO_SIGN_IN)
    assert (event.outcome, event.target_label) == (Outcome.REFUSED, "alice@example.com")


def test_refuses_an_unknown_user_by_default(browser, caplog):
    with caplog.at_level(logging.WARNING, logger="provisioning.sso"):
        response = browser.sign_in()

    assert response.status_code == 403
    assert "There is no user &#x27;alice@example.com&#x27; in this portal" in (
        response.content.decode()
    )
    assert not User.objects.exists()
    assert "SSO sign-in refused (unknown_user)" in caplog.text


@pytest.fixture
def account_defaults(db):
    return account_settings(
        default_time_zone="Asia/Tokyo", default_user_type=user_type("Trainer-Type")
    )


def test_creates_an_unknown_user_when_the_option_is_on(browser, account_defaults):
    SsoSettings.objects.update(create_unknown_users=True)

    response = browser.sign_in()

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.username, user.email, user.first_name, user.last_name, user.source) == (
        "alice@example.com",
        "alice@example.com",
        "Alice",
        "Pleasance",
        UserSource.SSO,
    )
    assert (user.time_zone, user.user_type.name) == ("Asia/Tokyo", UserType.TRAINER)
    assert not user.has_usable_password()
    assert signed_in_username(browser.acs_client) == "alice@example.com"
    event = AuditEvent.objects.get(event_type=UserEventType.USER_CREATED)
    assert (event.source, event.actor_label, event.target_user) == (Source.SSO, "sso:saml", user)
    assert {"field": "last_name", "before": None, "after": "Pleasance"} in event.changes


def test_explains_an_email_held_by_another_user(browser, alice):
    UserFactory(username="someone@example.com", email="shared@example.com")

    response = browser.sign_in(attributes=okta_says(Email="shared@example.com"))

    assert response.status_code == 403
    content = response.content.decode()
    assert "Your email address belongs to another user" in content
    assert "shared@example.com" in content
    assert "belongs to another user, and an email address can belong to one user only" in content
    assert signed_in_username(browser.acs_client) is None
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_explains_an_email_held_by_a_deleted_user(browser, alice, deleted_bob):
    response = browser.sign_in(attributes=okta_says(Email="bob@example.com"))

    assert response.status_code == 403
    assert "belongs to a deleted user" in response.content.decode()
    event = AuditEvent.objects.get(event_type=EventType.SSO_SIGN_IN)
    assert event.outcome == Outcome.REFUSED


def test_explains_an_email_held_by_a_deleted_user_when_creating(browser, deleted_bob):
    SsoSettings.objects.update(create_unknown_users=True)

    response = browser.sign_in(attributes=okta_says(Email="bob@example.com"))

    assert response.status_code == 403
    assert "belongs to a deleted user" in response.content.decode()
    assert not User.objects.filter(username="alice@example.com").exists()


def test_refuses_an_email_the_portal_cannot_accept(browser, alice):
    response = browser.sign_in(attributes=okta_says(Email="not-an-email"))

    assert response.status_code == 403
    assert "not a valid email address" in response.content.decode()


def test_refuses_a_response_without_a_required_attribute(browser, alice):
    attributes = okta_says()
    del attributes["Email"]

    response = browser.sign_in(attributes=attributes)

    assert response.status_code == 400
    assert "did not send the required attributes Email" in response.content.decode()
    assert signed_in_username(browser.acs_client) is None


def test_refuses_when_sso_was_turned_off_meanwhile(browser, alice):
    request_id = browser.start()
    SsoSettings.objects.update(enabled=False)

    response = browser.post(browser.okta.response(request_id))

    assert response.status_code == 403
    assert signed_in_username(browser.acs_client) is None


def test_syncs_optional_time_zone_user_type_and_branch(browser, alice):
    BranchFactory(name="Athens", slug="athens")
    SsoSettings.objects.update(
        attr_time_zone="timeZone", attr_user_type="userType", attr_branch="branch"
    )

    browser.sign_in(
        attributes=okta_says(timeZone="Europe/Athens", userType="trainer-type", branch="Athens")
    )

    alice.refresh_from_db()
    assert (alice.time_zone, alice.user_type.name) == ("Europe/Athens", UserType.TRAINER)
    assert [b.name for b in alice.branches.all()] == ["Athens"]


def test_ignores_optional_values_the_portal_does_not_know(browser, alice, caplog):
    SsoSettings.objects.update(attr_time_zone="timeZone", attr_user_type="userType")

    with caplog.at_level(logging.WARNING, logger="provisioning.sso"):
        response = browser.sign_in(attributes=okta_says(timeZone="Mars/Olympus", userType="Wizard"))

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.time_zone, alice.user_type.name) == ("UTC", UserType.LEARNER)
    assert "The user type 'Wizard' is not known to this portal" in caplog.text


def test_an_idp_never_makes_anyone_super_admin(browser, alice, caplog):
    SsoSettings.objects.update(attr_user_type="userType")

    with caplog.at_level(logging.WARNING, logger="provisioning.sso"):
        response = browser.sign_in(attributes=okta_says(userType="superadmin"))

    assert response.status_code == 302  # signed in, with the user type they had
    alice.refresh_from_db()
    assert alice.user_type.name == UserType.LEARNER
    assert "The user type 'superadmin' is granted only in the portal" in caplog.text


def test_an_idp_never_creates_a_super_admin(browser, account_defaults):
    SsoSettings.objects.update(create_unknown_users=True, attr_user_type="userType")

    browser.sign_in(attributes=okta_says(userType="SuperAdmin"))

    assert User.objects.get().user_type.name != UserType.SUPER_ADMIN


def test_reads_namespaced_attribute_names_when_told_to(browser, alice):
    claims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
    SsoSettings.objects.update(
        ignore_attribute_namespace=True,
        attr_username="name",
        attr_first_name="givenname",
        attr_last_name="surname",
        attr_email="emailaddress",
    )
    attributes = {
        claims + "name": "alice@example.com",
        claims + "givenname": "Alice",
        claims + "surname": "Liddell",
        claims + "emailaddress": "alice@example.com",
    }

    response = browser.sign_in(attributes=attributes)

    assert response.status_code == 302
    assert signed_in_username(browser.acs_client) == "alice@example.com"


def test_over_https_the_response_must_come_back_to_the_browser_that_asked(browser, alice):
    request_id = browser.start(secure=True)
    xml = browser.okta.response(
        request_id,
        recipient="https://testserver/sso/saml/acs/",
        audience="https://testserver/sso/saml/metadata/",
        destination="https://testserver/sso/saml/acs/",
    )
    # An attacker posting their own response from their own browser (login CSRF).
    elsewhere = browser.post(xml, secure=True)

    assert elsewhere.status_code == 400
    assert "different browser" in elsewhere.content.decode()
    assert SamlRequest.objects.get().consumed_at is not None


def test_over_https_the_browser_that_asked_is_signed_in(client, okta, sso, alice):
    browser = Browser(client, okta, acs_client=client)  # the binding cookie travels along
    request_id = browser.start(secure=True)
    xml = okta.response(
        request_id,
        recipient="https://testserver/sso/saml/acs/",
        audience="https://testserver/sso/saml/metadata/",
        destination="https://testserver/sso/saml/acs/",
    )

    response = browser.post(xml, secure=True)

    assert response.status_code == 302
    assert signed_in_username(client) == "alice@example.com"
    assert response.cookies["__Host-lms_saml_request"].value == ""  # used up
