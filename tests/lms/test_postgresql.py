"""PostgreSQL: a worker keeps its connection between requests, and replaces one the server
ended before a request uses it."""

from __future__ import annotations

import time
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a server to end connections"),
]


def serve(path: str) -> str:
    """One request through the WSGI handler, as a gunicorn worker serves it (Django's request
    started and finished signals included); returns the status line."""
    environ: dict = {"PATH_INFO": path}
    setup_testing_defaults(environ)
    statuses: list[str] = []
    response = get_wsgi_application()(environ, lambda status, headers: statuses.append(status))
    try:
        b"".join(response)
    finally:
        response.close()  # as the WSGI server does: request_finished
    return statuses[0]


def backend_pid() -> int:
    """The server process behind this thread's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def end_from_the_server(pid: int) -> None:
    """End one session as a restart or an administrator would, and wait until it is gone."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.05)
    finally:
        other.close()
    raise AssertionError(f"session {pid} is still there after 10 s")


def test_a_worker_keeps_its_connection_between_requests():
    assert serve("/healthz").startswith("200")
    pid = backend_pid()

    assert serve("/healthz").startswith("200")

    assert backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced_and_the_request_succeeds():
    assert serve("/healthz").startswith("200")
    pid = backend_pid()
    end_from_the_server(pid)

    assert serve("/healthz").startswith("200")

    assert backend_pid() != pid
