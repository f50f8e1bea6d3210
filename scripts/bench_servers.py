"""The servers a bench runs against: a fresh database with SCIM on (``prepare``), gunicorn on
a free loopback port (``gunicorn``), the workers' resident memory while it runs
(``WorkerMemory``). Shared by ``bench.py``, ``soak.py`` and ``fault.py``; every server started
here is stopped again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port}")


class WorkerMemory:
    """Resident memory of a gunicorn master's workers, sampled while a run goes on (Linux's
    /proc; nothing is reported where there is none)."""

    def __init__(self, master: int, every: float = 0.25) -> None:
        self.master, self.every = master, every
        self.samples: dict[int, list[int]] = {}  # worker pid -> RSS in KiB, in time order
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerMemory:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join(timeout=5)

    def _sample(self) -> None:
        while not self.done.is_set():
            for pid in self._workers():
                if (rss := self._rss(pid)) is not None:
                    self.samples.setdefault(pid, []).append(rss)
            self.done.wait(self.every)

    def _workers(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.master}/task/{self.master}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    @staticmethod
    def _rss(pid: int) -> int | None:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return None
        line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), None)
        return int(line.split()[1]) if line else None

    def summary(self) -> dict[str, list[float]]:
        """Per worker, in MiB: the first sample, the peak, the last."""
        series = [s for s in self.samples.values() if s]
        return {
            "start": [round(s[0] / 1024, 1) for s in series],
            "peak": [round(max(s) / 1024, 1) for s in series],
            "end": [round(s[-1] / 1024, 1) for s in series],
        }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return result.stdout


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # gunicorn's master; its workers are its children


@contextmanager
def gunicorn(env: dict[str, str], app: str, workers: int) -> Iterator[Server]:
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_for(port)
        yield Server(port, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def database_env(kind: str, workdir: Path) -> dict[str, str]:
    # The rate limit stays on (its cost is measured) but far above what a bench sends.
    env = {
        **os.environ,
        "LMS_VAR_DIR": str(workdir),
        "DEBUG": "false",
        "SCIM_RATE_LIMIT": "1000000000",
    }
    if kind == "sqlite":
        env.pop("DATABASE_URL", None)
    elif not env.get("DATABASE_URL"):
        raise SystemExit("PostgreSQL needs DATABASE_URL (run under scripts/with-postgres).")
    return env


def reset_postgres(env: dict[str, str]) -> None:
    """A fresh schema for each run, as SQLite gets a fresh file."""
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('DROP SCHEMA public CASCADE'); c.execute('CREATE SCHEMA public')\n"
    )
    subprocess.run(
        [PYTHON, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "lms.settings"},
        check=True,
        timeout=60,
    )


def prepare(env: dict[str, str], *, seed: int = 0) -> str:
    """A fresh, migrated database (seeded with ``seed`` users) with SCIM on; returns the token."""
    if env.get("DATABASE_URL"):
        reset_postgres(env)
    manage(env, "migrate", "--noinput", "-v0")
    if seed:
        manage(env, "seed_users", "--count", str(seed), "--prefix", "bench")
    manage(env, "scim", "enable")
    return manage(env, "scim", "rotate-token").strip().splitlines()[-1]
