"""Create many users fast, for demos and load tests: ``manage.py seed_users --count 100000``.

Users are inserted in bulk (one INSERT per batch) rather than one service call each, so
100,000 users take seconds, not hours. They get the account's defaults (accounts.defaults),
no usable password, and usernames/emails ``<prefix>-<n>@example.com`` numbered after the
highest one already seeded, so running the command twice adds more users.
"""

from __future__ import annotations

import re

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accounts import defaults
from accounts.models import AccountSettings, User, UserSource
from accounts.transactions import write_transaction

BATCH = 2000


class Command(BaseCommand):
    help = "Create COUNT users in bulk (for demos and load tests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--prefix", default="seed", help="username prefix (default: seed)")
        parser.add_argument("--source", choices=UserSource.values, default=UserSource.MANUAL)

    def handle(self, *args, count: int, prefix: str, source: str, **options) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,30}", prefix):
            raise CommandError("--prefix takes lower-case letters, digits and dashes.")
        start = self.next_number(prefix)
        resolved = defaults.resolve(
            time_zone=None, user_type=None, branches=[], account=AccountSettings.load()
        )
        password = make_password(None)
        language = AccountSettings.load().default_language
        for first in range(start, start + count, BATCH):
            numbers = range(first, min(first + BATCH, start + count))
            with write_transaction():
                User.objects.bulk_create(
                    [self.user(prefix, n, resolved, password, source, language) for n in numbers]
                )
        # A bulk load changes the table's size at once: PostgreSQL's planner gets statistics
        # now rather than when autovacuum runs, or lookups are planned for the old size. (The
        # indexes are designed for SQLite's planner without statistics: none are made there.)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(User._meta.db_table)}")
        self.stdout.write(
            f"Created {count} users ({prefix}-{start:06d} to {prefix}-{start + count - 1:06d})."
        )

    def next_number(self, prefix: str) -> int:
        last = (
            User.objects.filter(username__startswith=f"{prefix}-")
            .order_by("-username")
            .values_list("username", flat=True)
            .first()
        )
        match = re.match(rf"{re.escape(prefix)}-(\d+)@", last or "")
        return int(match.group(1)) + 1 if match else 1

    @staticmethod
    def user(
        prefix: str, n: int, resolved: defaults.Resolved, password: str, source: str, language: str
    ) -> User:
        name = f"{prefix}-{n:06d}@example.com"
        return User(
            username=name,
            email=name,
            first_name="Seed",
            last_name=f"User {n}",
            time_zone=resolved.time_zone,
            time_zone_inherited=True,
            user_type=resolved.user_type,
            user_type_inherited=True,
            language=language,
            password=password,
            source=source,
        )
