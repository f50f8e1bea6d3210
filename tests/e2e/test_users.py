"""Users: delete, find under Deleted users, delete permanently, then reuse the email."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.conftest import open_from_menu, screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DORA = "dora@example.com"


def add_user(page: Page, username: str, email: str) -> None:
    open_from_menu(page, "Users")
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Create user").click()


def test_purged_users_email_can_be_used_again(signed_in: Page):
    page = signed_in
    UserFactory(username=DORA, first_name="Dora", last_name="Explorer")
    page.reload()

    page.get_by_role("link", name=f"Delete {DORA}").click()
    expect(page.get_by_role("heading", name=f"Delete {DORA}?")).to_be_visible()
    page.get_by_role("button", name="Delete user").click()
    expect(page.get_by_role("status")).to_contain_text(f"User {DORA} deleted.")
    expect(page.get_by_role("link", name=DORA, exact=True)).to_have_count(0)

    add_user(page, "dora2", DORA)
    expect(page.get_by_text("This email belongs to a deleted user")).to_be_visible()
    screenshot(page, "user-form-error")

    open_from_menu(page, "Users")
    page.get_by_role("link", name="Deleted users").click()
    expect(page.get_by_role("row").filter(has_text=DORA)).to_be_visible()
    screenshot(page, "deleted-users")
    page.get_by_role("link", name=f"Delete permanently {DORA}").click()
    expect(page.get_by_role("main")).to_contain_text("This cannot be undone.")
    page.get_by_role("button", name="Delete permanently").click()
    expect(page.get_by_role("status")).to_contain_text(f"User {DORA} permanently deleted")
    expect(page.get_by_role("cell", name="No deleted users.")).to_be_visible()

    add_user(page, "dora2", DORA)
    expect(page.get_by_role("status")).to_contain_text("User dora2 created.")
    assert User.objects.get(email=DORA).username == "dora2"
