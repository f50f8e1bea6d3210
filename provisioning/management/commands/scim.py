"""Operate the SCIM API: ``manage.py scim enable|disable|status|rotate-token|oauth-client``.

``rotate-token`` prints the new token alone on the last line of stdout, once; the previous
token stops working (or, with ``--grace-minutes``, after that long).

``oauth-client create NAME|list|rotate NAME|revoke NAME`` manages OAuth clients (RFC 6749
§4.4): ``create`` and ``rotate`` print the client id and its new secret, separated by a space,
alone on the last line of stdout, once. ``revoke`` says what it would do unless given ``--yes``.
Bad input is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from provisioning import services
from provisioning.models import OAuthClient, ScimSettings

ACTOR = services.Actor.system("manage.py scim")
LONGEST_GRACE_MINUTES = 7 * 24 * 60


class OneLineParser(CommandParser):
    """A sub-command's parser whose errors are one line on stderr (exit status 2), not usage."""

    def error(self, message: str):
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message}\n")
        raise CommandError(f"Error: {message}")


class Command(BaseCommand):
    help = "Enable, disable or inspect SCIM provisioning, or rotate its API token."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=OneLineParser)
        actions.add_parser("enable", help="accept SCIM requests")
        actions.add_parser("disable", help="refuse every SCIM request (401)")
        actions.add_parser("status", help="show whether SCIM is on and which token is set")
        rotate = actions.add_parser("rotate-token", help="issue a new API token")
        rotate.add_argument(
            "--grace-minutes",
            type=int,
            default=0,
            help="keep the previous token valid this long (default: stops at once)",
        )
        oauth = actions.add_parser("oauth-client", help="OAuth clients of the SCIM API")
        self.add_oauth_arguments(oauth)

    @staticmethod
    def add_oauth_arguments(parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="oauth_action", required=True)
        commands.add_parser(
            "create", help="create a client; prints its id and secret"
        ).add_argument("name")
        commands.add_parser("list", help="list the clients")
        rotate = commands.add_parser("rotate", help="issue a new secret; prints id and secret")
        rotate.add_argument("name")
        rotate.add_argument(
            "--grace-minutes",
            type=int,
            default=0,
            help="keep the previous secret valid this long (default: stops at once)",
        )
        revoke = commands.add_parser("revoke", help="delete a client; its tokens stop at once")
        revoke.add_argument("name")
        revoke.add_argument("--yes", action="store_true", help="revoke (else: say what would be)")

    def handle(self, *args, action: str, **options) -> None:
        if action in {"enable", "disable"}:
            services.set_scim_enabled(action == "enable", actor=ACTOR)
            self.stdout.write(f"SCIM provisioning {action}d.")
        elif action == "rotate-token":
            grace = dt.timedelta(minutes=max(0, options["grace_minutes"]))
            token = services.rotate_scim_token(actor=ACTOR, grace=grace or None)
            ending = f"after {grace}" if grace else "now"
            self.stderr.write(f"New SCIM API token; the previous one stops working {ending}.")
            self.stdout.write(token)
        elif action == "oauth-client":
            try:
                getattr(self, f"oauth_{options['oauth_action']}")(**options)
            except services.OAuthClientError as error:
                raise CommandError(str(error)) from None
        else:
            self.status()

    def oauth_create(self, *, name: str, **_) -> None:
        new = services.create_oauth_client(name, actor=ACTOR)
        lifetime = ScimSettings.load().oauth_token_lifetime_minutes
        self.stderr.write(f"SCIM OAuth client {new.client.name!r} created; keep its secret now.")
        self.stdout.write(f"scope: {services.oauth_clients.SCOPE}")
        self.stdout.write(f"access token lifetime: {lifetime} minutes")
        self.stdout.write(f"{new.client.client_id} {new.secret}")

    def oauth_list(self, **_) -> None:
        clients = OAuthClient.objects.order_by("name")
        if not clients:
            self.stdout.write(
                "No SCIM OAuth clients; create one with `scim oauth-client create NAME`."
            )
        now = timezone.now()
        for client in clients.prefetch_related("secrets"):
            valid = [s for s in client.secrets.all() if not s.valid_until or s.valid_until > now]
            self.stdout.write(
                f"{client.name}\tclient id {client.client_id}\tcreated {_moment(client.created_at)}"
                f"\tlast used {_moment(client.last_used_at)}\tvalid secrets {len(valid)}"
            )

    def oauth_rotate(self, *, name: str, grace_minutes: int, **_) -> None:
        if not 0 <= grace_minutes <= LONGEST_GRACE_MINUTES:
            raise CommandError(f"--grace-minutes is 0 to {LONGEST_GRACE_MINUTES}.")
        client = services.oauth_client_named(name)
        grace = dt.timedelta(minutes=grace_minutes)
        secret = services.rotate_oauth_client_secret(client, actor=ACTOR, grace=grace or None)
        ending = f"after {grace}" if grace else "now"
        self.stderr.write(
            f"New secret for {client.name!r}; the previous one stops working {ending}."
        )
        self.stdout.write(f"{client.client_id} {secret}")

    def oauth_revoke(self, *, name: str, yes: bool, **_) -> None:
        client = services.oauth_client_named(name)
        if not yes:
            self.stdout.write(
                f"Would revoke {client.name!r} ({client.client_id}): its secrets and access "
                "tokens stop working at once. Run again with --yes to revoke it."
            )
            return
        ended = services.revoke_oauth_client(client, actor=ACTOR)
        self.stdout.write(f"Revoked {client.name!r}; {ended} access token(s) ended.")

    def status(self) -> None:
        scim = ScimSettings.load()
        self.stdout.write(f"enabled: {'yes' if scim.enabled else 'no'}")
        self.stdout.write(f"token: {scim.token_prefix + '…' if scim.has_token else 'none'}")
        if scim.has_token:
            self.stdout.write(f"token created: {_moment(scim.token_created_at)}")
            self.stdout.write(f"token last used: {_moment(scim.last_used_at)}")
        if scim.previous_valid_until and scim.previous_valid_until > timezone.now():
            self.stdout.write(f"previous token: {scim.previous_token_prefix}…")
            self.stdout.write(f"previous token created: {_moment(scim.previous_token_created_at)}")
            self.stdout.write(f"previous token last used: {_moment(scim.previous_last_used_at)}")
            self.stdout.write(f"previous token stops: {_moment(scim.previous_valid_until)}")
        if not scim.has_token:
            self.stdout.write("Run `manage.py scim rotate-token` to issue a token.")


def _moment(value: dt.datetime | None) -> str:
    """A time as the settings page shows it (in the portal's time zone), or "never"."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "never"
