"""A real headless Chromium, driven by Playwright, against the app on a loopback port.

Debian's Chromium (``/usr/bin/chromium``, installed by ``make chromium``) is used, never a
browser downloaded by Playwright. Every test gets a fresh browser context (its own cookies,
storage and permissions) with the clipboard allowed, so the "Copy" buttons can be read back.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from accounts.models import User, UserType
from tests.factories import UserFactory, user_type

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="package")
def playwright(django_db_setup) -> Iterator[Playwright]:
    """Playwright's sync API, for the e2e tests only, once the test database exists.

    The sync API marks an asyncio loop as running in this thread until it stops. Django then
    refuses ORM calls (SynchronousOnlyOperation) although nothing here is async, so its
    documented escape hatch is allowed for exactly as long as Playwright runs. And Django keeps
    database connections per async context while a loop runs: without help, the tests would
    get a second connection, one that lacks the serialized data that ``serialized_rollback``
    restores. They keep the thread's own connections instead.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (Debian's chromium package).")
    own = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as running:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, connection in own.items():
            connections[alias] = connection
        yield running


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # A plain launch starts Chromium with a fresh temporary profile, removed when it closes.
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def superadmin() -> User:
    return UserFactory(
        username="root@example.com",
        user_type=user_type(UserType.SUPER_ADMIN),
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def signed_in(page: Page, superadmin: User) -> Page:
    """The page, signed in as the SuperAdmin through the sign-in form, on the Users page."""
    sign_in(page, superadmin.username)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    open_from_menu(page, "Users")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    return page


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def screenshot(page: Page, name: str) -> None:
    """A full-page screenshot under var/screenshots/, for a reviewer to look at."""
    folder = settings.VAR_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def scim_request(
    url: str, token: str, *, body: bytes | None = None, method: str | None = None
) -> tuple[int, bytes]:
    """A SCIM call as an IdP makes it (no browser, no cookies): its status and body."""
    request = urllib.request.Request(url, data=body, method=method or ("POST" if body else "GET"))
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/scim+json")
    if body:
        request.add_header("Content-Type", "application/scim+json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def open_from_menu(page: Page, name: str) -> None:
    """Follow a link of the main navigation bar (its names recur in page tabs)."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def open_settings_section(page: Page, name: str) -> None:
    """Account & Settings from the main menu, then one of its sections from its own menu."""
    open_from_menu(page, "Account & Settings")
    sections = page.get_by_role("navigation", name="Account & Settings sections")
    sections.get_by_role("link", name=name, exact=True).click()
    expect(sections.get_by_role("link", name=name, exact=True)).to_have_attribute(
        "aria-current", "page"
    )
