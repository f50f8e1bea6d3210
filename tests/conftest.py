"""A small named cast shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts import services
from tests.factories import UserFactory


@pytest.fixture
def actor() -> services.Actor:
    return services.Actor.system("tests")


@pytest.fixture
def alice(db):
    """An ordinary active learner."""
    return UserFactory(username="alice@example.com", first_name="Alice", last_name="Liddell")


@pytest.fixture
def deleted_bob(db):
    """A soft-deleted user still holding bob@example.com."""
    return UserFactory(username="bob@example.com", deleted=True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Tests do not run collectstatic, so they skip the production manifest storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def admin_user(db):
    """A SuperAdmin with back-office access (overrides pytest-django's, whose password is weak)."""
    from accounts.models import UserType
    from tests.factories import user_type

    return UserFactory(
        username="root@example.com",
        user_type=user_type(UserType.SUPER_ADMIN),
        is_staff=True,
        is_superuser=True,
    )


def pytest_sessionfinish(session, exitstatus):
    """The SQLite writers' queue file beside the test database goes with it."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if name and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(f"{name}.writers").unlink(missing_ok=True)
