"""PostgreSQL: a connection in steady use is checked without a round trip to the server.

With ``CONN_HEALTH_CHECKS``, Django checks a persistent connection before a request's first
query (``SELECT 1``), so that one the server dropped (a restart, an idle timeout, an
administrator ending it) is replaced instead of failing the request. That check was one
round trip in three of a SCIM lookup.

A server that ends a connection says so first: it sends a FATAL error, then closes its end,
and either leaves the socket with something to read. So a connection checked less than
``RECENT`` seconds ago, idle (no transaction open or failed), with nothing to read on its
socket and no failure known to psycopg, is taken as usable without asking. Otherwise, after
a pause in particular, ``SELECT 1`` runs as before: a peer that vanished without a word (a
failover, a NAT or load balancer that forgot the connection) answers it with a reset, and
the connection is replaced.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

RECENT = 5.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    _checked_at = float("-inf")

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        now = time.monotonic()
        recent = now - self._checked_at < RECENT
        if not (recent and self._quiet(connection)) and not super().is_usable():
            return False
        self._checked_at = now
        return True

    @staticmethod
    def _quiet(connection) -> bool:
        """Idle, and nothing (such as the server's goodbye) waiting on the socket."""
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
