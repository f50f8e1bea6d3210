"""manage.py purge_deleted_users: dry run by default, refuses live users, frees values."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_deleted_users", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_dry_run_shows_and_keeps(deleted_bob):
    output = purge("--email", "BOB@example.com")

    assert "would delete: bob@example.com" in output
    assert "Would delete 1 user(s); refused 0." in output
    assert User.objects.filter(pk=deleted_bob.pk).exists()


def test_commit_deletes_and_frees_the_email(deleted_bob):
    output = purge("--username", "bob@example.com", "--commit")

    assert "Deleted 1 user(s); refused 0." in output
    assert not User.objects.filter(pk=deleted_bob.pk).exists()
    UserFactory(username="new-bob", email="bob@example.com")


def test_refuses_users_that_are_not_deleted(alice):
    with pytest.raises(CommandError, match="Nothing to delete"):
        purge("--id", str(alice.pk), "--commit")

    assert User.objects.filter(pk=alice.pk).exists()


def test_mixed_selection_deletes_deleted_and_reports_refused(alice, deleted_bob):
    err = StringIO()
    out = StringIO()
    call_command(
        "purge_deleted_users",
        "--email",
        alice.email,
        "--email",
        deleted_bob.email,
        "--commit",
        stdout=out,
        stderr=err,
    )

    assert "refused: alice@example.com" in err.getvalue()
    assert "Deleted 1 user(s); refused 1." in out.getvalue()
    assert User.objects.filter(pk=alice.pk).exists()


def test_selects_by_deletion_date():
    old = UserFactory(deleted_at=timezone.now() - dt.timedelta(days=40))
    recent = UserFactory(deleted_at=timezone.now() - dt.timedelta(days=2))
    live = UserFactory()
    cutoff = (timezone.now() - dt.timedelta(days=30)).date().isoformat()

    output = purge("--deleted-before", cutoff, "--commit")

    assert "Deleted 1 user(s)" in output
    assert set(User.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not User.objects.filter(pk=old.pk).exists()


def test_requires_a_selection():
    with pytest.raises(CommandError, match="Select users"):
        purge()


def test_rejects_a_malformed_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        purge("--deleted-before", "last week")


def test_purge_is_recorded_as_the_commands_and_scrubs_the_user_from_the_trail(deleted_bob):
    from accounts import services
    from accounts.models import AuditEvent, EventType, Source

    scim = services.Actor(label="scim:token abcd", source=Source.SCIM)
    services.restore_user(deleted_bob, actor=scim)
    services.update_user(deleted_bob, {"first_name": "Robert"}, actor=scim)
    services.soft_delete_user(deleted_bob, actor=scim)

    purge("--email", "bob@example.com", "--commit")

    rows = list(AuditEvent.objects.order_by("pk"))
    label = f"purged user {deleted_bob.scim_id}"
    assert [(r.event_type, r.target_label) for r in rows] == [
        (EventType.USER_RESTORED, label),
        (EventType.USER_UPDATED, label),
        (EventType.USER_DELETED, label),
        (EventType.USER_PURGED, label),
    ]
    assert rows[1].changes == [{"field": "first_name"}]
    assert (rows[3].source, rows[3].actor_label) == (Source.COMMAND, "system:purge_deleted_users")
    stored = repr(list(AuditEvent.objects.values()))
    assert "bob@example.com" not in stored and "Robert" not in stored


def test_a_selection_that_matches_nobody_says_so_and_fails(alice):
    with pytest.raises(CommandError, match=r"No user matches --email nobody@example\.com"):
        purge("--email", "nobody@example.com", "--commit")


def test_a_malformed_date_on_the_command_line_is_one_line_and_a_non_zero_exit():
    done = subprocess.run(
        [sys.executable, "manage.py", "purge_deleted_users", "--deleted-before", "yesterday"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "--deleted-before: a date as YYYY-MM-DD, not 'yesterday'" in done.stderr.splitlines()[-1]
