"""Third-party SCIM conformance checkers, run against the app on a loopback port.

scim2-tester (through scim2-cli's ``test`` command) and scim-sanity's ``probe`` in strict mode
are clients nobody here wrote: each creates, reads, replaces, patches, searches and deletes
users the way its authors read RFC 7643/7644. Their versions are pinned in pyproject.toml.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import Branch
from provisioning import services

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scim_base_url(live_server) -> str:
    # A portal as an IdP meets it: provisioning on, and a branch the LMS extension can name.
    Branch.objects.create(name="Sales", slug="sales")
    return f"{live_server.url}/api/scim2"


@pytest.fixture
def token() -> str:
    actor = services.Actor.system("conformance")
    services.set_scim_enabled(True, actor=actor)
    return services.rotate_scim_token(actor=actor)


def run(command: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )


def test_scim2_tester_finds_no_error(scim_base_url, token):
    result = run(
        [str(BIN / "scim2"), "--url", scim_base_url, "test"],
        SCIM_CLI_HEADERS=f"Authorization: Bearer {token}",
    )

    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "SUCCESS" in report
    assert "ERROR" not in report and "CRITICAL" not in report, report


def test_scim_sanity_strict_probe_passes(scim_base_url, token):
    result = run(
        [
            str(BIN / "scim-sanity"),
            "probe",
            scim_base_url,
            "--token",
            token,
            "--resource",
            "User",
            "--strict",
            "--i-accept-side-effects",
        ]
    )

    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "All tests passed." in report, report
    assert "[FAIL]" not in report, report
