"""The home page in a real Chromium: an admin's overview and a learner's profile pass axe-core's
checks, at a desktop's and a phone's width, and the overview never scrolls sideways."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.models import AuditEvent, EventType, Group, Membership, Outcome, Source, UserSource
from accounts.services import Actor
from provisioning import services
from provisioning.models import SsoSettings
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Axe()
WIDTHS = pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
LONG_EMAIL = "maximilian.featherstonehaugh-worthington@subsidiary.example-corporation.co.uk"
LONG_ENTITY_ID = "https://identity.example-corporation.co.uk/app/exk1a2b3c4d5e6f7g8h9/sso/saml"


def assert_accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def provisioning_state() -> None:
    """Some of everything the overview shows, with long values where a phone would suffer."""
    actor = Actor.system("e2e")
    services.set_scim_enabled(True, actor=actor)
    services.rotate_scim_token(actor=actor)
    SsoSettings.objects.create(
        pk=1,
        enabled=True,
        idp_entity_id=LONG_ENTITY_ID,
        idp_sso_url="https://example.okta.com/app/sso/saml",
        idp_cert_fingerprint="AB" * 32,
    )
    UserFactory(username=LONG_EMAIL, source=UserSource.SCIM)
    UserFactory(source=UserSource.SSO, inactive=True)
    UserFactory(deleted=True)
    Group.objects.create(name="Sales")
    AuditEvent.objects.create(
        event_type=EventType.USER_CREATED,
        outcome=Outcome.REFUSED,
        source=Source.SCIM,
        actor_label="scim:token abcd1234",
        target_label=LONG_EMAIL,
        detail="userName already in use",
    )


@WIDTHS
def test_admin_overview(page: Page, superadmin, provisioning_state, width: int):
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, superadmin.username)

    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    users = page.get_by_role("region", name="Users")
    expect(users.get_by_role("link", name="Created by SCIM")).to_be_visible()
    activity = page.get_by_role("region", name="Provisioning activity")
    expect(activity).to_contain_text("1 refused")
    expect(activity.get_by_role("link", name=f"User created: {LONG_EMAIL}")).to_be_visible()
    expect(page.get_by_role("region", name="SCIM provisioning")).to_contain_text("Enabled")
    expect(page.get_by_role("region", name="Single sign-on (SSO)")).to_contain_text(
        "Offered on the sign-in page"
    )
    assert_no_sideways_scroll(page, width)
    assert_accessible(page)
    screenshot(page, f"home-admin-{width}")


def test_admin_follows_the_refusals_to_the_filtered_log(page: Page, superadmin, provisioning_state):
    sign_in(page, superadmin.username)

    page.get_by_role("link", name="See refused changes").click()

    expect(page.get_by_role("heading", name="Provisioning log")).to_be_visible()
    expect(page.get_by_label("Outcome")).to_have_value("refused")
    expect(page.get_by_role("row").filter(has_text=LONG_EMAIL)).to_have_count(1)


@WIDTHS
def test_learner_profile(page: Page, width: int):
    learner = UserFactory(
        username=LONG_EMAIL, first_name="Maximilian", last_name="Featherstonehaugh"
    )
    learner.branches.set([BranchFactory(name="London")])
    Membership.objects.create(group=Group.objects.create(name="Onboarding"), user=learner)
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, learner.username)

    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Learner-Type")
    expect(page.get_by_role("main")).to_contain_text("London")
    expect(page.get_by_role("main")).to_contain_text("Onboarding")
    assert_no_sideways_scroll(page, width)
    assert_accessible(page)
    screenshot(page, f"home-learner-{width}")
