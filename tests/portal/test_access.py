"""Every portal page: sign-in required, administrators only, state changes by POST with CSRF."""

from __future__ import annotations

import pytest
from django.test import Client

from provisioning.models import ScimSettings
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/users/",
    "/users/new/",
    "/users/deleted/",
    "/users/{user}/edit/",
    "/users/{user}/delete/",
    "/users/{deleted}/purge/",
    "/branches/",
    "/branches/new/",
    "/branches/{branch}/edit/",
    "/settings/",
    "/provisioning/log/",
]


@pytest.fixture
def urls(db):
    ids = {
        "user": UserFactory().pk,
        "deleted": UserFactory(deleted=True).pk,
        "branch": BranchFactory().pk,
    }
    return [page.format(**ids) for page in PAGES]


def test_pages_ask_anonymous_visitors_to_sign_in(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_pages_refuse_users_without_the_administrator_role_clearly(learner_client, urls):
    for url in urls:
        response = learner_client.get(url)
        assert response.status_code == 403, url
        assert b"does not have the administrator role" in response.content


def test_pages_open_for_administrators(admin_client, urls):
    for url in urls:
        assert admin_client.get(url).status_code == 200, url


def test_super_admin_from_createsuperuser_can_use_every_page(client, admin_user, urls):
    client.force_login(admin_user)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_state_changes_need_csrf(portal_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(portal_admin)
    target = UserFactory()

    response = client.post(f"/users/{target.pk}/deactivate/")

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.is_active


def test_state_changes_refuse_get(admin_client):
    target = UserFactory()

    assert admin_client.get(f"/users/{target.pk}/deactivate/").status_code == 405
    # A GET of the token's address rotates nothing: it leads to the SCIM section.
    assert admin_client.get("/settings/scim/token/").status_code == 302
    assert not ScimSettings.load().has_token


def test_scim_token_does_not_open_pages(client, db):
    from provisioning import services

    actor = services.Actor.system("tests")
    services.set_scim_enabled(True, actor=actor)
    token = services.rotate_scim_token(actor=actor)

    response = client.get("/users/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 302


def test_refusal_page_shows_no_admin_menu(learner_client):
    response = learner_client.get("/users/")

    assert b'aria-label="Main"' in response.content
    assert b"Provisioning log" not in response.content
    assert b"Sign out" in response.content


def test_favicon_ico_leads_to_the_portal_icon_and_pages_link_it(client, admin_client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("portal/favicon.svg")
    page = admin_client.get("/users/").content.decode()
    assert '<link rel="icon" href="/static/portal/favicon.svg" type="image/svg+xml">' in page
