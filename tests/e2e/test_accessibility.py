"""Every page of the portal passes axe-core's checks (WCAG 2.x A and AA rules among them) in
a real Chromium: as a signed-out visitor, as an admin, at a desktop and a phone's width."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from accounts.models import AuditEvent, CustomField, UserSource
from provisioning import services as provisioning_services
from tests.e2e.conftest import screenshot
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Axe()


def assert_accessible(page: Page, path: str) -> None:
    """axe-core finds no violation on the page; its screenshot, at the viewport's width, is
    written under var/screenshots/ (``make screenshots``)."""
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    results = AXE.run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    screenshot(page, f"{name}-{page.viewport_size['width'] if page.viewport_size else 0}")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_sign_in_page(page: Page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    assert_accessible(page, "/login/")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_admin_pages(signed_in: Page, width: int, actor):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    user = UserFactory(
        phone_numbers=[{"value": "+30 210 555 0100", "type": "work", "primary": True}],
        addresses=[{"formatted": "1 Main St\nAthens", "type": "home"}],
    )
    # Provisioned over SCIM, custom fields included: its pages note what the IdP overwrites.
    provisioned = UserFactory(
        source=UserSource.SCIM, title="Tour Guide", custom_fields={"shirt": "S"}
    )
    provisioning_services.set_custom_fields_provisioning(True, actor=actor)
    deleted = UserFactory(deleted=True)
    branch = BranchFactory()
    field = CustomField.objects.create(
        key="shirt", label="Shirt", type="dropdown", options=["S", "M"]
    )
    entra = provisioning_services.create_oauth_client("Entra", actor=actor).client
    event = AuditEvent.objects.create(
        event_type="user.updated",
        actor_label="scim:token 1a2b3c4d",
        target_user=user,
        target_label=user.username,
        changes=[{"field": "first_name", "before": "Ann", "after": "Anna"}],
    )

    for path in [
        "/",
        "/users/",
        "/users/new/",
        f"/users/{user.pk}/",
        f"/users/{user.pk}/edit/",
        f"/users/{user.pk}/delete/",
        f"/users/{provisioned.pk}/",
        f"/users/{provisioned.pk}/edit/",
        "/users/deleted/",
        f"/users/{deleted.pk}/",
        f"/users/{deleted.pk}/purge/",
        "/branches/",
        "/branches/new/",
        f"/branches/{branch.pk}/edit/",
        "/settings/",
        "/settings/users/",
        "/settings/sso/",
        "/settings/scim/",
        "/settings/scim/clients/",
        f"/settings/scim/clients/{entra.pk}/revoke/",
        "/settings/custom-fields/new/",
        f"/settings/custom-fields/{field.pk}/edit/",
        f"/settings/custom-fields/{field.pk}/delete/",
        "/provisioning/log/",
        f"/provisioning/log/{event.pk}/",
    ]:
        assert_accessible(page, path)
