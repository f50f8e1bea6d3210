"""The load client of `make bench`: Okta-shaped SCIM traffic in phases, every answer checked.

Phases, in this order (``--phases`` picks some of them):

  create     POST /Users for each of the N users, Okta's body with a password
  lookup     GET /Users?filter=userName eq "..." for N users drawn at random
  get        GET /Users/{id} for N users drawn at random
  patch      PATCH active false, then true, for each user (Okta's replace without a path)
  put        PUT /Users/{id} for each user: the whole profile with a new givenName
  readback   GET /Users/{id} for 100 users drawn at random: the PATCHes and PUTs were kept
  import     GET /Users?startIndex=...&count=100, every page in turn on one connection
  duplicate  POST of 50 existing users: 409 with scimType "uniqueness" (RFC 7644 §3.3)
  dupcase    the same for 10 userNames in upper case (RFC 7643 §4.1.1: not caseExact)

Per phase: requests, errors (not the expected status), mismatches (the expected status with a
wrong body: id, userName, givenName, active; a lookup that finds other than the one user; an
import that misses, repeats or holds a stale user), req/s and p50/p95/p99 latency. Each of the
C threads holds one keep-alive connection, re-opened whenever the server closes it. Without
create, the users get ids "1".."N" (for the fixed-JSON ceiling, run with --no-verify). Every
phase is bounded by its number of requests and by --phase-timeout.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from bench_checks import (
    BenchUser,
    Tally,
    finds_only,
    is_list_response,
    is_uniqueness_conflict,
    is_user,
    list_page,
    make_users,
    user_problem,
)
from okta_load import PAGE, Client, active_patch, lookup_path, page_path

READBACK = 100
DUPLICATES = 50
CASE_DUPLICATES = 10
WARM_UP = 10


@dataclass(frozen=True)
class Options:
    base_url: str
    token: str
    users: int = 2000
    concurrency: int = 4
    verify: bool = True  # False: statuses only (a fixed-JSON server answers anything)
    phase_timeout: float = 900.0


# Phases ------------------------------------------------------------------------------------


@dataclass
class Run:
    """What the phases share: the options, the users and one seeded source of choices."""

    options: Options
    users: list[BenchUser]
    rng: random.Random
    created: bool  # the users were created by this run (else their ids are made up)

    @property
    def live(self) -> list[BenchUser]:
        return [user for user in self.users if user.scim_id]

    def drawn(self, count: int) -> list[BenchUser]:
        live = self.live
        return [self.rng.choice(live) for _ in range(count)] if live else []

    def sample(self, count: int) -> list[BenchUser]:
        live = self.live
        return self.rng.sample(live, min(count, len(live)))

    def client(self) -> Client:
        return Client(self.options.base_url, self.options.token)


class Phase(Protocol):
    name: str

    def run(self, run: Run) -> Tally: ...


Step = Callable[[Client, BenchUser, Tally], None]


@dataclass(frozen=True)
class Pooled:
    """A phase of independent requests, one user at a time on each of the client threads."""

    name: str
    picks: Callable[[Run], Sequence[BenchUser]]
    step: Step

    def run(self, run: Run) -> Tally:
        tally = Tally(self.name, run.options.verify)
        pending = deque(self.picks(run))
        deadline = time.monotonic() + run.options.phase_timeout

        def work() -> None:
            with closing(run.client()) as client:
                while pending and time.monotonic() < deadline:
                    try:
                        user = pending.popleft()
                    except IndexError:  # another thread took the last one
                        return
                    self.step(client, user, tally)

        width = min(len(pending), run.options.concurrency)
        threads = [threading.Thread(target=work) for _ in range(width)]
        with tally.clock():
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        tally.not_run = len(pending)
        return tally


def create(client: Client, user: BenchUser, tally: Tally) -> None:
    answer = client.exchange("POST", "/Users", user.create_body())
    tally.book(answer, {201}, is_user(user))
    if answer.status == 201 and isinstance(answer.body, dict) and answer.body.get("id"):
        user.scim_id = str(answer.body["id"])


def lookup(client: Client, user: BenchUser, tally: Tally) -> None:
    tally.book(client.exchange("GET", lookup_path(user.user_name)), {200}, finds_only(user))


def get(client: Client, user: BenchUser, tally: Tally) -> None:
    tally.book(client.exchange("GET", user.path), {200}, is_user(user))


def deactivate_and_reactivate(client: Client, user: BenchUser, tally: Tally) -> None:
    for active in (False, True):
        expected = replace(user, active=active)
        answer = client.exchange("PATCH", user.path, active_patch(active))
        if tally.book(answer, {200, 204}, is_user(expected, empty_ok=True)):
            user.active = active


def replace_profile(client: Client, user: BenchUser, tally: Tally) -> None:
    expected = replace(user, given=f"New{user.given}")
    answer = client.exchange("PUT", user.path, expected.replace_body())
    if tally.book(answer, {200}, is_user(expected)):
        user.given = expected.given


def create_again(client: Client, user: BenchUser, tally: Tally) -> None:
    answer = client.exchange("POST", "/Users", user.create_body())
    tally.book(answer, {409}, is_uniqueness_conflict)


def create_again_upper_case(client: Client, user: BenchUser, tally: Tally) -> None:
    body = user.create_body() | {"userName": user.user_name.upper()}
    tally.book(client.exchange("POST", "/Users", body), {409}, is_uniqueness_conflict)


@dataclass(frozen=True)
class Import:
    """Okta's import: every page of 100 in turn, on one connection; then whether every user
    of the run came back exactly once, as it should be."""

    name: str = "import"

    def run(self, run: Run) -> Tally:
        tally = Tally(self.name, run.options.verify)
        with closing(run.client()) as client, tally.clock():
            resources, total = read_pages(client, tally, run.options.phase_timeout)
        found = audit(tally, run.live if run.created else [], resources, total)
        pages = [round(ms, 2) for ms in tally.latencies]
        tally.extra = {
            "pages": len(pages),
            "items": len(resources),
            "totalResults": total,
            **found,
            "first_page_ms": pages[0] if pages else None,
            "last_page_ms": pages[-1] if pages else None,
            "page_ms": pages,
        }
        return tally


def read_pages(client: Client, tally: Tally, timeout: float) -> tuple[list, int | None]:
    """Every page from startIndex 1 (RFC 7644 §3.4.2.4): the resources and last totalResults."""
    resources: list = []
    total: int | None = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(tally.latencies) <= (total or 0) // PAGE + 1:
        answer = client.exchange("GET", page_path(len(resources) + 1))
        page = list_page(answer.body)
        if not tally.book(answer, {200}, is_list_response) or page is None:
            break
        resources += page[0]
        total = page[1]
        if not page[0] or len(resources) >= total:
            break
    return resources, total


def audit(tally: Tally, users: list[BenchUser], resources: list, total: int | None) -> dict:
    """Count the run's users missing from an import, repeated in it, or stale in it."""
    by_id: dict[str, dict] = {}
    repeated = 0
    for resource in resources:
        scim_id = str(resource.get("id")) if isinstance(resource, dict) else ""
        repeated += scim_id in by_id
        by_id.setdefault(scim_id, resource)
    missing = sum(1 for user in users if user.scim_id not in by_id)
    stale = sum(
        1
        for user in users
        if tally.verify and user.scim_id in by_id and user_problem(user, by_id[user.scim_id])
    )
    tally.flag("a user of the run is missing from the import", missing)
    tally.flag("a user came twice in the import", repeated)
    tally.flag("a user is stale in the import", stale)
    tally.flag("the import's items are not totalResults", int(len(resources) != (total or 0)))
    return {"missing": missing, "duplicated": repeated, "stale": stale}


