"""What every account use case shares: who acts, what a new user is, and how values are
checked (cleaning, passwords, uniqueness backed by the database's constraints)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, TextField

from accounts import sql
from accounts.exceptions import (
    EmailInUse,
    InvalidData,
    InvalidField,
    UsernameInUse,
    ValueInUse,
    ValuesInUse,
)
from accounts.models import (
    MAX_USERNAME_LENGTH,
    Branch,
    Source,
    User,
    UserSource,
    UserType,
    available_time_zones,
)

# BCP 47 language tags as IdPs send them ("en", "en-US"; Entra and some apps use "en_US").
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")

# Free-text profile fields: trimmed, at most 255 characters, may be empty.
PROFILE_FIELDS = frozenset(
    {
        "display_name",
        "formatted_name",
        "middle_name",
        "honorific_prefix",
        "honorific_suffix",
        "nick_name",
        "title",
        "profile_url",
        "employee_number",
        "organization",
        "division",
        "department",
        "cost_center",
        "manager_ref",
        "manager_display_name",
    }
)

# Lists kept as given: element key -> the longest text it holds.
CONTACT_LISTS: dict[str, dict[str, int]] = {
    "other_emails": {"value": 254, "type": 20, "primary": 0},
    "phone_numbers": {"value": 100, "display": 100, "type": 20, "primary": 0},
    "addresses": {
        "formatted": 1000,
        "streetAddress": 500,
        "locality": 200,
        "region": 200,
        "postalCode": 50,
        "country": 100,
        "type": 20,
        "primary": 0,
    },
}
MAX_LIST_ELEMENTS = 20

UPDATABLE_FIELDS = (
    PROFILE_FIELDS
    | CONTACT_LISTS.keys()
    | frozenset(
        {
            "custom_fields",
            "username",
            "email",
            "first_name",
            "last_name",
            "time_zone",
            "user_type",
            "language",
            "locale",
            "external_id",
            "branches",
            "is_active",
            "email_type",
            "email_primary",
            "password",
        }
    )
)


@dataclass(frozen=True)
class Actor:
    """Who does something, by which path, from where: shown in the audit trail, never a
    secret. ``address`` is the client's IP address for a web request, when known."""

    label: str
    user: User | None = None
    source: str = Source.SYSTEM
    address: str | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        """A management command (or Django's own, such as ``createsuperuser``)."""
        return cls(label=f"system:{name}", source=Source.COMMAND)

    @classmethod
    def for_user(
        cls, user: User, *, source: str = Source.PORTAL, address: str | None = None
    ) -> Actor:
        """A signed-in user of the portal's pages (or, with ``Source.BACK_OFFICE``, /admin/)."""
        return cls(label=f"user:{user.username}", user=user, source=source, address=_ip(address))

    @classmethod
    def for_request(cls, request: Any, *, source: str = Source.PORTAL) -> Actor:
        """The signed-in user of a page's request, at the request's address (REMOTE_ADDR: no
        proxy header is trusted for it)."""
        return cls.for_user(
            request.user, source=source, address=_ip(request.META.get("REMOTE_ADDR"))
        )

    def at(self, address: str | None) -> Actor:
        """This actor, acting from ``address`` (kept only if it is an IP address)."""
        return replace(self, address=_ip(address))

    @property
    def may_assign_super_admin(self) -> bool:
        """SuperAdmin is granted only in the portal or back office by a SuperAdmin (or by a
        command, run by whoever runs the server); an IdP never grants it, by SCIM or SSO, and
        neither does an actor that names no path."""
        if self.source == Source.COMMAND:
            return True
        if self.source not in {Source.PORTAL, Source.BACK_OFFICE} or self.user is None:
            return False
        return self.user.is_superuser or self.user.user_type.is_protected


def _ip(address: str | None) -> str | None:
    """An IP address as the trail stores it, or None (a server on a Unix socket may give none,
    or a path)."""
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


@dataclass(frozen=True, kw_only=True)
class NewUser:
    username: str
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    password: str | None = None
    time_zone: str | None = None
    user_type: UserType | None = None
    language: str | None = None
    branches: Sequence[Branch] = ()
    is_active: bool = True
    external_id: str = ""
    source: str = UserSource.MANUAL
    is_staff: bool = False
    is_superuser: bool = False
    locale: str = ""
    email_type: str = "work"
    email_primary: bool = True
    profile: Mapping[str, str] = field(default_factory=dict)  # PROFILE_FIELDS
    other_emails: Sequence[Mapping[str, Any]] = ()
    phone_numbers: Sequence[Mapping[str, Any]] = ()
    addresses: Sequence[Mapping[str, Any]] = ()
    custom_fields: Mapping[str, Any] = field(default_factory=dict)  # by field key


@dataclass(frozen=True)
class UserChange:
    """The outcome of an update: the user as saved and the names of the fields that changed."""

    user: User
    changed: tuple[str, ...] = field(default=())


# Cleaning -----------------------------------------------------------------------------------


