"""`make fault`: stop and restart PostgreSQL under Okta-shaped load, then check nothing was lost.

Under scripts/with-postgres (which exports PG_BINDIR, PG_DATADIR and PG_PORT of its throwaway
cluster): gunicorn with several workers on a fresh database; client threads push new users
(with passwords) and look them up; after DOWN_AFTER seconds the database is stopped for
DOWN_FOR seconds and started again; the load runs on for the rest of DURATION. Then:

* no answer was a 500 (503 with Retry-After is the expected answer while the database is away);
* every user acknowledged with 201 exists exactly once, and no refused create left a half;
* creates succeed again after the restart (the service recovered by itself).

Exits 1 if any of that fails. Bounded by DURATION; servers are always stopped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from bench_servers import ROOT, database_env, gunicorn, prepare
from okta_load import Client, lookup_path, okta_user


def pg_ctl(*args: str) -> None:
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    command = [*owner, f"{os.environ['PG_BINDIR']}/pg_ctl", "-D", os.environ["PG_DATADIR"], *args]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def stop_database() -> None:
    pg_ctl("-m", "fast", "stop")


def start_database() -> None:
    data = Path(os.environ["PG_DATADIR"])
    options = (
        f"-c listen_addresses=127.0.0.1 -p {os.environ['PG_PORT']} -k {data.parent} "
        "-c fsync=off -c max_connections=200"
    )
    pg_ctl("-l", str(data.parent / "server.log"), "-w", "-t", "60", "-o", options, "start")


class Outcomes:
    def __init__(self) -> None:
        self.creates: list[tuple[str, int, float]] = []
        self.statuses: Counter[int] = Counter()
        self.lock = threading.Lock()

    def add(self, user_name: str | None, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1
            if user_name is not None:
                self.creates.append((user_name, status, time.monotonic()))


def push_users(base_url: str, token: str, outcomes: Outcomes, deadline: float, n: int) -> None:
    client = Client(base_url, token)
    run = uuid.uuid4().hex[:6]
    i = 0
    while time.monotonic() < deadline:
        user_name = f"fault-{run}-{n}-{i}@example.com"
        status, _ = client.send("POST", "/Users", okta_user(user_name))
        outcomes.add(user_name, status)
        status, _ = client.send("GET", lookup_path(user_name))
        outcomes.add(None, status)
        i += 1
        if status != 200:
            time.sleep(0.2)  # an IdP backs off when told to retry later


def stored_users(env: dict[str, str]) -> Counter[str]:
    code = (
        "import django, json; django.setup()\n"
        "from accounts.models import User\n"
        "print(json.dumps(list(User.objects.filter(username__startswith='fault-')"
        ".values_list('username', flat=True))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "lms.settings"},
    )
    import json

    return Counter(json.loads(result.stdout))


def verdict(outcomes: Outcomes, stored: Counter[str], restarted_at: float) -> list[str]:
    problems = []
    bad = {s: c for s, c in outcomes.statuses.items() if s not in (200, 201, 503)}
    if bad:
        problems.append(f"unexpected statuses: {bad}")
    for user_name, status, _ in outcomes.creates:
        if status == 201 and stored[user_name] != 1:
            problems.append(f"{user_name} acknowledged with 201 but stored {stored[user_name]}x")
        if status != 201 and stored[user_name] > 1:
            problems.append(f"{user_name} refused ({status}) but stored {stored[user_name]}x")
    if not any(s == 201 and t > restarted_at + 5 for _, s, t in outcomes.creates):
        problems.append("no create succeeded after the database came back")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--down-after", type=float, default=10)
    parser.add_argument("--down-for", type=float, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=6)
    args = parser.parse_args()
    # Request log lines would drown the report; warnings and errors still show.
    env = database_env("postgres", Path(tempfile.mkdtemp(prefix="lms-fault-"))) | {
        "LOG_LEVEL": "WARNING"
    }
    token = prepare(env)
    outcomes = Outcomes()
    with gunicorn(env, "lms.wsgi", args.workers) as server:
        base_url = f"http://127.0.0.1:{server.port}/api/scim2"
        deadline = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=push_users, args=(base_url, token, outcomes, deadline, n))
            for n in range(args.concurrency)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.down_after)
        stop_database()
        print(f"fault: database stopped for {args.down_for:.0f} s", flush=True)
        time.sleep(args.down_for)
        start_database()
        restarted_at = time.monotonic()
        print("fault: database started again", flush=True)
        for thread in threads:
            thread.join(timeout=args.duration + 120)
    stored = stored_users(env)
    acknowledged = sum(1 for _, s, _ in outcomes.creates if s == 201)
    print(
        f"fault: {sum(outcomes.statuses.values())} requests, statuses "
        f"{dict(sorted(outcomes.statuses.items()))}; {acknowledged} users acknowledged, "
        f"{sum(stored.values())} stored"
    )
    problems = verdict(outcomes, stored, restarted_at)
    for problem in problems[:20]:
        print(f"FAIL {problem}")
    print("fault: OK, nothing lost, no 500" if not problems else f"fault: {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
