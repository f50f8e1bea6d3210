"""scripts/bench_client.py, the load client of `make bench`: a small run against the app under
gunicorn sees no error and no mismatch in any phase (so the bench cannot rot unnoticed), and its
checks do catch a wrong answer."""

from __future__ import annotations

import importlib
import json
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from tests.reliability.conftest import ROOT, enable_scim, running_gunicorn

CLIENT = ROOT / "scripts" / "bench_client.py"
PHASES = ["create", "lookup", "get", "patch", "put", "readback", "import", "duplicate", "dupcase"]


@pytest.fixture
def scripts(monkeypatch) -> SimpleNamespace:
    """The client's modules, imported as the scripts import each other."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    return SimpleNamespace(
        checks=importlib.import_module("bench_checks"),
        client=importlib.import_module("bench_client"),
    )


def run_client(base: str, token: str, out: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, str(CLIENT), "--base-url", base, "--token", token]
    command += ["--users", "12", "--concurrency", "2", "--strict", "--json-out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.live_server_process
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_small_run_of_every_phase_sees_no_error_and_no_mismatch(tmp_path):
    # Users already there make the import span two pages of 100.
    call_command("seed_users", "--count", "150", "--prefix", "seed", stdout=None)
    token = enable_scim()

    with running_gunicorn(tmp_path, {"LOG_LEVEL": "WARNING"}) as base:
        result = run_client(base, token, tmp_path / "bench.json")

    assert result.returncode == 0, result.stdout + result.stderr
    phases = json.loads((tmp_path / "bench.json").read_text())["phases"]
    assert list(phases) == PHASES
    assert {name: (p["errors"], p["mismatches"]) for name, p in phases.items()} == {
        name: (0, 0) for name in PHASES
    }
    assert all(p["requests"] > 0 for p in phases.values())
    imported = phases["import"]
    assert (imported["pages"], imported["items"], imported["totalResults"]) == (2, 162, 162)


def test_an_answer_with_a_stale_given_name_is_a_mismatch(scripts):
    user = scripts.checks.make_users(1, "t", random.Random(0))[0]
    user.scim_id = "7"
    tally = scripts.checks.Tally("get", verify=True)
    stale = {"id": "7", "userName": user.user_name, "name": {"givenName": "Old"}, "active": True}

    ok = tally.book(scripts.checks.Answer(200, stale, 1.0), {200}, scripts.checks.is_user(user))

    assert not ok
    assert (tally.errors, tally.mismatches) == (0, 1)
    assert tally.problems == {"givenName is not the latest one sent": 1}


def test_a_lookup_that_finds_no_user_is_a_mismatch(scripts):
    user = scripts.checks.make_users(1, "t", random.Random(0))[0]
    tally = scripts.checks.Tally("lookup", verify=True)
    empty = {"totalResults": 0, "Resources": []}

    tally.book(scripts.checks.Answer(200, empty, 1.0), {200}, scripts.checks.finds_only(user))

    assert tally.problems == {"the filter did not find exactly one user": 1}


def test_an_import_without_a_user_of_the_run_is_a_mismatch(scripts):
    users = scripts.checks.make_users(2, "t", random.Random(0))
    for n, user in enumerate(users, start=1):
        user.scim_id = str(n)
    tally = scripts.checks.Tally("import", verify=True)
    resource = {"id": "1", "userName": users[0].user_name, "name": {"givenName": users[0].given}}

    found = scripts.client.audit(tally, users, [resource | {"active": True}], total=1)

    assert found == {"missing": 1, "duplicated": 0, "stale": 0}
    assert tally.mismatches == 1


def test_a_status_other_than_the_expected_one_is_an_error(scripts):
    tally = scripts.checks.Tally("duplicate", verify=True)

    created = scripts.checks.Answer(201, {"id": "9"}, 1.0)
    tally.book(created, {409}, scripts.checks.is_uniqueness_conflict)

    assert (tally.errors, tally.mismatches) == (1, 0)
    assert tally.problems == {"HTTP 201": 1}