def _clean_username(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidField("username", "A username is required.")
    if len(value) > MAX_USERNAME_LENGTH:
        raise InvalidField("username", f"A username has at most {MAX_USERNAME_LENGTH} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidField("username", "A username cannot contain control characters.")
    return value


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidField("email", f"{value!r} is not a valid email address.") from None
    # validate_email takes up to 320 characters; the column holds fewer (PostgreSQL refuses more).
    if len(value) > _max_length("email"):
        raise InvalidField(
            "email", f"An email address has at most {_max_length('email')} characters."
        )
    return value


def _clean_name(field_name: str, value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > 150:
        raise InvalidField(field_name, "A name has at most 150 characters.")
    return value


def _clean_time_zone(value: str) -> str:
    if value not in available_time_zones():
        raise InvalidField(
            "time_zone", f"{value!r} is not an IANA time zone name (e.g. Europe/Athens)."
        )
    return value


def _clean_language(value: str | None, field_name: str = "language") -> str:
    value = (value or "").strip()
    if value and not LANGUAGE_TAG.match(value):
        raise InvalidField(field_name, f"{value!r} is not a language tag (e.g. en or en-US).")
    if len(value) > _max_length(field_name):
        raise InvalidField(
            field_name, f"A language tag has at most {_max_length(field_name)} characters."
        )
    return value


def _clean_list(field_name: str, elements: Sequence[Mapping[str, Any]] | None) -> list[dict]:
    """A list of other email addresses, phone numbers or addresses: objects of the keys
    ``CONTACT_LISTS`` names, texts within their lengths and a boolean "primary", true at most
    once."""
    label = field_name.replace("_", " ")
    keys = CONTACT_LISTS[field_name]
    elements = list(elements or ())
    if len(elements) > MAX_LIST_ELEMENTS:
        raise InvalidField(field_name, f"A user has at most {MAX_LIST_ELEMENTS} {label}.")
    cleaned = []
    for element in elements:
        unknown = set(element) - keys.keys()
        if unknown:
            raise InvalidField(field_name, f"{label} have no {sorted(unknown)[0]!r}.")
        for key, value in element.items():
            if key == "primary" and not isinstance(value, bool):
                raise InvalidField(field_name, f"{label}: primary is true or false.")
            if key != "primary" and (not isinstance(value, str) or len(value) > keys[key]):
                raise InvalidField(
                    field_name, f"{label}: {key} is a text of at most {keys[key]} characters."
                )
        cleaned.append(dict(element))
    if sum(element.get("primary") is True for element in cleaned) > 1:
        raise InvalidField(field_name, f"Only one of the {label} can be primary.")
    return cleaned


def _max_length(field_name: str) -> int:
    field = User._meta.get_field(field_name)
    assert isinstance(field, CharField | TextField) and field.max_length is not None, field_name
    return field.max_length


def _clean_text(field_name: str, value: str | None) -> str:
    value = (value or "").strip()
    longest = _max_length(field_name)
    if len(value) > longest:
        raise InvalidField(
            field_name, f"{field_name.replace('_', ' ')} has at most {longest} characters."
        )
    return value


# Uniqueness -----------------------------------------------------------------------------------


class Checks:
    """Runs a use case's checks, keeping each refusal instead of stopping at the first, so a
    form can show every problem at once. ``raise_any()`` raises the one refusal, or all of
    them as ``InvalidData``."""

    def __init__(self) -> None:
        self.errors: list[InvalidField | ValueInUse] = []

    def __call__(
        self, check: Callable[..., Any], *args: Any, fallback: Any = None, **kw: Any
    ) -> Any:
        try:
            return check(*args, **kw)
        except InvalidData as several:
            self.errors += several.errors
        except (InvalidField, ValueInUse) as error:
            self.errors.append(error)
        return fallback

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors and all(isinstance(error, ValueInUse) for error in self.errors):
            raise ValuesInUse(self.errors)
        if self.errors:
            raise InvalidData(self.errors)


def check_unique(username: str | None, email: str | None, *, exclude_pk: int | None) -> None:
    """Both values, each refused on its own (``Checks`` keeps both refusals)."""
    checks = Checks()
    if username:
        checks(_check_unique, username, None, exclude_pk=exclude_pk)
    if email:
        checks(_check_unique, None, email, exclude_pk=exclude_pk)
    checks.raise_any()


def _check_unique(username: str | None, email: str | None, *, exclude_pk: int | None) -> None:
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if username is not None:
        holder = others.with_username(username).only("deleted_at").first()
        if holder is not None:
            raise UsernameInUse(username, held_by_deleted_user=holder.is_deleted)
    if email:
        holder = others.with_email(email).only("deleted_at").first()
        if holder is not None:
            raise EmailInUse(email, held_by_deleted_user=holder.is_deleted)


# A user's columns by attribute name (user_type_id), and the field each belongs to.
_FIELD_OF_COLUMN = {field.attname: field.name for field in User._meta.concrete_fields}


def _column_values(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in _FIELD_OF_COLUMN}


def _save(user: User, columns: Sequence[str] | None) -> None:
    """Save the whole row, or only ``columns`` (and the version they move). A write of some
    columns is the hot path of every SCIM PATCH and PUT, written in SQL (accounts.sql)."""
    if columns is None:
        user.save()
    else:
        sql.update(user, [*(_FIELD_OF_COLUMN[name] for name in columns), *user.next_version()])


def _save_unique(
    user: User,
    *,
    username: str | None,
    email: str | None,
    precheck: bool = True,
    columns: Sequence[str] | None = None,
) -> None:
    """Save (only ``columns``, if given), turning a lost race on a unique value into the same
    typed error as the check."""
    if username is None and email is None:
        _save(user, columns)  # no unique value changes: no race to lose
        return
    if precheck:
        _check_unique(username, email, exclude_pk=user.pk)
    try:
        with transaction.atomic():
            _save(user, columns)
    except IntegrityError:
        # Another transaction committed the same value between our check and our write.
        _check_unique(username, email, exclude_pk=user.pk)
        raise
