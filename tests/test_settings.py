"""Settings: secrets are never defaulted in production mode."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SCIM_TOKEN_PEPPER"}
    }
    environment.update(
        {"LMS_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "lms.settings", **env}
    )
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SECRET_KEY[:4], settings.DEBUG)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_without_secret_is_a_clear_error(tmp_path):
    result = load_settings(tmp_path, LMS_MODE="production")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_embedded_mode_generates_and_keeps_secrets_under_var(tmp_path):
    first = load_settings(tmp_path)
    second = load_settings(tmp_path)

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    secret_file = tmp_path / "secrets" / "secret_key"
    assert oct(secret_file.stat().st_mode)[-3:] == "600"
    assert (tmp_path / "secrets" / "scim_token_pepper").exists()


def test_debug_is_off_unless_asked_for(tmp_path):
    assert load_settings(tmp_path).stdout.split()[-1] == "False"
    assert load_settings(tmp_path, DEBUG="true").stdout.split()[-1] == "True"


def test_production_settings_pass_the_deploy_checks(tmp_path):
    environment = {k: v for k, v in os.environ.items()}
    environment.update(
        {
            "LMS_VAR_DIR": str(tmp_path),
            "LMS_MODE": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SCIM_TOKEN_PEPPER": "p" * 50,
            "ALLOWED_HOSTS": "lms.example.com",
            "PUBLIC_URL": "https://lms.example.com",  # as the README's production set-up
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
