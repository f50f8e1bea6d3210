"""ACS edge cases found in review: each refused cleanly, never a 500 or a wrong outcome."""

from __future__ import annotations

import logging

import pytest

from provisioning.models import SsoSettings
from tests.factories import UserFactory
from tests.provisioning.sso.conftest import ACS, LOGIN, Browser, signed_in_username
from tests.provisioning.sso.fake_okta import ALICE

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return UserFactory(username=ALICE["Username"], email=ALICE["Email"])


def test_non_ascii_in_the_posted_value_is_refused_not_a_500(client, sso):
    response = client.post(ACS, {"SAMLResponse": "PD94é"})

    assert response.status_code == 400
    assert b"not valid base64" in response.content


def test_a_next_that_is_not_a_path_falls_back_to_the_start_page(browser: Browser, alice):
    request_id = browser.start(f"{LOGIN}?next=users")
    response = browser.post(browser.okta.response(request_id))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_username(browser.acs_client) == alice.username


@pytest.mark.parametrize("trait", [{"is_staff": True}, {"is_superuser": True}])
def test_back_office_accounts_cannot_sign_in_with_sso(browser: Browser, trait):
    UserFactory(username=ALICE["Username"], email=ALICE["Email"], **trait)

    response = browser.sign_in()

    assert response.status_code == 403
    assert b"back-office account" in response.content
    assert signed_in_username(browser.acs_client) is None


def test_a_stray_response_to_a_check_does_not_overwrite_its_outcome(admin_client, okta, sso):
    browser = Browser(admin_client, okta)
    request_id = browser.start(f"{LOGIN}?check=1")
    assert browser.post(okta.response(request_id)).status_code == 200
    assert SsoSettings.load().check_passed

    # The request is used up; anyone re-posting to it (even unsigned) changes nothing.
    browser.post(okta.response(request_id, signed=False))

    assert SsoSettings.load().check_passed


def test_unsigned_fields_cannot_forge_log_lines(browser: Browser, caplog):
    caplog.set_level(logging.WARNING, logger="provisioning.sso")
    request_id = browser.start()
    forged = "x\n2026-11-28 12:00:00,000 INFO provisioning.sso SSO sign-in of 'admin'"

    browser.post(browser.okta.response(request_id, destination=forged))

    assert caplog.records
    assert all("\n" not in record.getMessage() for record in caplog.records)


def test_a_response_over_the_upload_limit_gets_the_portal_page_and_one_warning(
    client, sso, settings, caplog
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # 2.5 MB by default: the same path, smaller

    with caplog.at_level(logging.INFO):
        response = client.post(ACS, {"SAMLResponse": "A" * 2000})

    assert response.status_code == 413
    assert b"The sign-in response is too large" in response.content
    assert b"Go to the sign-in page" in response.content  # the portal's page, not Django's
    assert [(r.levelname, r.name) for r in caplog.records if r.levelno >= logging.WARNING] == [
        ("WARNING", "django.request")  # "Request Entity Too Large: /sso/saml/acs/"
    ]
    assert all(r.exc_info is None for r in caplog.records)


@pytest.mark.parametrize("trait", [{"is_staff": True}, {"is_superuser": True}])
def test_a_back_office_account_is_told_what_it_is_and_where_to_sign_in(browser: Browser, trait):
    UserFactory(username=ALICE["Username"], email=ALICE["Email"], **trait)

    page = browser.sign_in().content.decode()

    assert "<h1>Back-office accounts do not use single sign-on</h1>" in page
    assert "Your account is inactive" not in page
    assert 'href="/admin/login/"' in page


def test_several_values_for_the_username_attribute_are_refused(browser: Browser, alice):
    other = UserFactory(username="root@example.com", email="root@example.com")
    attributes = dict(ALICE) | {"Username": [ALICE["Username"], other.username]}

    response = browser.sign_in(attributes=attributes)

    assert response.status_code == 403
    assert b"sent 2 values for the username attribute" in response.content
    assert signed_in_username(browser.acs_client) is None


def test_the_same_username_sent_twice_is_one_value(browser: Browser, alice):
    attributes = dict(ALICE) | {"Username": [ALICE["Username"], ALICE["Username"]]}

    response = browser.sign_in(attributes=attributes)

    assert response.status_code == 302
    assert signed_in_username(browser.acs_client) == alice.username
