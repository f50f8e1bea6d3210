"""Write transactions that queue across processes on SQLite.

SQLite lets one writer in at a time. A transaction that finds the write lock taken waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10, 15 ms ... between tries however soon the
lock frees: under a stream of short writes from several app processes (an IdP's PATCHes),
the sleeping, not the work, set the pace, and two workers wrote no faster than one.

``write_transaction()`` is ``transaction.atomic()`` that, on a SQLite file and outside any
transaction, first takes an exclusive lock on a file beside the database
(``<database>.writers``), trying again at sub-millisecond steps for at most the database's
``timeout`` (then "database is locked", as SQLite would say). SQLite's own lock is then free
when the transaction begins. The file lock is released once the transaction has committed or
rolled back, or by the operating system if the process dies. Inside a transaction it is
``atomic()`` alone: the outermost block queued already. Other databases need none of this:
their writers wait on row locks, woken as soon as the lock frees.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

# Between tries, in seconds. A SCIM write holds the lock briefly (docs/performance.md): a
# waiter tries again at a small fraction of that at first, so the lock passes on soon after it
# frees; a wait that lasts (a long write) backs off to longer steps.
SHORT_WAIT = 0.0001
PATIENCE = 0.005
LONGEST_WAIT = 0.001


@contextmanager
def write_transaction(using: str | None = None) -> Iterator[None]:
    """``transaction.atomic(using)``, queued behind other writers on a SQLite file."""
    connection = transaction.get_connection(using)
    if not _queues(connection):
        with transaction.atomic(using=using):
            yield
        return
    with _writers_lock(connection), transaction.atomic(using=using):
        yield


def _queues(connection: BaseDatabaseWrapper) -> bool:
    # An in-memory database is private to its connection: nobody else writes to it.
    return (
        isinstance(connection, SQLiteDatabaseWrapper)
        and not connection.in_atomic_block
        and not connection.is_in_memory_db()
    )


@contextmanager
def _writers_lock(connection: BaseDatabaseWrapper) -> Iterator[None]:
    # A descriptor of its own for each transaction: flock() locks belong to an open file, so a
    # descriptor shared by two threads, or inherited through fork(), would let both in.
    descriptor = os.open(
        f"{connection.settings_dict['NAME']}.writers", os.O_RDWR | os.O_CREAT, 0o600
    )
    try:
        _lock(descriptor, timeout=float(connection.settings_dict["OPTIONS"].get("timeout", 5)))
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _lock(descriptor: int, *, timeout: float) -> None:
    started = time.monotonic()
    wait = SHORT_WAIT
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            waited = time.monotonic() - started
            if waited >= timeout:
                raise OperationalError("database is locked") from None
            time.sleep(wait)
            if waited >= PATIENCE:
                wait = min(wait * 2, LONGEST_WAIT)
