"""lms.sqlite: write transactions queue on a file lock; none is lost, none waits forever."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from accounts.models import AccountSettings
from lms.sqlite.base import CACHED_STATEMENT_LENGTH, _qmark_style

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's own lock"),
]


def writers_file() -> str:
    return f"{connection.settings_dict['NAME']}.writers"


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
        AccountSettings.load()
        1 / 0

    other = threading.Thread(target=write, args=("it",))
    other.start()
    other.join(timeout=5)

    assert not other.is_alive()
    assert AccountSettings.load().default_language == "it"


def test_a_writer_gives_up_after_the_database_timeout(monkeypatch):
    AccountSettings.load()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
    holder = os.open(writers_file(), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as another process in a long write would
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            AccountSettings.load()
        assert 0.3 <= time.monotonic() - started < 2
    finally:
        os.close(holder)

    with transaction.atomic():  # and the connection is usable again
        AccountSettings.objects.update(default_language="es")
    assert AccountSettings.load().default_language == "es"


def open_lock_files() -> int:
    target = os.path.realpath(writers_file())
    names = os.listdir("/proc/self/fd")
    return sum(1 for n in names if os.path.realpath(f"/proc/self/fd/{n}") == target)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_closing_the_connection_closes_its_lock_file():
    connection.close()
    before = open_lock_files()  # other threads' connections may hold theirs
    with transaction.atomic():
        AccountSettings.load()
    assert open_lock_files() == before + 1

    connection.close()

    assert open_lock_files() == before


def test_placeholders_and_literal_percent_signs_reach_sqlite_as_written():
    statement = "SELECT %s, '100%%', '%%s', %s"
    hits = _qmark_style.cache_info().hits
    with connection.cursor() as cursor:
        for _ in range(2):  # rewritten, then remembered
            cursor.execute(statement, [1, "%s"])
            assert cursor.fetchone() == (1, "100%", "%s", "%s")
        cursor.execute("SELECT %(a)s, '%%'", {"a": 2})  # named parameters as Django allows
        assert cursor.fetchone() == (2, "%")
        long = f"SELECT %s, '%%' {' ' * CACHED_STATEMENT_LENGTH}"  # too long to remember
        cursor.execute(long, [3])
        assert cursor.fetchone() == (3, "%")

    assert _qmark_style.cache_info().hits == hits + 1
