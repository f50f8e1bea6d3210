"""manage.py scim enable|disable|status|rotate-token."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import Actor
from provisioning import services, tokens
from provisioning.models import EventType, ScimSettings

pytestmark = pytest.mark.django_db


def scim_command(*args: str) -> tuple[str, str]:
    """Run ``manage.py scim *args``; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("scim", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rotate(*args: str) -> str:
    """The token ``rotate-token`` prints: the last line of stdout, alone."""
    out, _ = scim_command("rotate-token", *args)
    return out.splitlines()[-1]


def status_code_with(scim_as, token: str) -> int:
    return scim_as(token).get("/Users").status_code


def test_enable_and_disable_switch_provisioning(scim_as):
    token = rotate()

    out, _ = scim_command("enable")
    assert out == "SCIM provisioning enabled.\n"
    assert ScimSettings.load().enabled
    assert status_code_with(scim_as, token) == 200

    out, _ = scim_command("disable")
    assert out == "SCIM provisioning disabled.\n"
    assert not ScimSettings.load().enabled
    assert status_code_with(scim_as, token) == 401


def test_enable_and_disable_are_recorded(db):
    scim_command("enable")
    scim_command("disable")

    events = AuditEvent.objects.order_by("pk").values_list("event_type", "actor_label")
    assert list(events) == [
        (EventType.SCIM_ENABLED, "system:manage.py scim"),
        (EventType.SCIM_DISABLED, "system:manage.py scim"),
    ]


def test_rotate_token_prints_the_token_alone_on_the_last_line(db):
    out, err = scim_command("rotate-token")

    token = out.splitlines()[-1]
    assert out == f"{token}\n"
    assert token == token.strip()
    assert tokens.prefix_of(token) == ScimSettings.load().token_prefix
    assert tokens.matches(token, ScimSettings.load().token_hash)
    assert token not in err
    assert "previous one stops working now" in err


def test_rotated_token_works_and_the_previous_one_stops(scim_as):
    scim_command("enable")
    old = rotate()

    new = rotate()

    assert status_code_with(scim_as, new) == 200
    assert status_code_with(scim_as, old) == 401


def test_grace_minutes_keep_the_previous_token_valid_for_a_while(scim_as):
    scim_command("enable")
    old = rotate()

    new = rotate("--grace-minutes", "10")

    assert status_code_with(scim_as, old) == 200
    assert status_code_with(scim_as, new) == 200
    valid_until = ScimSettings.load().previous_valid_until
    expected = timezone.now() + dt.timedelta(minutes=10)
    assert abs(valid_until - expected) < dt.timedelta(seconds=30)

    ScimSettings.objects.update(previous_valid_until=timezone.now() - dt.timedelta(seconds=1))

    assert status_code_with(scim_as, old) == 401
    assert status_code_with(scim_as, new) == 200


def test_status_shows_the_token_prefix_only(db):
    scim_command("enable")
    token = rotate()

    out, _ = scim_command("status")

    prefix = tokens.prefix_of(token)
    lines = out.splitlines()
    assert lines[:2] == ["enabled: yes", f"token: {prefix}…"]
    assert lines[2].startswith("token created: ")
    assert lines[3] == "token last used: never"
    assert token not in out
    assert token.split("_", 2)[2] not in out


def test_status_without_a_token_says_how_to_issue_one(db):
    out, _ = scim_command("status")

    assert out.splitlines() == [
        "enabled: no",
        "token: none",
        "Run `manage.py scim rotate-token` to issue a token.",
    ]


def test_requires_an_action(db):
    with pytest.raises(CommandError):
        scim_command()


def test_status_during_a_grace_period_shows_each_tokens_last_use(db, client):
    scim_command("enable")
    old = rotate()
    client.get("/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {old}")
    new = services.rotate_scim_token(actor=Actor.system("test"), grace=dt.timedelta(hours=1))

    client.get("/api/scim2/Users", HTTP_AUTHORIZATION=f"Bearer {old}")
    out, _ = scim_command("status")

    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert lines["token"] == f"{tokens.prefix_of(new)}…"
    assert lines["token last used"] == "never"  # the IdP has not switched yet
    assert lines["previous token"] == f"{tokens.prefix_of(old)}…"
    assert lines["previous token last used"] != "never"
    assert lines["previous token stops"] != "never"
