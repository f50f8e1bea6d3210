"""Security headers on every answer; secure cookies and HSTS in production mode."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/login/", "/api/scim2/Users", "/healthz"])
def test_security_headers_are_set(client, path):
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_production_mode_makes_cookies_secure_and_sends_hsts(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    env = {
        **os.environ,
        "LMS_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SCIM_TOKEN_PEPPER": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "lms.example.com",
        "LMS_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lms.settings",
    }

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.split() == ["True"] * 5, result.stderr
