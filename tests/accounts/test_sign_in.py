"""Password sign-in by username or email; inactive and deleted users are refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("login", ["ALICE@example.com", "alice@example.com"])
def test_signs_in_by_username_or_email_case_insensitively(alice, login):
    assert authenticate(username=login, password=PASSWORD) == alice


def test_refuses_wrong_password(alice):
    assert authenticate(username="alice@example.com", password="nope") is None


@pytest.mark.parametrize("trait", ["inactive", "deleted"])
def test_refuses_inactive_and_deleted_users(trait):
    UserFactory(username="gone", **{trait: True})

    assert authenticate(username="gone", password=PASSWORD) is None


def test_createsuperuser_makes_a_super_admin_with_back_office_access(client):
    from django.core.management import call_command

    call_command(
        "createsuperuser", "--noinput", "--username", "root", "--email", "root@example.com"
    )
    from accounts.models import User

    root = User.objects.get(username="root")
    root.set_password(PASSWORD)
    root.save()
    assert (root.user_type.name, root.is_staff, root.is_superuser) == ("SuperAdmin", True, True)
    assert client.login(username="root", password=PASSWORD)
    assert client.get("/admin/accounts/user/").status_code == 200
