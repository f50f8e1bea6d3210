"""manage.py scim oauth-client create|list|rotate|revoke."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import timezone

from accounts.models import AuditEvent
from provisioning import services
from provisioning.models import EventType, OAuthClient
from tests.provisioning.oauth import request_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def enabled(db, actor) -> None:
    services.set_scim_enabled(True, actor=actor)


def oauth_command(*args: str) -> tuple[str, str]:
    """Run ``manage.py scim oauth-client *args``; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("scim", "oauth-client", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def credentials(out: str) -> tuple[str, str]:
    """The client id and secret: the last line of stdout, separated by a space."""
    client_id, secret = out.splitlines()[-1].split(" ")
    return client_id, secret


def from_the_command_line(capsys, *args: str) -> tuple[int, str]:
    """Run ``manage.py scim oauth-client *args`` as a shell would; (exit status, stderr)."""
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "scim", "oauth-client", *args]).execute()
    return exited.value.code, capsys.readouterr().err


def test_create_prints_client_id_and_secret_alone_on_the_last_line(client):
    out, err = oauth_command("create", "Entra")

    client_id, secret = credentials(out)
    assert client_id == OAuthClient.objects.get(name="Entra").client_id
    assert request_token(client, client_id, secret).status_code == 200
    assert "keep its secret now" in err
    assert secret not in err


def test_create_is_recorded(db):
    oauth_command("create", "Entra")

    event = AuditEvent.objects.get(event_type=EventType.OAUTH_CLIENT_CREATED)
    assert (event.actor_label, event.target_label) == ("system:manage.py scim", "Entra")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "Entra"), "already named 'Entra'"),
        (("create", "   "), "Give the client a name"),
        (("create", "x" * 101), "100 or fewer"),
        (("rotate", "Nobody"), "No SCIM OAuth client is named 'Nobody'"),
        (("revoke", "Nobody", "--yes"), "No SCIM OAuth client is named 'Nobody'"),
        (("rotate", "Entra", "--grace-minutes", "-1"), "--grace-minutes is 0 to 10080"),
    ],
)
def test_bad_input_is_a_command_error(args, message):
    oauth_command("create", "Entra")

    with pytest.raises(CommandError, match=message):
        oauth_command(*args)
    assert OAuthClient.objects.count() == 1


def test_from_the_command_line_bad_input_is_one_line_on_stderr(capsys):
    status, err = from_the_command_line(capsys, "rotate", "Nobody")

    assert status == 1
    assert err == "CommandError: No SCIM OAuth client is named 'Nobody'.\n"


@pytest.mark.parametrize(
    "args",
    [("create",), ("frobnicate",), (), ("rotate", "Entra", "--grace-minutes", "soon")],
    ids=["missing-name", "unknown-action", "no-action", "not-a-number"],
)
def test_from_the_command_line_a_usage_error_is_one_line_on_stderr(capsys, args):
    status, err = from_the_command_line(capsys, *args)

    assert status == 2
    assert err.count("\n") == 1
    assert "error:" in err


def test_list_shows_each_client_with_its_use(db):
    oauth_command("create", "Okta")
    oauth_command("create", "Entra")

    out, _ = oauth_command("list")

    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["Entra", "Okta"]
    entra = OAuthClient.objects.get(name="Entra")
    assert f"client id {entra.client_id}" in lines[0]
    assert "last used never" in lines[0]
    assert "valid secrets 1" in lines[0]


def test_list_says_when_there_are_none(db):
    out, _ = oauth_command("list")

    assert out.startswith("No SCIM OAuth clients")


def test_rotate_prints_a_new_secret_and_the_old_one_stops(client):
    client_id, old = credentials(oauth_command("create", "Entra")[0])

    same_id, new = credentials(oauth_command("rotate", "Entra")[0])

    assert same_id == client_id
    assert request_token(client, client_id, old).status_code == 401
    assert request_token(client, client_id, new).status_code == 200


def test_rotate_with_grace_keeps_the_old_secret_for_a_while(client):
    client_id, old = credentials(oauth_command("create", "Entra")[0])

    out, err = oauth_command("rotate", "Entra", "--grace-minutes", "30")

    _, new = credentials(out)
    assert "stops working after 0:30:00" in err
    assert request_token(client, client_id, old).status_code == 200
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(minutes=31)
    ):
        assert request_token(client, client_id, old).status_code == 401
        assert request_token(client, client_id, new).status_code == 200
    out, _ = oauth_command("list")
    assert "valid secrets 2" in out


def test_revoke_says_what_it_would_do_unless_told_yes(client, scim_as):
    client_id, secret = credentials(oauth_command("create", "Entra")[0])
    token = request_token(client, client_id, secret).json()["access_token"]

    out, _ = oauth_command("revoke", "Entra")

    assert out.startswith("Would revoke 'Entra'")
    assert scim_as(token).get("/Users").status_code == 200

    out, _ = oauth_command("revoke", "Entra", "--yes")

    assert out == "Revoked 'Entra'; 1 access token(s) ended.\n"
    assert scim_as(token).get("/Users").status_code == 401
    assert not OAuthClient.objects.exists()
    event = AuditEvent.objects.get(event_type=EventType.OAUTH_CLIENT_REVOKED)
    assert event.actor_label == "system:manage.py scim"
