"""PostgreSQL: a reused connection is checked without a round trip to the server.

With ``CONN_HEALTH_CHECKS``, Django checks a persistent connection before a request's first
query (``SELECT 1``), so that one the server dropped (a restart, an idle timeout, an
administrator ending it) is replaced instead of failing the request. That check was one
round trip in three of a SCIM lookup.

A server that ends a connection says so first: it sends a FATAL error, then closes its end,
and either leaves the socket with something to read. So when the socket has nothing to read
and psycopg knows of no failure, the connection is as usable as ``SELECT 1`` would find it;
anything waiting there (the server's goodbye, most likely) and the real check runs. A peer
that vanished without a word (a host lost, a network cut) is not caught, but neither is it by
``SELECT 1``, which then waits on TCP as the request's first query would.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            waiting, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if waiting else True
