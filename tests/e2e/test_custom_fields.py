"""Custom user fields, as an admin meets them: define one under Account & Settings, give a
user a value on their page, read it back, find the user by it; switch SCIM provisioning of the
fields on and see an Okta-shaped PATCH land on the user's page."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.services import Actor
from provisioning import services
from provisioning.scim.constants import LMS_USER_SCHEMA
from tests.e2e.conftest import open_from_menu, open_settings_section, scim_request, screenshot
from tests.factories import UserFactory
from tests.provisioning.payloads import okta_create_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_admin_defines_a_field_and_a_users_value_reads_back(signed_in: Page):
    page = signed_in
    erin = UserFactory(username="erin@example.com", first_name="Erin", last_name="Hale")

    open_settings_section(page, "Users")
    page.get_by_role("link", name="Add custom field").click()
    page.get_by_label("Label").fill("Shirt size")
    page.get_by_label("Key").fill("shirtSize")
    page.get_by_label("Type").select_option(label="Drop-down list")
    page.get_by_label("Options").fill("S\nM\nL")
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_role("status")).to_contain_text("Custom field Shirt size added.")
    expect(page.get_by_role("cell", name="shirtSize")).to_be_visible()
    screenshot(page, "custom-fields")

    open_from_menu(page, "Users")
    page.get_by_role("link", name="erin@example.com", exact=True).click()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Shirt size").select_option("M")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("User erin@example.com saved.")

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Shirt size")).to_have_value("M")
    assert User.objects.get(pk=erin.pk).custom_fields == {"shirtSize": "M"}

    open_from_menu(page, "Users")
    page.get_by_label("Custom field").select_option(label="Shirt size")
    page.get_by_label("Its value").fill("M")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="erin@example.com", exact=True)).to_be_visible()
    expect(page.get_by_text("1 user", exact=True)).to_be_visible()


def test_a_field_switched_on_for_scim_takes_an_okta_patch_shown_on_the_users_page(
    signed_in: Page, live_server
):
    page = signed_in
    actor = Actor.system("e2e")
    services.set_scim_enabled(True, actor=actor)
    token = services.rotate_scim_token(actor=actor)
    users_url = f"{live_server.url}/api/scim2/Users"
    body = okta_create_user("finn@example.com", "Finn", "Lake", "finn@example.com")
    status, created = scim_request(users_url, token, body=json.dumps(body).encode())
    assert status == 201
    user_id = json.loads(created)["id"]

    open_settings_section(page, "Users")
    page.get_by_role("link", name="Add custom field").click()
    page.get_by_label("Label").fill("Cost center")
    page.get_by_label("Key").fill("costCenter")
    page.get_by_role("button", name="Add field").click()
    open_settings_section(page, "SCIM provisioning")
    page.get_by_label("Enable SCIM v2 custom fields provisioning").check()
    page.get_by_role("button", name="Save custom fields setting").click()
    expect(page.get_by_role("status")).to_contain_text("now provisioned over SCIM")

    # Okta's PATCH of a custom attribute: the extension's object in a path-less value.
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {LMS_USER_SCHEMA: {"costCenter": "4130"}}}],
    }
    status, answer = scim_request(
        f"{users_url}/{user_id}", token, body=json.dumps(patch).encode(), method="PATCH"
    )
    assert status == 200, answer
    assert json.loads(answer)[LMS_USER_SCHEMA] == {"costCenter": "4130"}

    open_from_menu(page, "Users")
    page.get_by_role("link", name="finn@example.com", exact=True).click()
    page.get_by_role("link", name="Edit", exact=True).click()
    custom = page.get_by_role("group", name="Custom fields")
    expect(custom.get_by_label("Cost center")).to_have_value("4130")
    expect(page.get_by_text("This user is provisioned by your identity provider")).to_be_visible()
