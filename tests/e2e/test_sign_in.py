"""Signing in through the real sign-in page, and what an admin without the role sees."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import UserType
from tests.e2e.conftest import PASSWORD, screenshot, sign_in
from tests.factories import UserFactory, user_type

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_superadmin_signs_in_and_sees_the_users_page(page: Page, live_server, superadmin):
    page.goto("/users/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")

    page.get_by_label("Username or email").fill(superadmin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")

    expect(page).to_have_url(f"{live_server.url}/users/")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=superadmin.username, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=f"Sign out {superadmin.username}")).to_be_visible()
    screenshot(page, "users")


def test_wrong_password_is_refused_on_the_sign_in_page(page: Page, superadmin):
    sign_in(page, superadmin.username, password="not the password")

    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_learner_sees_a_clear_refusal_on_the_users_page(page: Page):
    learner = UserFactory(username="learner@example.com", user_type=user_type(UserType.LEARNER))

    sign_in(page, learner.username)
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    response = page.goto("/users/")

    assert response is not None and response.status == 403
    expect(page.get_by_role("main")).to_contain_text("Learner-Type")
    expect(page.get_by_role("main")).to_contain_text("does not have the administrator role")
    screenshot(page, "forbidden")
