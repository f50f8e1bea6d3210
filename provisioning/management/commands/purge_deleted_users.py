"""Permanently delete soft-deleted users, freeing their usernames and emails.

Shows what it would delete unless given --commit. Users that are not soft-deleted are refused.
Each deletion is recorded in the audit trail, and the user's personal data is scrubbed from it.

    manage.py purge_deleted_users --email old@example.com --commit
    manage.py purge_deleted_users --deleted-before 2026-01-01
"""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts import services as accounts


def _date(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        # argparse turns this into one line on stderr and exit status 2 (CommandError from
        # call_command); any other exception here would end in a traceback.
        raise argparse.ArgumentTypeError(f"a date as YYYY-MM-DD, not {value!r}") from None
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class Command(BaseCommand):
    help = "Permanently delete soft-deleted users (dry run unless --commit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", action="append", default=[], metavar="USERNAME")
        parser.add_argument("--email", action="append", default=[], metavar="EMAIL")
        parser.add_argument("--id", action="append", default=[], type=int, dest="ids")
        parser.add_argument(
            "--deleted-before",
            type=_date,
            metavar="YYYY-MM-DD",
            help="every user soft-deleted before this date",
        )
        parser.add_argument(
            "--commit", action="store_true", help="really delete; without it, only show"
        )

    def handle(self, *args, **options) -> None:
        if not (
            options["username"] or options["email"] or options["ids"] or options["deleted_before"]
        ):
            raise CommandError("Select users with --username, --email, --id or --deleted-before.")
        deletable, refused = accounts.deleted_users_matching(
            usernames=options["username"],
            emails=options["email"],
            ids=options["ids"],
            deleted_before=options["deleted_before"],
        )
        for user in refused:
            self.stderr.write(f"refused: {user.username} <{user.email}> is not deleted")
        verb = "deleting" if options["commit"] else "would delete"
        actor = accounts.Actor.system("purge_deleted_users")
        for user in deletable:
            self.stdout.write(
                f"{verb}: {user.username} <{user.email}> (deleted {user.deleted_at:%Y-%m-%d})"
            )
            if options["commit"]:
                accounts.permanently_delete_user(user, actor=actor)
        if not deletable and not refused:
            raise CommandError(f"No user matches {_selection(options)}: nothing to delete.")
        summary = "Deleted" if options["commit"] else "Would delete"
        self.stdout.write(f"{summary} {len(deletable)} user(s); refused {len(refused)}.")
        if not options["commit"] and deletable:
            self.stdout.write("Dry run: nothing was deleted. Add --commit to delete.")
        if refused and not deletable:
            raise CommandError("Nothing to delete.")


def _selection(options: dict) -> str:
    """The selectors as given, for a message: --email a@x --deleted-before 2026-01-01."""
    parts = [f"--username {name}" for name in options["username"]]
    parts += [f"--email {email}" for email in options["email"]]
    parts += [f"--id {pk}" for pk in options["ids"]]
    if options["deleted_before"]:
        parts.append(f"--deleted-before {options['deleted_before']:%Y-%m-%d}")
    return " ".join(parts)
