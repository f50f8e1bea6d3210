"""Operate the SCIM API: ``manage.py scim enable|disable|status|rotate-token``.

``rotate-token`` prints the new token alone on the last line of stdout, once; the previous
token stops working (or, with ``--grace-minutes``, after that long).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from provisioning import services
from provisioning.models import ScimSettings

ACTOR = services.Actor.system("manage.py scim")


class Command(BaseCommand):
    help = "Enable, disable or inspect SCIM provisioning, or rotate its API token."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
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
        else:
            self.status()

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
