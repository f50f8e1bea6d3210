"""Keyboard only: an admin signs in, generates the SCIM token and edits a user with Tab, typing
and Enter, never the mouse."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from tests.e2e.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MAX_TABS = 80  # more stops than any page has before its last control


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until ``target`` has the focus: it is reachable from the keyboard, in order."""
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", handle):
            return
    raise AssertionError(f"Tab never reached {target}")


def sign_in_by_keyboard(page: Page, username: str) -> None:
    page.goto("/login/")
    tab_to(page, page.get_by_label("Username or email"))
    page.keyboard.type(username)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()


def follow(page: Page, link: Locator) -> None:
    tab_to(page, link)
    page.keyboard.press("Enter")


def test_sign_in_and_token_generation_by_keyboard(page: Page, superadmin: User):
    sign_in_by_keyboard(page, superadmin.username)

    follow(
        page,
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Account & Settings"),
    )
    sections = page.get_by_role("navigation", name="Account & Settings sections")
    follow(page, sections.get_by_role("link", name="SCIM provisioning"))
    tab_to(page, page.get_by_role("button", name="Generate token"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("it will not be shown again")
    expect(page.locator("#scim-new-token")).to_have_text(re.compile(r"^scim_[0-9a-f]{8}_"))


def test_user_edit_by_keyboard(page: Page, superadmin: User):
    learner = UserFactory(username="kim@example.com", first_name="Kim", last_name="Park")
    sign_in_by_keyboard(page, superadmin.username)

    follow(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Users"))
    follow(page, page.get_by_role("link", name="kim@example.com", exact=True))
    follow(page, page.get_by_role("link", name="Edit", exact=True))
    tab_to(page, page.get_by_label("First name"))
    page.keyboard.press("Control+A")
    page.keyboard.type("Kimberly")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_be_visible()
    learner.refresh_from_db()
    assert learner.first_name == "Kimberly"
