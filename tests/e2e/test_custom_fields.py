"""Custom user fields, as an admin meets them: define one under Account & Settings, give a
user a value on their page, read it back, find the user by it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.conftest import open_from_menu, screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_admin_defines_a_field_and_a_users_value_reads_back(signed_in: Page):
    page = signed_in
    erin = UserFactory(username="erin@example.com", first_name="Erin", last_name="Hale")

    open_from_menu(page, "Account & Settings")
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
    page.get_by_label("Shirt size").select_option("M")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("User erin@example.com saved.")

    page.get_by_role("link", name="erin@example.com", exact=True).click()
    expect(page.get_by_label("Shirt size")).to_have_value("M")
    assert User.objects.get(pk=erin.pk).custom_fields == {"shirtSize": "M"}

    open_from_menu(page, "Users")
    page.get_by_label("Custom field").select_option(label="Shirt size")
    page.get_by_label("Its value").fill("M")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="erin@example.com", exact=True)).to_be_visible()
    expect(page.get_by_text("1 user", exact=True)).to_be_visible()
