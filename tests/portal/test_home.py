"""The portal's home: the users page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_sends_administrators_to_the_users_page(admin_client):
    response = admin_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/users/"


def test_sends_anonymous_visitors_to_the_users_page_which_asks_them_to_sign_in(client):
    response = client.get("/", follow=True)

    assert response.redirect_chain[0] == ("/users/", 302)
    assert response.redirect_chain[-1][0].startswith("/login/?next=/users/")
