"""Account & Settings: switch SCIM on, generate, copy and rotate its API token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from provisioning.models import ScimSettings
from tests.e2e.conftest import open_settings_section, scim_request, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def copy_token(page: Page) -> str:
    page.get_by_role("button", name="Copy token").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    return page.evaluate("navigator.clipboard.readText()")


def rotate(page: Page, grace: str) -> str:
    page.get_by_label("Old token").select_option(label=grace)
    page.get_by_role("button", name="Rotate token").click()
    expect(page.get_by_role("alert")).to_contain_text("This is your new API token")
    return copy_token(page)


def test_generates_copies_and_rotates_the_scim_token(signed_in: Page, live_server):
    page = signed_in
    users_url = f"{live_server.url}/api/scim2/Users"
    open_settings_section(page, "SCIM provisioning")

    page.get_by_label("Enable SCIM v2 user provisioning").check()
    page.get_by_role("button", name="Save provisioning setting").click()
    expect(page.get_by_role("status")).to_contain_text("SCIM provisioning enabled.")
    page.get_by_role("button", name="Generate token").click()
    expect(page.get_by_role("alert")).to_contain_text("it will not be shown again")
    screenshot(page, "settings-new-token")
    first = copy_token(page)

    assert first.startswith("scim_")
    assert scim_request(users_url, first)[0] == 200
    # Reloading the page that showed it rotates nothing and shows it no more.
    page.reload()
    expect(page.get_by_role("button", name="Copy token")).to_have_count(0)
    assert scim_request(users_url, first)[0] == 200

    second = rotate(page, "Stop the old token now")
    expect(page.get_by_role("alert")).to_contain_text("The previous token has stopped working.")
    assert scim_request(users_url, second)[0] == 200
    assert scim_request(users_url, first)[0] == 401

    third = rotate(page, "Keep the old token working for 15 minutes")
    expect(page.get_by_role("alert")).to_contain_text("keeps working for 15 minutes")
    assert scim_request(users_url, third)[0] == 200
    assert scim_request(users_url, second)[0] == 200

    past = timezone.now() - dt.timedelta(seconds=1)
    ScimSettings.objects.filter(pk=1).update(previous_valid_until=past)
    assert scim_request(users_url, second)[0] == 401
    assert scim_request(users_url, third)[0] == 200
