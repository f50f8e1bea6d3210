"""manage.py seed_users: many users fast, with the defaults, numbered on from the last run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.factories import account_settings

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_users", *args, stdout=out)
    return out.getvalue()


def test_seeds_users_with_account_defaults():
    account_settings(default_time_zone="Europe/Athens")

    output = seed("--count", "2500")

    assert "Created 2500 users (seed-000001 to seed-002500)." in output
    users = User.objects.filter(username__startswith="seed-")
    assert users.count() == 2500
    assert set(users.values_list("time_zone", flat=True)) == {"Europe/Athens"}
    assert not users.first().has_usable_password()


def test_a_second_run_continues_the_numbering():
    seed("--count", "3")

    assert "seed-000004 to seed-000005" in seed("--count", "2")
    assert User.objects.filter(username__startswith="seed-").count() == 5


@pytest.mark.parametrize("args", [["--count", "0"], ["--count", "1", "--prefix", "Bad Prefix"]])
def test_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        seed(*args)
