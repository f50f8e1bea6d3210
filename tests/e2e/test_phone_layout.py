"""Every portal page fits a phone (390 x 844): the page never scrolls sideways, the header wraps
and keeps its dark background behind every link, Sign out is on the screen, and a data table
scrolls inside its own box, which axe-core finds keyboard-focusable and named.

The data is long on purpose (a long email as a username, a URL as an entity ID, a word longer
than the screen): it is what widens a page that neither wraps nor breaks long words.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, FloatRect, Page, ViewportSize, expect

from accounts import services
from accounts.models import AuditEvent, CustomField, EventType, User, UserType
from provisioning import services as provisioning
from provisioning.sso_services.configuration import save_sso_settings
from tests.e2e.conftest import TIMEOUT_MS, screenshot
from tests.e2e.test_sso_check import answer_as_okta
from tests.factories import UserFactory, user_type
from tests.provisioning.sso.fake_okta import (
    OKTA_ISSUER,
    OKTA_SSO_URL,
    Assertion,
    FakeOkta,
    make_signing_key,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTH = 390
PHONE: ViewportSize = {"width": WIDTH, "height": 844}
SCREEN: FloatRect = {"x": 0, "y": 0, **PHONE}
AXE = Axe()
LONG_EMAIL = "maximilian.featherstonehaugh-worthington@subsidiary.example-corporation.co.uk"
LONG_WORD = "Supercalifragilisticexpialidocious" * 3
LONG_URL = "https://identity.example-corporation.co.uk/app/exk1a2b3c4d5e6f7g8h9/sso/saml/metadata"

# What widens the page: the innermost elements (outside a table's scroll box) whose box or
# overflowing content reaches past the viewport's right edge.
WIDEST = """() => {
  const reach = (e, box = e.getBoundingClientRect()) => e.matches("input, select, textarea")
    ? box.right : Math.max(box.right, box.left + e.scrollWidth);
  const wide = e => !e.closest(".table-scroll") && reach(e) > innerWidth;
  return [...document.body.querySelectorAll("*")]
    .filter(e => wide(e) && ![...e.children].some(wide))
    .slice(0, 5).map(e => e.outerHTML.slice(0, 80));
}"""


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    """As tests/e2e/conftest.py's, with a phone's viewport from the sign-in page on."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def superadmin() -> User:
    """A SuperAdmin whose long username is on the Sign out button."""
    return UserFactory(
        username=f"root.{LONG_EMAIL}",
        user_type=user_type(UserType.SUPER_ADMIN),
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def pages() -> dict[str, int]:
    """Long-worded data for every page: the keys of the objects the paths below name."""
    actor = services.Actor.system("e2e")
    user = services.create_user(
        services.NewUser(
            username=LONG_EMAIL,
            first_name=LONG_WORD,
            last_name="Featherstonehaugh-Worthington",
            profile={"display_name": LONG_WORD},
            addresses=[{"formatted": f"1 {LONG_WORD} Street\nAthens", "type": "home"}],
        ),
        actor=actor,
    )
    deleted = UserFactory(username=f"gone.{LONG_EMAIL}", deleted=True)
    branch = services.create_branch(
        services.BranchData(name=LONG_WORD[:80], slug="long-branch"), actor=actor
    )
    group = services.create_group(
        services.NewGroup(name=LONG_WORD[:80], description=f"{LONG_WORD} {LONG_URL}"),
        actor=actor,
        members=[user.pk],
    ).group
    field = CustomField.objects.create(
        key="costCenterOfTheDepartment", label=LONG_WORD[:60], type="dropdown", options=["A", "B"]
    )
    sso = {"enabled": True, "idp_entity_id": LONG_URL, "idp_sso_url": LONG_URL}
    save_sso_settings(sso | {"idp_cert_fingerprint": "AB:CD:" * 21 + "EF"}, actor=actor)
    provisioning.set_scim_enabled(True, actor=actor)
    provisioning.rotate_scim_token(actor=actor)
    created = AuditEvent.objects.get(event_type=EventType.USER_CREATED, target_user=user)
    return {
        "user": user.pk,
        "deleted": deleted.pk,
        "branch": branch.pk,
        "group": group.pk,
        "field": field.pk,
        "event": created.pk,
    }


class LongWordedOkta(FakeOkta):
    """Okta sending a long email as the username and a URL as an attribute's value."""

    def assertion(self, in_response_to: str | None, **changes) -> Assertion:
        values = {"Username": LONG_EMAIL, "Email": LONG_EMAIL, "FirstName": LONG_WORD}
        long = {"name_id": LONG_EMAIL, "attributes": values | {"Profile": LONG_URL}}
        return super().assertion(in_response_to, **(long | changes))


def assert_fits_a_phone(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide, widened by {page.evaluate(WIDEST)}"


def within(box: FloatRect | None, outer: FloatRect | None) -> bool:
    """Whether a bounding box lies inside another one."""
    assert box is not None and outer is not None
    across = outer["x"] <= box["x"] and box["x"] + box["width"] <= outer["x"] + outer["width"]
    down = outer["y"] <= box["y"] and box["y"] + box["height"] <= outer["y"] + outer["height"]
    return across and down


def assert_header_wraps(page: Page) -> None:
    """Every link and button of the header lies inside it, on its dark background."""
    header = page.locator("header").bounding_box()
    controls = page.locator("header a, header button")
    assert controls.count() > 0
    for index in range(controls.count()):
        control = controls.nth(index)
        assert within(control.bounding_box(), header), control.text_content()


def assert_sign_out_on_screen(page: Page) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # a path with a #fragment opens further down
    button = page.get_by_role("button", name="Sign out")
    expect(button).to_be_visible()
    assert within(button.bounding_box(), SCREEN), button.bounding_box()


def assert_accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.mark.parametrize(
    "path",
    [
        "/users/",
        "/users/new/",
        "/users/{user}/",
        "/users/{user}/edit/",
        "/users/{user}/delete/",
        "/users/deleted/",
        "/users/{deleted}/",
        "/users/{deleted}/purge/",
        "/branches/",
        "/branches/new/",
        "/branches/{branch}/edit/",
        "/groups/",
        "/groups/new/",
        "/groups/{group}/",
        "/groups/{group}/edit/",
        "/groups/{group}/delete/",
        "/settings/",
        "/settings/users/",
        "/settings/sso/",
        "/settings/scim/",
        "/settings/custom-fields/new/",
        "/settings/custom-fields/{field}/edit/",
        "/settings/custom-fields/{field}/delete/",
        "/provisioning/log/",
        "/provisioning/log/{event}/",
    ],
)
def test_the_admin_page_fits_a_phone(signed_in: Page, pages: dict[str, int], path: str):
    page = signed_in

    response = page.goto(path.format(**pages))

    assert response is not None and response.status == 200
    assert_fits_a_phone(page)
    assert_header_wraps(page)
    assert_sign_out_on_screen(page)


def test_the_sign_in_page_fits_a_phone(page: Page):
    response = page.goto("/login/")

    assert response is not None and response.status == 200
    assert_fits_a_phone(page)


def test_a_new_scim_token_fits_a_phone(signed_in: Page, pages: dict[str, int]):
    page = signed_in
    page.goto("/settings/scim/")

    page.get_by_role("button", name="Rotate token").click()

    expect(page.locator("#scim-new-token")).to_be_visible()
    assert_fits_a_phone(page)


def test_the_sso_check_report_fits_a_phone(signed_in: Page, live_server):
    page = signed_in
    key = make_signing_key()
    okta = LongWordedOkta(
        key,
        acs_url=f"{live_server.url}/sso/saml/acs/",
        audience=f"{live_server.url}/sso/saml/metadata/",
    )
    sso = {"idp_entity_id": OKTA_ISSUER, "idp_sso_url": OKTA_SSO_URL}
    save_sso_settings(
        sso | {"idp_certificate": key.certificate_pem}, actor=services.Actor.system("e2e")
    )
    answer_as_okta(page, okta)
    page.goto("/settings/sso/")

    page.get_by_role("button", name="Save and check your configuration").click()

    expect(page.get_by_role("heading", name="SSO configuration check")).to_be_visible()
    expect(page.get_by_role("table", name="Every attribute received")).to_contain_text(LONG_URL)
    # The report answers Okta's cross-site POST, which carries no session cookie: its header
    # has no menu and no Sign out, so only its width and its tables are checked.
    assert_fits_a_phone(page)
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "table"), [("/users/", "User list"), ("/provisioning/log/", "Event list")]
)
def test_a_table_scrolls_in_its_own_accessible_box(
    signed_in: Page, pages: dict[str, int], path: str, table: str
):
    page = signed_in

    page.goto(path)

    scroll = page.get_by_role("region", name=table, exact=True)
    expect(scroll.get_by_role("table")).to_be_visible()
    assert scroll.evaluate("box => box.scrollWidth > box.clientWidth"), "nothing to scroll"
    scroll.focus()  # a keyboard user scrolls it with the arrow keys
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=scroll.element_handle())
    assert_accessible(page)
    screenshot(page, f"phone{path.rstrip('/').replace('/', '-')}")
