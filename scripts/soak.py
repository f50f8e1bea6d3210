"""`make soak DURATION=60`: Okta-shaped traffic for a while against gunicorn on PostgreSQL.

Starts the app with several sync workers on a fresh database (DATABASE_URL, a throwaway
cluster under scripts/with-postgres), then for DURATION seconds each client thread runs Okta's
sequence for new users: look up, create (with a password), read, deactivate, reactivate,
replace, and now and then import a page. Prints requests, errors, p50/p99 per operation and
throughput, and exits 1 on any error. Bounded by the duration; the server is always stopped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench_servers import database_env, gunicorn, prepare
from okta_load import Client, Stats, life_cycle


def load(base_url: str, token: str, stats: Stats, deadline: float, thread: int) -> None:
    client = Client(base_url, token)
    run = uuid.uuid4().hex[:6]
    iteration = 0
    while time.monotonic() < deadline:
        life_cycle(client, stats, f"soak-{run}-{thread}-{iteration}@example.com", iteration)
        iteration += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="lms-soak-"))
    # Request log lines would drown the report; warnings and errors still show.
    env = database_env("postgres", workdir) | {"LOG_LEVEL": "WARNING"}
    token = prepare(env)
    stats = Stats()
    with gunicorn(env, "lms.wsgi", args.workers) as server:
        base_url = f"http://127.0.0.1:{server.port}/api/scim2"
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(target=load, args=(base_url, token, stats, deadline, n))
            for n in range(args.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 120)
        wall = time.monotonic() - started
    print(
        f"soak: {args.duration:.0f} s, {args.workers} workers, {args.concurrency} clients, "
        f"PostgreSQL"
    )
    print(stats.report(wall))
    for operation, statuses in stats.errors.items():
        if statuses:
            print(f"errors in {operation}: statuses {sorted(set(statuses))}", file=sys.stderr)
    sys.exit(1 if stats.error_count else 0)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    main()
