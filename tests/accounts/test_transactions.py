"""accounts.transactions: on SQLite, write transactions queue on a file lock beside the
database, so that app processes take turns instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from accounts.models import AccountSettings
from accounts.transactions import write_transaction

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writers' queue")


def writers_file() -> str:
    return f"{connection.settings_dict['NAME']}.writers"


def write(language: str, hold: float = 0.0, holding: threading.Event | None = None) -> None:
    """One write transaction in a thread of its own (so on a connection of its own)."""
    try:
        with write_transaction():
            AccountSettings.objects.filter(pk=1).update(default_language=language)
            if holding is not None:
                holding.set()
            time.sleep(hold)
    finally:
        connections.close_all()


def test_commits_and_rolls_back_as_atomic_does():
    AccountSettings.load()
    with write_transaction():
        AccountSettings.objects.filter(pk=1).update(default_language="de")
    with pytest.raises(ZeroDivisionError), write_transaction():
        AccountSettings.objects.filter(pk=1).update(default_language="fr")
        1 / 0

    assert AccountSettings.load().default_language == "de"


def test_a_nested_write_joins_the_outer_one_without_queueing_again():
    AccountSettings.load()
    with write_transaction(), write_transaction():  # a second lock would wait for ever
        AccountSettings.objects.filter(pk=1).update(default_language="it")

    assert AccountSettings.load().default_language == "it"


@on_sqlite
def test_a_second_writer_waits_for_the_first_then_both_commit():
    AccountSettings.load()
    holding = threading.Event()
    first = threading.Thread(target=write, args=("de", 0.4, holding))
    first.start()
    assert holding.wait(timeout=10)
    started = time.monotonic()

    write("fr")

    first.join()
    assert 0.2 < time.monotonic() - started < 10
    assert AccountSettings.load().default_language == "fr"


@on_sqlite
def test_a_writer_queued_past_the_database_timeout_is_told_the_database_is_locked(monkeypatch):
    AccountSettings.load()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
    holder = os.open(writers_file(), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as another process in a long write would
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), write_transaction():
            AccountSettings.objects.filter(pk=1).update(default_language="nl")
        assert 0.3 <= time.monotonic() - started < 2
    finally:
        os.close(holder)

    write("sv")  # the queue is free again once the holder lets go
    assert AccountSettings.load().default_language == "sv"


@on_sqlite
def test_the_lock_is_let_go_when_a_write_fails():
    AccountSettings.load()
    with pytest.raises(ZeroDivisionError), write_transaction():
        1 / 0

    other = threading.Thread(target=write, args=("pt",))
    other.start()
    other.join(timeout=5)

    assert not other.is_alive()
    assert AccountSettings.load().default_language == "pt"
