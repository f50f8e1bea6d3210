"""Password sign-in by username or email, case-insensitively."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ) -> User | None:
        if not username or not password:
            return None
        user = (
            User.objects.with_username(username).first()
            or User.objects.with_email(username).first()
        )
        if user is None:
            # Run the hasher anyway so that timing does not tell which usernames exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        """Inactive and soft-deleted users cannot sign in (nor keep a session)."""
        return isinstance(user, User) and user.is_active and not user.is_deleted
