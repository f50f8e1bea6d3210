"""SQLite for several app processes: write transactions queue on a file lock.

With WAL, readers never wait, but writers do. A transaction that finds SQLite's write lock
taken gets SQLITE_BUSY, and SQLite's busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ms ...
between retries, however soon the lock frees: under a stream of short writes (an IdP's
PATCHes from two workers) the sleeping, not the work, set the pace, and the slowest writes
waited tens of milliseconds.

Here a write transaction (``atomic()``: BEGIN IMMEDIATE) first takes an exclusive lock on a
file next to the database, ``<database>.writers``, trying again at sub-millisecond steps for
at most the database's ``timeout`` (then "database is locked", as SQLite would say). SQLite's
own lock is then free. The file lock is released at COMMIT or ROLLBACK, or by the operating
system when the process ends. Statements outside a transaction do not take it and keep
SQLite's own waiting; in-memory databases, private to their connection, need none.

Its cursors also remember how they rewrote a statement's ``%s`` placeholders for SQLite
(``convert_query``, a regular expression over the whole statement): the same few statements
run over and over, and rewriting a user's view read took 16 us each time.
"""

from __future__ import annotations

import fcntl
import functools
import os
import time
from pathlib import Path

from django.db import OperationalError
from django.db.backends.sqlite3 import base, creation

FIRST_WAIT = 0.0001
LONGEST_WAIT = 0.001


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name: str, verbosity: int) -> None:
        super()._destroy_test_db(test_database_name, verbosity)
        if not self.is_in_memory_db(test_database_name):
            Path(f"{test_database_name}.writers").unlink(missing_ok=True)


# Statements longer than this (an IN list of thousands of keys, say) are rewritten each time,
# so the cache holds at most about 512 x 8 KiB.
CACHED_STATEMENT_LENGTH = 8192


@functools.lru_cache(maxsize=512)
def _qmark_style(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None and len(query) <= CACHED_STATEMENT_LENGTH:
            return _qmark_style(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    _writers: tuple[int, int] | None = None  # (process id, file descriptor)
    _holding_writers_lock = False

    def create_cursor(self, name: str | None = None) -> SQLiteCursorWrapper:
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    def _start_transaction_under_autocommit(self) -> None:
        if not self.is_in_memory_db():
            self._lock_writers()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._unlock_writers()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._unlock_writers()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._unlock_writers()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._unlock_writers()
            if self._writers is not None and self._writers[0] == os.getpid():
                os.close(self._writers[1])
            self._writers = None

    def _writers_file(self) -> int:
        # A descriptor inherited through fork() shares its lock with the parent: each process
        # opens its own, and never unlocks (nor closes) the parent's.
        if self._writers is None or self._writers[0] != os.getpid():
            path = f"{self.settings_dict['NAME']}.writers"
            self._writers = (os.getpid(), os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            self._holding_writers_lock = False
        return self._writers[1]

    def _lock_writers(self) -> None:
        descriptor = self._writers_file()
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        wait = FIRST_WAIT
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)
            else:
                self._holding_writers_lock = True
                return

    def _unlock_writers(self) -> None:
        if self._holding_writers_lock:
            self._holding_writers_lock = False
            if self._writers is not None and self._writers[0] == os.getpid():
                fcntl.flock(self._writers[1], fcntl.LOCK_UN)
