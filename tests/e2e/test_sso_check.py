"""Account & Settings → Single Sign-On: configure Okta, "Save and check", read the report.

The browser really goes to the IdP's sign-in URL; Playwright answers for Okta there (no
network) with a page that posts a response signed by the fake Okta's key back to the ACS, as
Okta's own page does.
"""

from __future__ import annotations

import base64
import html
import zlib
from urllib.parse import parse_qs, urlsplit

import lxml.etree
import pytest
from playwright.sync_api import Page, Route, expect

from accounts.models import AuditEvent
from provisioning.models import EventType
from tests.e2e.conftest import open_settings_section, screenshot
from tests.provisioning.sso.fake_okta import (
    OKTA_ISSUER,
    OKTA_SSO_URL,
    FakeOkta,
    make_signing_key,
    post_value,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def request_id(url: str) -> str:
    """The ID of the AuthnRequest in an HTTP-Redirect URL (SAML Bindings §3.4.4.1)."""
    value = parse_qs(urlsplit(url).query)["SAMLRequest"][0]
    return lxml.etree.fromstring(zlib.decompress(base64.b64decode(value), -15)).get("ID")


def answer_as_okta(page: Page, okta: FakeOkta) -> None:
    """Okta's sign-in page: it posts a signed response for the request to the ACS."""

    def respond(route: Route) -> None:
        value = post_value(okta.response(request_id(route.request.url)))
        body = (
            f'<form method="post" action="{okta.acs_url}">'
            f'<input type="hidden" name="SAMLResponse" value="{html.escape(value)}"></form>'
            "<script>document.forms[0].submit()</script>"
        )
        route.fulfill(status=200, content_type="text/html", body=body)

    page.route(f"{OKTA_SSO_URL}**", respond)


def test_save_and_check_shows_a_passing_report(signed_in: Page, live_server):
    page = signed_in
    key = make_signing_key()
    okta = FakeOkta(
        key,
        acs_url=f"{live_server.url}/sso/saml/acs/",
        audience=f"{live_server.url}/sso/saml/metadata/",
    )
    answer_as_okta(page, okta)
    open_settings_section(page, "Single sign-on (SSO)")

    page.get_by_label("Identity provider issuer (entity ID)").fill(OKTA_ISSUER)
    page.get_by_label("Identity provider sign-in URL").fill(OKTA_SSO_URL)
    page.get_by_label("Identity provider signing certificate (PEM)").fill(key.certificate_pem)
    expect(page.get_by_label("TargetedId (username) attribute")).to_have_value("Username")
    page.get_by_role("button", name="Save and check your configuration").click()

    expect(page.get_by_role("heading", name="SSO configuration check")).to_be_visible()
    expect(page.get_by_role("region", name="Result")).to_contain_text("Passed")
    required = page.get_by_role("table", name="Required attributes")
    for name in ("Username", "FirstName", "LastName", "Email"):
        expect(required).to_contain_text(name)
    expect(page.get_by_role("table", name="Every attribute received")).to_contain_text(
        "alice@example.com"
    )
    screenshot(page, "sso-check-report")
    event = AuditEvent.objects.get(event_type=EventType.SSO_CHECKED)
    assert event.outcome == "success"
