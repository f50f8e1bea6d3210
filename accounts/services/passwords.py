"""Passwords a use case sets: validated for the user they are set on, hashed ahead of time.

The hash is deliberately slow (Argon2id: tens of milliseconds). A write transaction holds a
row lock, and on SQLite the whole database's write lock, so a change of password is hashed
before its transaction opens (``hash_password``) and only set inside it (``set_password``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from accounts.exceptions import InvalidPassword
from accounts.models import User


@dataclass(frozen=True)
class HashedPassword:
    """A new password with its hash, computed before the transaction that sets it. Neither
    shows in its repr (nor so in a log or a traceback's locals)."""

    raw: str = field(repr=False)
    hashed: str = field(repr=False)


def hash_password(raw: str) -> HashedPassword:
    return HashedPassword(raw, make_password(raw))


def _raw(password: str | HashedPassword) -> str:
    return password.raw if isinstance(password, HashedPassword) else password


def validated_password(password: str, user: User, validators: list | None) -> str:
    """``password`` if the validators (default: AUTH_PASSWORD_VALIDATORS) accept it for
    ``user``; ``InvalidPassword`` naming every refusal if not."""
    try:
        password_validation.validate_password(password, user, password_validators=validators)
    except ValidationError as error:
        raise InvalidPassword(list(error.messages)) from None
    return password


def set_password(user: User, password: str | HashedPassword, validators: list | None) -> None:
    """Validate ``password`` for ``user`` (with the changes made so far) and set its hash,
    hashed now only if it was not ahead of time; ``password_changed`` once it is saved."""
    validated_password(_raw(password), user, validators)
    hashed = password if isinstance(password, HashedPassword) else hash_password(password)
    user.password = hashed.hashed


def password_changed(password: str | HashedPassword, user: User, validators: list | None) -> None:
    """Tell the validators that ``user``'s password, now saved, is ``password`` (Django's
    hook, which ``User.save()`` calls only after ``User.set_password()``)."""
    password_validation.password_changed(_raw(password), user, password_validators=validators)
