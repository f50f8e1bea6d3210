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


def test_back_office_pages_render_for_a_super_admin(admin_client, alice, deleted_bob):
    for url in [
        "/admin/accounts/user/",
        "/admin/accounts/user/?status=deleted",
        f"/admin/accounts/user/{alice.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/accounts/branch/",
        "/admin/accounts/usertype/",
        "/admin/accounts/accountsettings/",
        "/admin/accounts/auditevent/",
        "/admin/provisioning/scimsettings/",
        "/admin/provisioning/ssosettings/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_back_office_permanent_delete_action_frees_the_email(admin_client, deleted_bob):
    from accounts.models import User

    response = admin_client.post(
        "/admin/accounts/user/", {"action": "purge", "_selected_action": [deleted_bob.pk]}
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=deleted_bob.pk).exists()