PHASES: dict[str, Phase] = {
    phase.name: phase
    for phase in (
        Pooled("create", lambda run: run.users, create),
        Pooled("lookup", lambda run: run.drawn(len(run.live)), lookup),
        Pooled("get", lambda run: run.drawn(len(run.live)), get),
        Pooled("patch", lambda run: run.live, deactivate_and_reactivate),
        Pooled("put", lambda run: run.live, replace_profile),
        Pooled("readback", lambda run: run.drawn(READBACK), get),
        Import(),
        Pooled("duplicate", lambda run: run.sample(DUPLICATES), create_again),
        Pooled("dupcase", lambda run: run.sample(CASE_DUPLICATES), create_again_upper_case),
    )
}


# Driver -----------------------------------------------------------------------------------


def warm_up(options: Options) -> None:
    """A few untimed requests; stop early if the server is away or refuses the token."""
    with closing(Client(options.base_url, options.token)) as client:
        for _ in range(WARM_UP):
            status = client.exchange("GET", "/Users?startIndex=1&count=1").status
            if status in (0, 401, 403):
                raise SystemExit(f"{options.base_url} answered {status or 'nothing'}")


def bench(options: Options, phases: Sequence[str], *, seed: int, tag: str) -> dict[str, dict]:
    """Run the phases in order; each one's summary by name."""
    rng = random.Random(seed)  # noqa: S311 - reproducible draws; nothing here is a secret
    users = make_users(options.users, tag, rng)
    run = Run(options, users, rng, created="create" in phases)
    if not run.created:
        for n, user in enumerate(users, start=1):
            user.scim_id = str(n)
    warm_up(options)
    results = {}
    for name in phases:
        tally = PHASES[name].run(run)
        results[name] = tally.summary()
        print(f"  {name:<10} {tally.wall:6.1f} s (client CPU {tally.cpu:.1f} s)", file=sys.stderr)
    return results


