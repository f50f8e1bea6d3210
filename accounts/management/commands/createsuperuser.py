"""Django's createsuperuser, with the domain's refusals as one line and a non-zero exit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError

from accounts.exceptions import AccountError


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> str | None:
        # The user is made by accounts.services, which refuses what Django's command does not
        # check itself (a weak password given with --noinput or after "bypass validation", an
        # email or a deleted user's username already in use): a sentence for the operator,
        # not a traceback.
        try:
            return super().handle(*args, **options)
        except AccountError as error:
            raise CommandError(str(error)) from error
