"""The portal's home: the overview for administrators (tests/lms/test_home.py tests it in full)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_shows_administrators_the_overview(admin_client):
    response = admin_client.get("/")

    assert response.status_code == 200
    assert b"<h1>Overview</h1>" in response.content


def test_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"
