"""A connection the database server ended is replaced before a request uses it."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from tests.reliability.conftest import WORKERS

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a server to end connections"),
]


def end_other_connections() -> int:
    """End every other session on the test database, as a restart or an administrator would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        return len(cursor.fetchall())


def test_requests_after_the_server_ended_the_apps_connections_succeed(gunicorn_scim):
    # Every worker serves a few requests, so each keeps a connection open.
    assert {gunicorn_scim.send("GET", "/Users?count=1")[0] for _ in range(4 * WORKERS)} == {200}

    assert end_other_connections() >= 1
    time.sleep(0.2)  # the server's notices reach the workers' sockets

    statuses = [gunicorn_scim.send("GET", "/Users?count=1")[0] for _ in range(4 * WORKERS)]
    assert statuses == [200] * (4 * WORKERS)
