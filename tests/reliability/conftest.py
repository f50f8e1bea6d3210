"""The app under gunicorn with several worker processes, on the test database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from provisioning import services
from tests.provisioning.conftest import scim, scim_as, scim_token  # noqa: F401 - shared

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn is not listening on {port}")


@dataclass
class Scim:
    base: str
    token: str

    def send(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict, dict]:
        """One request on its own connection: (status, JSON body or {}, headers)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/scim+json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw, status, head = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, head = error.read(), error.code, dict(error.headers)
        return status, json.loads(raw) if raw else {}, head


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra environment for the gunicorn server (a test may add settings to it)."""
    return {}


@contextmanager
def running_gunicorn(var_dir: Path, extra_env: dict[str, str]) -> Iterator[str]:
    """The app under gunicorn on the test database; yields the SCIM root URL."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "SCIM_TOKEN_PEPPER": settings.SCIM_TOKEN_PEPPER,
        "LMS_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT),
        **extra_env,
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "lms.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}/api/scim2"
    finally:
        server.terminate()
        server.wait(timeout=30)


def enable_scim() -> str:
    """Switch provisioning on and return a fresh token."""
    actor = services.Actor.system("tests")
    services.set_scim_enabled(True, actor=actor)
    return services.rotate_scim_token(actor=actor)


@pytest.fixture
def gunicorn_scim(transactional_db, tmp_path, server_env) -> Iterator[Scim]:
    """SCIM on gunicorn with several workers, sharing the test database with the test."""
    token = enable_scim()
    with running_gunicorn(tmp_path, server_env) as base:
        yield Scim(base=base, token=token)
