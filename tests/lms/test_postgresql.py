"""lms.postgresql: when a reused connection is checked with a round trip, and when not."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.db.backends.postgresql import base as django_postgresql

from lms.postgresql.base import RECENT

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


@pytest.fixture
def round_trips(monkeypatch) -> list[str]:
    """Each SELECT 1 Django's own check would send (it still answers: usable)."""
    sent: list[str] = []
    monkeypatch.setattr(
        django_postgresql.DatabaseWrapper, "is_usable", lambda self: sent.append("SELECT 1") or True
    )
    connection.ensure_connection()
    return sent


def test_a_connection_in_steady_use_is_checked_without_a_round_trip(round_trips):
    connection._checked_at = time.monotonic()

    assert connection.is_usable()
    assert connection.is_usable()
    assert round_trips == []


def test_a_connection_not_checked_for_a_while_is_asked(round_trips):
    connection._checked_at = time.monotonic() - RECENT - 1

    assert connection.is_usable()  # a failover or a NAT may have dropped it without a word
    assert connection.is_usable()  # just checked, and quiet since
    assert round_trips == ["SELECT 1"]


def test_a_connection_in_a_transaction_is_asked(round_trips):
    connection._checked_at = time.monotonic()

    with transaction.atomic():
        connection.cursor().execute("SELECT 1")
        assert connection.is_usable()

    assert round_trips == ["SELECT 1"]


def test_a_connection_the_server_ended_is_not_usable():
    connection.ensure_connection()
    connection._checked_at = time.monotonic()
    pid = connection.connection.info.backend_pid
    with connection._nodb_cursor() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)

    assert not connection.is_usable()
    connection.close()
