"""Passwords are hashed with Argon2id at OWASP's parameters; older hashes upgrade on sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password

from accounts import services
from lms import settings as project_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase"


@pytest.fixture
def real_hashers(settings):
    # The project's own list, not the fast one the suite's autouse fixture installed.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_hashes_with_argon2id_at_owasp_parameters(real_hashers, actor):
    user = services.create_user(
        services.NewUser(username="hash@example.com", password=PASSWORD), actor=actor
    )

    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("old_hasher", ["pbkdf2_sha256", "argon2"])
def test_older_hashes_are_upgraded_on_sign_in(real_hashers, old_hasher):
    from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

    hasher = {"pbkdf2_sha256": PBKDF2PasswordHasher, "argon2": Argon2PasswordHasher}[old_hasher]
    user = UserFactory(username="old@example.com", password="x")
    user.password = hasher().encode(PASSWORD, hasher().salt())
    user.save()

    assert authenticate(username="old@example.com", password=PASSWORD) == user

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_taken_username_is_refused_before_hashing(actor, alice, monkeypatch):
    from accounts.exceptions import UsernameInUse

    def no_hashing(*args, **kwargs):
        raise AssertionError("hashed a password for a create that cannot succeed")

    monkeypatch.setattr("accounts.models.User.set_password", no_hashing)

    with pytest.raises(UsernameInUse):
        services.create_user(
            services.NewUser(username=alice.username, password=PASSWORD), actor=actor
        )


def test_make_password_is_not_used_directly_for_unusable_passwords():
    assert not make_password(None).startswith("argon2")
