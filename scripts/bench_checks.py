"""What a bench run's answers should be, and each phase's tally of them.

The users of a run as the server should hold them after the answers seen so far; checks that
name what is wrong with an answer of the expected status; and the tally that books each
answer as an error (not the expected status) or a mismatch (the expected status, a wrong
body), with the latencies behind req/s and p50/p95/p99.
"""

from __future__ import annotations

import random
import string
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from okta_load import Answer, okta_replace, okta_user, percentile

Check = Callable[[Answer], str | None]


@dataclass
class BenchUser:
    """One user of the run, as the server should hold it after the answers seen so far."""

    user_name: str
    given: str
    family: str
    external_id: str
    password: str
    scim_id: str = ""
    active: bool = True

    @property
    def path(self) -> str:
        return f"/Users/{self.scim_id}"

    def create_body(self) -> dict:
        return okta_user(
            self.user_name,
            given=self.given,
            family=self.family,
            external_id=self.external_id,
            password=self.password,
        )

    def replace_body(self) -> dict:
        return okta_replace(
            self.scim_id,
            self.user_name,
            given=self.given,
            family=self.family,
            external_id=self.external_id,
        )


def make_users(count: int, tag: str, rng: random.Random) -> list[BenchUser]:
    """``count`` users, unique to the run by ``tag``; ids and passwords drawn from ``rng``."""
    okta_id = string.ascii_letters + string.digits
    return [
        BenchUser(
            user_name=f"{tag}.{n:05d}@bench.example.com",
            given=f"Bench{n:05d}",
            family="Okta",
            external_id="00u" + "".join(rng.choices(okta_id, k=17)),  # Okta's 20-character ids
            password=f"Bench-{rng.getrandbits(64):016x}",
        )
        for n in range(1, count + 1)
    ]


# Checks: what is wrong with an answer of the expected status, or None ---------------------


def user_problem(expected: BenchUser, resource: Any) -> str | None:
    """The first difference between a User resource and the user it should be."""
    if not isinstance(resource, dict) or not resource.get("id"):
        return "a user without an id"
    if expected.scim_id and str(resource["id"]) != expected.scim_id:
        return "another user's id"
    if str(resource.get("userName")).lower() != expected.user_name.lower():
        return "userName is not the one sent"
    if (resource.get("name") or {}).get("givenName") != expected.given:
        return "givenName is not the latest one sent"
    if resource.get("active") is not expected.active:
        return "active is not the latest value sent"
    return None


def is_user(expected: BenchUser, *, empty_ok: bool = False) -> Check:
    """The answer is ``expected``; with ``empty_ok``, a 204 without a body will do too."""
    return lambda answer: (
        None if empty_ok and answer.status == 204 else user_problem(expected, answer.body)
    )


def finds_only(user: BenchUser) -> Check:
    def check(answer: Answer) -> str | None:
        found = list_page(answer.body)
        if found is None or found[1] != 1 or len(found[0]) != 1:
            return "the filter did not find exactly one user"
        return user_problem(user, found[0][0])

    return check


def is_uniqueness_conflict(answer: Answer) -> str | None:
    if not isinstance(answer.body, dict) or answer.body.get("scimType") != "uniqueness":
        return 'a 409 without scimType "uniqueness"'
    return None


def is_list_response(answer: Answer) -> str | None:
    return None if list_page(answer.body) is not None else "not a ListResponse"


def list_page(body: Any) -> tuple[list, int] | None:
    """A ListResponse's resources and totalResults (RFC 7644 §3.4.2), None if it is not one."""
    if not isinstance(body, dict) or not isinstance(body.get("totalResults"), int):
        return None
    resources = body.get("Resources", [])
    return (resources, body["totalResults"]) if isinstance(resources, list) else None


# Bookkeeping --------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one phase saw, shared by its threads."""

    name: str
    verify: bool
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    mismatches: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0
    cpu: float = 0.0  # this client's own CPU time
    not_run: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def book(self, answer: Answer, expected: Collection[int], check: Check) -> bool:
        """Count one answer; True when it has an expected status and (if verifying) a right
        body."""
        error = answer.status not in expected
        problem = None if error or not self.verify else safely(check, answer)
        with self.lock:
            self.latencies.append(answer.ms)
            self.statuses[answer.status] += 1
            self.errors += error
            self.mismatches += problem is not None
            if error or problem:
                self.problems[problem or f"HTTP {answer.status}"] += 1
        return not error and problem is None

    def flag(self, problem: str, count: int) -> None:
        """Mismatches found across answers (an import's missing or repeated users)."""
        if count:
            self.mismatches += count
            self.problems[problem] += count

    @contextmanager
    def clock(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall, self.cpu = time.perf_counter() - wall, time.process_time() - cpu

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        count = len(ordered)

        def ms(value: float) -> float | None:
            return round(value, 2) if count else None

        return {
            "requests": count,
            "errors": self.errors,
            "mismatches": self.mismatches,
            "not_run": self.not_run,
            "wall_s": round(self.wall, 3),
            "client_cpu_s": round(self.cpu, 3),
            "req_per_s": round(count / self.wall, 1) if count and self.wall else None,
            "p50_ms": ms(percentile(ordered, 50)),
            "p95_ms": ms(percentile(ordered, 95)),
            "p99_ms": ms(percentile(ordered, 99)),
            "max_ms": ms(ordered[-1] if ordered else 0),
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "problems": dict(self.problems),
            **self.extra,
        }


def safely(check: Check, answer: Answer) -> str | None:
    try:
        return check(answer)
    except (AttributeError, KeyError, IndexError, TypeError) as exc:
        return f"a malformed answer ({type(exc).__name__})"
