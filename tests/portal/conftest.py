from __future__ import annotations

import pytest

from accounts.models import UserType
from tests.factories import UserFactory, user_type


@pytest.fixture
def portal_admin(db):
    return UserFactory(username="admin@example.com", user_type=user_type(UserType.ADMIN))


@pytest.fixture
def admin_client(client, portal_admin):
    client.force_login(portal_admin)
    return client


@pytest.fixture
def learner_client(client, db):
    client.force_login(UserFactory(username="learner@example.com"))
    return client
