"""Okta-shaped SCIM traffic for the soak and fault scripts: a client, one user's life cycle,
and latency bookkeeping. Standard library only; every loop is bounded by a deadline."""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Client:
    """One keep-alive connection, re-opened after a network error."""

    def __init__(self, base_url: str, token: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.prefix = parts.hostname, parts.port, parts.path.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
        self.conn: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """(status, JSON body); status 0 when the server could not be reached."""
        data = json.dumps(body).encode() if body is not None else None
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.conn.request(method, self.prefix + path, body=data, headers=self.headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn = None
            return 0, {}
        try:
            return response.status, json.loads(raw) if raw else {}
        except ValueError:
            return response.status, {}


def okta_user(user_name: str) -> dict:
    """What Okta POSTs when it pushes a new user (with a password, as it always sends one)."""
    return {
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Soak", "familyName": "Test"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Soak Test",
        "locale": "en-US",
        "externalId": uuid.uuid4().hex[:20],
        "groups": [],
        "password": f"Pw-{uuid.uuid4().hex}",
        "active": True,
    }


def active_patch(active: bool) -> dict:
    return {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": active}}]}


@dataclass
class Stats:
    """Latencies and unexpected answers per operation, shared by the load threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, operation: str, status: int, expected: set[int], seconds: float) -> bool:
        with self.lock:
            self.latencies[operation].append(seconds * 1000)
            if status not in expected:
                self.errors[operation].append(status)
        return status in expected

    def report(self, wall_seconds: float) -> str:
        lines = [f"{'operation':<10} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8}"]
        errors = {operation: len(statuses) for operation, statuses in self.errors.items()}
        total = sum(len(v) for v in self.latencies.values())
        for operation, values in sorted(self.latencies.items()):
            values = sorted(values)
            lines.append(
                f"{operation:<10} {len(values):>8} {errors.get(operation, 0):>6} "
                f"{percentile(values, 50):>8.1f} {percentile(values, 99):>8.1f}"
            )
        every = sorted(v for values in self.latencies.values() for v in values)
        lines.append(
            f"{'all':<10} {total:>8} {self.error_count:>6} "
            f"{percentile(every, 50):>8.1f} {percentile(every, 99):>8.1f}"
        )
        lines.append(f"throughput: {total / wall_seconds:.1f} req/s over {wall_seconds:.0f} s")
        return "\n".join(lines)

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())


def percentile(values: list[float], p: float) -> float:
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)] if values else 0.0


def timed(stats: Stats, operation: str, expected: set[int], call) -> tuple[int, dict]:
    started = time.perf_counter()
    status, body = call()
    stats.record(operation, status, expected, time.perf_counter() - started)
    return status, body


def life_cycle(client: Client, stats: Stats, user_name: str, iteration: int) -> None:
    """Okta's sequence for one user: look up, create, read, deactivate, reactivate, replace."""
    lookup = f"/Users?filter={quote(f'userName eq {json.dumps(user_name)}')}&count=100"
    timed(stats, "lookup", {200}, lambda: client.send("GET", lookup))
    status, created = timed(
        stats, "create", {201}, lambda: client.send("POST", "/Users", okta_user(user_name))
    )
    if status != 201:
        return
    path = f"/Users/{created['id']}"
    timed(stats, "get", {200}, lambda: client.send("GET", path))
    for active in (False, True):
        timed(stats, "patch", {200}, lambda a=active: client.send("PATCH", path, active_patch(a)))
    replaced = okta_user(user_name) | {"name": {"givenName": "Soaked", "familyName": "Test"}}
    timed(stats, "put", {200}, lambda: client.send("PUT", path, replaced))
    if iteration % 10 == 0:
        timed(
            stats,
            "import",
            {200},
            lambda: client.send("GET", f"/Users?startIndex={iteration * 10 + 1}&count=100"),
        )
