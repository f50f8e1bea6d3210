"""Sign in with username or email; sign out."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("login", ["admin@example.com", "ADMIN@example.com"])
def test_signs_in_and_lands_on_the_overview(client, portal_admin, login):
    response = client.post("/login/", {"username": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert b"<h1>Overview</h1>" in client.get("/").content


def test_wrong_password_is_explained(client, portal_admin):
    response = client.post("/login/", {"username": "admin@example.com", "password": "nope"})

    assert response.status_code == 200
    assert b"didn't match" in response.content


def test_inactive_users_cannot_sign_in(client):
    UserFactory(username="gone@example.com", inactive=True)

    response = client.post("/login/", {"username": "gone@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signs_out_by_post(admin_client):
    response = admin_client.post("/logout/")

    assert response.status_code == 302
    assert admin_client.get("/users/").status_code == 302
