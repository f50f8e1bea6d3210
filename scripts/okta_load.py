"""Okta-shaped SCIM traffic for the bench, soak and fault scripts: a client, the request bodies
Okta sends, one user's life cycle, and latency bookkeeping. Standard library only; every loop is
bounded by a deadline."""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SCIM_JSON = "application/scim+json"
PAGE = 100  # Okta's page size, for lookups and imports alike


class Answer(NamedTuple):
    status: int  # 0 when the server could not be reached
    body: Any  # the decoded JSON, {} when there was none
    ms: float  # from sending the request to the last byte of the answer


class Client:
    """One keep-alive connection, re-opened after a network error."""

    def __init__(self, base_url: str, token: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.prefix = parts.hostname, parts.port, parts.path.rstrip("/")
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Accept": SCIM_JSON,
            "Content-Type": SCIM_JSON,
        }
        self.conn: http.client.HTTPConnection | None = None

    def exchange(self, method: str, path: str, body: dict | None = None) -> Answer:
        """One request and its answer, timed without the JSON encoding and decoding."""
        data = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.conn.request(method, self.prefix + path, body=data, headers=self.headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return Answer(0, {}, (time.perf_counter() - started) * 1000)
        ms = (time.perf_counter() - started) * 1000
        try:
            return Answer(response.status, json.loads(raw) if raw else {}, ms)
        except ValueError:
            return Answer(response.status, {}, ms)

    def send(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """(status, JSON body); status 0 when the server could not be reached."""
        answer = self.exchange(method, path, body)
        return answer.status, answer.body

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def okta_user(
    user_name: str,
    *,
    given: str = "Soak",
    family: str = "Test",
    external_id: str | None = None,
    password: str | None = None,
) -> dict:
    """What Okta POSTs when it pushes a new user (with a password, as it always sends one)."""
    return {
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": f"{given} {family}",
        "locale": "en-US",
        "externalId": external_id or uuid.uuid4().hex[:20],
        "groups": [],
        "password": password or f"Pw-{uuid.uuid4().hex}",
        "active": True,
    }


def okta_replace(
    scim_id: str, user_name: str, *, given: str, family: str, external_id: str
) -> dict:
    """Okta's PUT /Users/{id}: the whole profile with its id, and no password unless it changed."""
    body = okta_user(user_name, given=given, family=family, external_id=external_id)
    del body["password"]
    return body | {"id": scim_id}


def active_patch(active: bool) -> dict:
    """Okta's deactivation (false) and reactivation (true): a replace without a path."""
    return {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": active}}]}


def lookup_path(user_name: str) -> str:
    """Okta's check for an existing user before it pushes one (RFC 7644 §3.4.2.2 filter)."""
    expression = quote(f"userName eq {json.dumps(user_name)}", safe="")
    return f"/Users?filter={expression}&startIndex=1&count={PAGE}"


def page_path(start_index: int) -> str:
    """One page of Okta's import of every user (RFC 7644 §3.4.2.4)."""
    return f"/Users?startIndex={start_index}&count={PAGE}"


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
    timed(stats, "lookup", {200}, lambda: client.send("GET", lookup_path(user_name)))
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
        timed(stats, "import", {200}, lambda: client.send("GET", page_path(iteration * 10 + 1)))