def table(results: dict[str, dict]) -> str:
    lines = [
        f"{'phase':<10} {'reqs':>6} {'errors':>6} {'mism':>5} {'req/s':>8} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    ]
    for name, p in results.items():
        lines.append(
            f"{name:<10} {p['requests']:>6} {p['errors']:>6} {p['mismatches']:>5} "
            f"{p['req_per_s'] or 0:>8.1f} {p['p50_ms'] or 0:>8.2f} {p['p95_ms'] or 0:>8.2f} "
            f"{p['p99_ms'] or 0:>8.2f}"
        )
    for name, p in results.items():
        if p["not_run"]:
            lines.append(f"{name}: {p['not_run']} requests not sent (--phase-timeout)")
        lines += [f"{name}: {n} x {problem}" for problem, n in p["problems"].items()]
    return "\n".join(lines)


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000/api/scim2")
    parser.add_argument("--token", default="", help="sent as Authorization: Bearer <token>")
    parser.add_argument("--users", type=int, default=2000, help="N (default 2000)")
    parser.add_argument("--concurrency", type=int, default=4, help="C (default 4)")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated, in order")
    parser.add_argument("--seed", type=int, default=1, help="for the users' draws")
    parser.add_argument("--tag", default=uuid.uuid4().hex[:8], help="makes userNames unique")
    parser.add_argument("--phase-timeout", type=float, default=900.0, help="seconds per phase")
    parser.add_argument("--no-verify", action="store_true", help="check statuses only")
    parser.add_argument("--label", default="", help="stored in the JSON (server, database)")
    parser.add_argument("--json-out", type=Path, help="write every figure here as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 on an error or mismatch")
    args = parser.parse_args(argv)
    args.phases = [name.strip() for name in args.phases.split(",") if name.strip()]
    if unknown := set(args.phases) - set(PHASES):
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if args.users < 1 or args.concurrency < 1:
        parser.error("--users and --concurrency must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    options = Options(
        args.base_url,
        args.token,
        args.users,
        args.concurrency,
        not args.no_verify,
        args.phase_timeout,
    )
    started = time.time()
    results = bench(options, args.phases, seed=args.seed, tag=args.tag)
    print(table(results))
    if args.json_out:
        meta = {
            "label": args.label,
            "base_url": args.base_url,
            "users": args.users,
            "concurrency": args.concurrency,
            "seed": args.seed,
            "tag": args.tag,
            "verify": options.verify,
            "started_unix": round(started),
            "python": platform.python_version(),
        }
        args.json_out.write_text(json.dumps({"meta": meta, "phases": results}, indent=1))
    failed = sum(p["errors"] + p["mismatches"] for p in results.values())
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
