"""Rate limits for the SCIM API, counted where every app process sees them.

Two limits:

* per token: at most ``SCIM_RATE_LIMIT`` requests a minute (generous by default; an IdP's
  full import stays well under it). Over it: 429 with Retry-After.
* per client address, for failed authentications: after ``SCIM_AUTH_FAILURE_LIMIT`` wrong
  tokens in a minute, further wrong tokens get 429 without being checked.

Counters live in Django's cache (``CACHE_URL``: the database cache by default, Redis when it
points at one), so several gunicorn workers or hosts share them. To keep the per-request cost
near zero, each process counts locally and adds its count to the shared counter every
``FLUSH_SECONDS``, or sooner once it has counted 1% of the limit (``FLUSH_EVERY`` requests at
least); the shared limit may so be exceeded by at most that many requests per process before
429s start: a bounded overshoot, traded for not paying several cache round trips (a write
transaction, with the database cache) on every request.
"""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache

from accounts.transactions import write_transaction
from provisioning.scim.errors import TooManyRequests

WINDOW_SECONDS = 60
FLUSH_EVERY = 20
FLUSH_SECONDS = 1.0


def _window(now: float) -> int:
    return int(now // WINDOW_SECONDS)


def _retry_after(now: float) -> int:
    return max(1, WINDOW_SECONDS - int(now % WINDOW_SECONDS))


def flush_every(limit: int) -> int:
    """Requests a process may count before adding them to the shared counter: 1% of the
    limit, and at least ``FLUSH_EVERY`` (the overshoot a process can cause)."""
    return max(FLUSH_EVERY, limit // 100)


def _shared_add(key: str, amount: int) -> int:
    """Add to a shared counter that expires after its window; returns the new total."""
    with _cache_write():
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        try:
            return cache.incr(key, amount)
        except ValueError:  # expired between add and incr
            cache.set(key, amount, timeout=WINDOW_SECONDS * 2)
            return amount


def _cache_write() -> AbstractContextManager:
    """The database cache writes in transactions of its own: queued with the app's other
    writers (``write_transaction``), on SQLite they take their turn instead of sleeping in
    its busy handler. Another cache needs no transaction."""
    return write_transaction() if isinstance(caches["default"], DatabaseCache) else nullcontext()


@dataclass
class _Counter:
    window: int = -1
    pending: int = 0
    shared: int = 0
    flushed_at: float = 0.0


@dataclass
class TokenRateLimiter:
    """Process-local counting with periodic flushes to the shared cache (see module doc)."""

    counters: dict[str, _Counter] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, token_prefix: str, now: float | None = None) -> None:
        limit = settings.SCIM_RATE_LIMIT
        if not limit:
            return
        now = time.time() if now is None else now
        with self.lock:
            counter = self._counter(token_prefix, now)
            counter.pending += 1
            if counter.pending >= flush_every(limit) or now - counter.flushed_at >= FLUSH_SECONDS:
                key = f"scim-rate:{token_prefix}:{counter.window}"
                counter.shared = _shared_add(key, counter.pending)
                counter.pending, counter.flushed_at = 0, now
            total = counter.shared + counter.pending
        if total > limit:
            raise TooManyRequests(
                f"More than {limit} requests a minute with this token; retry later.",
                retry_after=_retry_after(now),
            )

    def _counter(self, token_prefix: str, now: float) -> _Counter:
        counter = self.counters.setdefault(token_prefix, _Counter())
        if counter.window != _window(now):
            counter.window, counter.pending, counter.shared = _window(now), 0, 0
            counter.flushed_at = 0.0
        return counter


token_limiter = TokenRateLimiter()


def check_failed_authentications(client_address: str, now: float | None = None) -> None:
    """Count a failed authentication from ``client_address``; 429 once there were too many.

    Failures are rare in normal operation, so each is counted in the shared cache at once.
    """
    limit = settings.SCIM_AUTH_FAILURE_LIMIT
    if not limit:
        return
    now = time.time() if now is None else now
    failures = _shared_add(f"scim-auth-failures:{client_address}:{_window(now)}", 1)
    if failures > limit:
        raise TooManyRequests(
            "Too many failed authentications from this address; retry later.",
            retry_after=_retry_after(now),
        )
