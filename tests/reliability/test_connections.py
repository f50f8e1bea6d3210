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


OTHER_SESSIONS = (
    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_type = 'client backend'"
)


def end_other_connections() -> int:
    """End every other session on the test database, as a restart or an administrator would,
    and wait until their server processes are gone (each says goodbye to its client first)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_terminate_backend(pid) {OTHER_SESSIONS}")
        ended = len(cursor.fetchall())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cursor.execute(f"SELECT count(*) {OTHER_SESSIONS}")
            if cursor.fetchone()[0] == 0:
                return ended
            time.sleep(0.05)
    raise AssertionError("the ended sessions are still there after 10 s")


def test_requests_after_the_server_ended_the_apps_connections_succeed(gunicorn_scim):
    # Workers serve these requests (most likely every one of them serves some), and keep
    # their connections open.
    assert {gunicorn_scim.send("GET", "/Users?count=1")[0] for _ in range(4 * WORKERS)} == {200}

    assert end_other_connections() >= 1

    statuses = [gunicorn_scim.send("GET", "/Users?count=1")[0] for _ in range(4 * WORKERS)]
    assert statuses == [200] * (4 * WORKERS)
