"""Branches: a branch's default time zone and user type apply to users created in it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User, UserType
from tests.e2e.conftest import open_from_menu, screenshot
from tests.factories import user_type

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_user_created_in_a_branch_gets_its_defaults(signed_in: Page):
    page = signed_in
    open_from_menu(page, "Branches")
    page.get_by_role("link", name="Add branch").click()

    page.get_by_label("Name").fill("Tokyo")
    page.get_by_label("Slug").fill("tokyo")
    help_text = "Short address name: letters, digits, -. Empty: made from the name."
    expect(page.get_by_label("Slug")).to_have_accessible_description(help_text)
    page.get_by_label("Time zone").press_sequentially("Asia/Tokyo")
    page.get_by_label("Default user type").select_option(label="Trainer-Type")
    screenshot(page, "branch-form")
    page.get_by_role("button", name="Create branch").click()

    expect(page.get_by_role("status")).to_contain_text("Branch Tokyo created.")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Tokyo"))
    expect(row).to_contain_text("Asia/Tokyo")
    expect(row).to_contain_text("Trainer-Type")
    screenshot(page, "branches")

    open_from_menu(page, "Users")
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Username").fill("kenji@example.com")
    page.get_by_label("Email").fill("kenji@example.com")
    page.get_by_label("Branch").select_option(label="Tokyo")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_contain_text("User kenji@example.com created.")

    page.get_by_role("link", name="kenji@example.com", exact=True).click()
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    trainer = user_type(UserType.TRAINER)
    expect(page.get_by_label("User type")).to_have_value(str(trainer.pk))
    kenji = User.objects.get(username="kenji@example.com")
    assert (kenji.time_zone, kenji.user_type) == ("Asia/Tokyo", trainer)
