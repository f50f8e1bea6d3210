"""manage.py createsuperuser: a SuperAdmin, or one line saying why not and a non-zero exit."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User, UserType
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
STRONG = "Tr0ub4dor&3-staple-horse"


class Terminal(StringIO):
    """Standard input as an operator's terminal (Django asks only a TTY for input)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def answers(monkeypatch) -> dict[str, str]:
    """Interactive answers, by the start of the prompt they answer."""
    given: dict[str, str] = {}

    def answer(prompt: str = "") -> str:
        return next(value for start, value in given.items() if prompt.startswith(start))

    monkeypatch.setattr("builtins.input", answer)
    # Django asks getpass() with its default prompt, "Password: ".
    monkeypatch.setattr(getpass, "getpass", lambda prompt="Password: ": answer(prompt))
    return given


def create_without_input(monkeypatch, username: str, email: str, password: str) -> str:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    out = StringIO()
    call_command("createsuperuser", interactive=False, username=username, email=email, stdout=out)
    return out.getvalue()


def test_creates_a_super_admin_with_back_office_access(monkeypatch):
    output = create_without_input(monkeypatch, "boss", "boss@example.com", STRONG)

    assert "Superuser created successfully." in output
    boss = User.objects.get(username="boss")
    assert (boss.is_staff, boss.is_superuser) == (True, True)
    assert boss.user_type.name == UserType.SUPER_ADMIN
    assert boss.check_password(STRONG)


def test_refuses_a_weak_password_with_the_validators_reasons(monkeypatch):
    with pytest.raises(CommandError, match=r"too short\..*entirely numeric\."):
        create_without_input(monkeypatch, "boss", "boss@example.com", "123")

    assert not User.objects.filter(username="boss").exists()


@pytest.mark.parametrize(
    ("username", "email", "reason"),
    [
        ("BOSS", "new@example.com", "The username 'BOSS' is already used by another user."),
        ("new", "Boss@Example.com", "The email 'Boss@Example.com' is already used by another"),
        ("gone", "gone2@example.com", "The username 'gone' belongs to a deleted user."),
    ],
)
def test_refuses_a_username_or_email_already_in_use(monkeypatch, username, email, reason):
    UserFactory(username="boss", email="boss@example.com")
    UserFactory(username="gone", email="gone@example.com", deleted=True)

    with pytest.raises(CommandError) as refused:
        create_without_input(monkeypatch, username, email, STRONG)

    assert str(refused.value).startswith(reason)
    assert User.objects.count() == 2


def test_interactively_bypassing_validation_of_a_weak_password_is_refused(answers):
    answers.update(
        {"Username": "boss", "Email": "boss@example.com", "Password": "123", "Bypass": "y"}
    )

    with pytest.raises(CommandError, match="This password is too short"):
        call_command("createsuperuser", stdin=Terminal(), stdout=StringIO(), stderr=StringIO())

    assert not User.objects.filter(username="boss").exists()


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


# A transaction of the test's own would hold the write lock the command waits for on SQLite.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_manage_py_prints_one_line_and_exits_non_zero(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "SCIM_TOKEN_PEPPER": settings.SCIM_TOKEN_PEPPER,
        "LMS_VAR_DIR": str(tmp_path),
        "DJANGO_SUPERUSER_USERNAME": "boss",
        "DJANGO_SUPERUSER_EMAIL": "boss@example.com",
        "DJANGO_SUPERUSER_PASSWORD": "123",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: This password is too short.")
    assert result.stderr.count("\n") == 1
    assert not User.objects.filter(username="boss").exists()
