"""Provisioning log: an IdP's SCIM call shows up in the log and its detail page; filtered by
date, each row says what changed, before and after."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import Page, expect

from accounts.models import AuditEvent
from accounts.services import Actor, update_user
from provisioning import services
from tests.e2e.conftest import open_from_menu, scim_request, screenshot
from tests.factories import UserFactory
from tests.provisioning.payloads import okta_create_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scim_token() -> str:
    actor = Actor.system("e2e")
    services.set_scim_enabled(True, actor=actor)
    return services.rotate_scim_token(actor=actor)


def test_user_created_by_scim_appears_in_the_log(signed_in: Page, live_server, scim_token):
    page = signed_in
    body = okta_create_user("emma@example.com", "Emma", "Woodhouse", "emma@example.com")

    status, _ = scim_request(
        f"{live_server.url}/api/scim2/Users", scim_token, body=json.dumps(body).encode()
    )

    assert status == 201
    open_from_menu(page, "Provisioning log")
    row = (
        page.get_by_role("row").filter(has_text="User created").filter(has_text="emma@example.com")
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Success")
    screenshot(page, "provisioning-log")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="User created")).to_be_visible()
    expect(page.get_by_role("link", name="emma@example.com")).to_be_visible()
    screenshot(page, "event-detail")


def test_filtering_by_date_shows_what_changed_that_day(signed_in: Page, superadmin):
    page = signed_in
    actor = Actor.for_user(superadmin)
    for username, before, after, day in (
        ("emma@example.com", "Emma", "Emily", dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)),
        ("harriet@example.com", "Harriet", "Harry", dt.datetime(2026, 1, 20, 9, 30, tzinfo=dt.UTC)),
    ):
        user = UserFactory(username=username, first_name=before)
        update_user(user, {"first_name": after}, actor=actor)
        AuditEvent.objects.filter(target_user=user).update(created_at=day)

    open_from_menu(page, "Provisioning log")
    page.get_by_label("From", exact=True).fill("2026-01-15")
    page.get_by_label("To", exact=True).fill("2026-01-15")
    page.get_by_role("button", name="Filter").click()

    rows = page.get_by_role("region", name="Event list").get_by_role("row")
    expect(rows.filter(has_text="emma@example.com")).to_contain_text("first_name: Emma → Emily")
    expect(rows.filter(has_text="harriet@example.com")).to_have_count(0)
    expect(page.get_by_role("link", name="Download CSV")).to_have_attribute(
        "href", "/provisioning/log/export.csv?" + page.url.split("?", 1)[1]
    )
    screenshot(page, "provisioning-log-by-date")
