"""Typed domain errors raised by ``accounts.services``.

Callers (the SCIM API, pages, commands) translate these into their own shape; none of them
ever has to look at message text to know what went wrong.
"""

from __future__ import annotations

from collections.abc import Collection


class AccountError(Exception):
    """Base class: a request the domain refuses. ``str(error)`` is a sentence for people."""


class InvalidField(AccountError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class InvalidPassword(InvalidField):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("password", " ".join(messages))
        self.messages = messages


class ValueInUse(AccountError):
    """A unique value (username or email) is held by another user, perhaps a soft-deleted one."""

    field = ""
    label = ""

    def __init__(self, value: str, *, held_by_deleted_user: bool) -> None:
        self.value = value
        self.held_by_deleted_user = held_by_deleted_user
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.held_by_deleted_user:
            return (
                f"The {self.label} {self.value!r} belongs to a deleted user. Restore that user, "
                f"or delete it permanently to free the {self.label}: in the portal under Users → "
                f"Deleted users (/users/deleted/), or with manage.py purge_deleted_users "
                f"--{self.field} {self.value!r} --commit."
            )
        return f"The {self.label} {self.value!r} is already used by another user."


class UsernameInUse(ValueInUse):
    field = "username"
    label = "username"


class EmailInUse(ValueInUse):
    field = "email"
    label = "email"


class CustomValueInUse(ValueInUse):
    """A value of a custom user field marked unique is held by another user, perhaps a
    soft-deleted one: a conflict, as a taken username or email is. ``field`` is the portal
    form's field (``custom_<key>``); the message names the field by its label and its key
    (what an IdP maps to). ``value`` is the typed value, shown as text."""

    def __init__(self, key: str, label: str, value: object, *, held_by_deleted_user: bool) -> None:
        self.key, self.label, self.field = key, label, f"custom_{key}"
        super().__init__(repr(value), held_by_deleted_user=held_by_deleted_user)

    def describe(self) -> str:
        if self.held_by_deleted_user:
            return (
                f"{self.label} ({self.key}): {self.value} is held by a deleted user. Restore "
                "that user, or delete it permanently to free the value."
            )
        return f"{self.label} ({self.key}): {self.value} is held by another user."


class InvalidData(AccountError):
    """Several refusals of one request at once (a form's time zone, username and email), so
    that the person can correct them all in one go; ``errors`` are the single ones."""

    def __init__(self, errors: list[InvalidField | ValueInUse]) -> None:
        super().__init__(" ".join(str(error) for error in errors))
        self.errors = errors


class ValuesInUse(InvalidData):
    """Several unique values (username and email) held by other users: a conflict, as one
    would be, not a malformed request."""


class VersionMismatch(AccountError):
    def __init__(self, expected: int | Collection[int], actual: int) -> None:
        named = (
            " or ".join(map(str, sorted(expected)))
            if isinstance(expected, Collection)
            else expected
        )
        super().__init__(f"The user has changed (version {actual}, expected {named}).")
        self.expected = expected
        self.actual = actual


class UserIsDeleted(AccountError):
    def __init__(self, username: str) -> None:
        super().__init__(f"User {username!r} is deleted; restore it first.")


class UserNotDeleted(AccountError):
    def __init__(self, username: str) -> None:
        super().__init__(
            f"User {username!r} is not deleted; only deleted users can be deleted permanently."
        )


class ProtectedUserType(AccountError):
    def __init__(self, name: str) -> None:
        super().__init__(f"The {name} user type cannot be changed or deleted.")


class SuperAdminNotAssignable(InvalidField):
    """SuperAdmin is granted in the portal or back office, by a SuperAdmin; never by an IdP."""

    def __init__(self, name: str) -> None:
        super().__init__(
            "user_type",
            f"The user type {name!r} is granted only in the portal, by a SuperAdmin.",
        )


class GroupNameInUse(AccountError):
    """Group names are unique case-insensitively."""

    field = "name"

    def __init__(self, name: str) -> None:
        super().__init__(f"A group named {name!r} already exists.")
        self.name = name


class GroupManagedElsewhere(AccountError):
    """A group an IdP manages over SCIM: its name and members are the IdP's, and a local
    edit would be undone by the next push."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The group {name!r} is managed by your identity provider over SCIM: change its "
            f"name and members there (a local edit would be overwritten by the next push)."
        )


class GroupVersionMismatch(VersionMismatch):
    def __init__(self, expected: Collection[int], actual: int) -> None:
        super().__init__(expected, actual)
        named = " or ".join(map(str, sorted(expected)))
        self.args = (f"The group has changed (version {actual}, expected {named}).",)
