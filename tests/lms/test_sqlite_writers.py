"""SQLite shared by several workers: writers queue, none is lost, none waits forever, and
readers never wait for a writer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import OperationalError, connection, connections, transaction

from accounts.models import AccountSettings

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking"),
]


def write(language: str, hold: float = 0.0, holding: threading.Event | None = None) -> None:
    """One write transaction in a thread of its own (so on a connection of its own)."""
    try:
        with transaction.atomic():
            account = AccountSettings.load()
            account.default_language = language
            account.save()
            if holding is not None:
                holding.set()
            time.sleep(hold)
    finally:
        connections.close_all()


def hold_write_lock(holding: threading.Event, release: threading.Event) -> None:
    """A writer in another thread that keeps SQLite's write lock until told to let go."""
    try:
        with transaction.atomic():
            AccountSettings.objects.update(default_language="nl")
            holding.set()
            release.wait(timeout=10)
    finally:
        connections.close_all()


@pytest.fixture
def lock_holder() -> Iterator[threading.Event]:
    """Another connection holding the write lock; set the returned event to release it."""
    AccountSettings.load()
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(holding, release))
    holder.start()
    assert holding.wait(timeout=10)
    yield release
    release.set()
    holder.join(timeout=10)


@pytest.fixture
def short_timeout(monkeypatch) -> Iterator[float]:
    """This thread's connection waits at most 0.3 s for a lock (reconnected to apply it)."""
    connection.close()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
    yield 0.3
    connection.close()  # the next test reconnects with the configured timeout


def test_a_second_writer_waits_for_the_first_and_both_commit():
    AccountSettings.load()
    holding = threading.Event()
    first = threading.Thread(target=write, args=("de", 0.5, holding))
    first.start()
    assert holding.wait(timeout=10)
    started = time.monotonic()

    write("fr")

    first.join()
    assert 0.2 < time.monotonic() - started < 10
    assert AccountSettings.load().default_language == "fr"


def test_the_lock_is_released_when_a_transaction_rolls_back():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        AccountSettings.objects.update(default_language="sv")
        1 / 0

    other = threading.Thread(target=write, args=("it",))
    other.start()
    other.join(timeout=5)

    assert not other.is_alive()
    assert AccountSettings.load().default_language == "it"


def test_a_writer_gives_up_after_the_database_timeout(short_timeout, lock_holder):
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
        AccountSettings.load()
    assert short_timeout <= time.monotonic() - started < 5

    lock_holder.set()
    with transaction.atomic():  # and the connection is usable again
        AccountSettings.objects.update(default_language="es")
    assert AccountSettings.load().default_language == "es"


def test_a_reader_does_not_wait_for_a_writer(short_timeout, lock_holder):
    started = time.monotonic()

    account = AccountSettings.load()  # the last committed state, while "nl" is uncommitted

    assert time.monotonic() - started < short_timeout
    assert account.default_language != "nl"


def test_the_database_keeps_a_write_ahead_log():
    # WAL is what lets a reader see the last commit beside a writer, in any process.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
