"""A user's page, as an admin meets it: opened from the Users list, with the identity provider's
banner on a user Okta pushed, deactivating the user there; and a busy user's page passes
axe-core's checks at a desktop's and a phone's width."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts import services as accounts
from accounts.models import CustomField, Source, UserSource
from accounts.services import Actor
from provisioning import services
from provisioning.models import ScimSettings
from tests.e2e.conftest import open_from_menu, scim_request, screenshot
from tests.factories import UserFactory
from tests.provisioning.payloads import okta_create_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DORA = "dora@example.com"
AXE = Axe()


def test_an_admin_opens_a_user_from_the_list_and_deactivates_it_there(signed_in: Page, live_server):
    page = signed_in
    dora = UserFactory(username=DORA, first_name="Dora", last_name="Explorer")
    page.reload()

    page.get_by_role("link", name=DORA, exact=True).click()

    expect(page.get_by_role("heading", name=DORA, exact=True)).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Active since")
    expect(page.locator("#idp-managed")).to_have_count(0)
    page.get_by_role("button", name="Deactivate").click()

    expect(page.get_by_role("status")).to_contain_text(f"User {DORA} deactivated.")
    expect(page).to_have_url(f"{live_server.url}/users/{dora.pk}/")
    expect(page.locator("#status")).to_contain_text("Inactive since")
    expect(page.locator("#status")).to_contain_text("user deactivated by user:root@example.com")
    expect(page.get_by_role("region", name="Change history")).to_contain_text("User deactivated")
    expect(page.get_by_role("button", name="Activate")).to_be_visible()
    screenshot(page, "user-page")


def test_a_user_okta_pushed_carries_the_identity_providers_banner(signed_in: Page, live_server):
    page = signed_in
    actor = Actor.system("e2e")
    services.set_scim_enabled(True, actor=actor)
    token = services.rotate_scim_token(actor=actor)
    body = okta_create_user("finn@example.com", "Finn", "Lake", "finn@example.com")
    status, _ = scim_request(
        f"{live_server.url}/api/scim2/Users", token, body=json.dumps(body).encode()
    )
    assert status == 201

    open_from_menu(page, "Users")
    page.get_by_role("link", name="finn@example.com", exact=True).click()

    banner = page.locator("#idp-managed")
    expect(banner).to_contain_text("This user is provisioned by your identity provider over SCIM")
    expect(page.locator("#created")).to_contain_text(
        f"by scim:token {ScimSettings.load().token_prefix} (SCIM)"
    )
    expect(page.get_by_role("main")).to_contain_text("Created by SCIM")
    expect(page.get_by_role("main")).to_contain_text(body["externalId"])
    screenshot(page, "user-page-scim")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.locator("#idp-managed")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_a_busy_users_page_is_accessible(signed_in: Page, width: int):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    okta = Actor(label="scim:token 1a2b3c4d", source=Source.SCIM)
    CustomField.objects.create(key="costCenter", label="Cost center", type="text")
    user = accounts.create_user(
        accounts.NewUser(
            username="gail@example.com",
            source=UserSource.SCIM,
            external_id="00ujl29u0le5T6Aj10h7",
            phone_numbers=[{"value": "+30 210 555 0100", "type": "work", "primary": True}],
            custom_fields={"costCenter": "4130"},
        ),
        actor=okta,
    )
    accounts.create_group(accounts.NewGroup(name="Sales"), actor=okta, members=[user.pk])
    accounts.update_user(user, {"title": "Captain"}, actor=okta)
    accounts.deactivate_user(user, actor=okta)

    response = page.goto(f"/users/{user.pk}/")

    assert response is not None and response.status == 200
    expect(page.get_by_role("region", name="Change history")).to_contain_text("User updated")
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()
