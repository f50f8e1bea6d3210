"""Provisioning log: an IdP's SCIM call shows up in the log and its detail page."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from accounts.services import Actor
from provisioning import services
from tests.e2e.conftest import open_from_menu, scim_request, screenshot
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
