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
