"""Accounts: the portal's users, user types, branches and account-wide defaults.

State and constraints live here; use cases (creating, deactivating, deleting, ...) live in
``accounts.services``. The database backs every uniqueness rule the services check, so a race
between two requests still ends with one winner and a typed error for the other.
"""

from __future__ import annotations

import uuid
import zoneinfo
from functools import cache
from types import ModuleType
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

MAX_USERNAME_LENGTH = 255


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(f"{value!r} is not an IANA time zone name (e.g. Europe/Athens).")


class Role(models.TextChoices):
    """What a user type may do, whatever it is called in a portal."""

    ADMINISTRATOR = "administrator", "Administrator"
    INSTRUCTOR = "instructor", "Instructor"
    LEARNER = "learner", "Learner"


class UserType(models.Model):
    """A named set of permissions; the four defaults are seeded by a data migration."""

    SUPER_ADMIN = "SuperAdmin"
    ADMIN = "Admin-Type"
    TRAINER = "Trainer-Type"
    LEARNER = "Learner-Type"

    name = models.CharField(max_length=100, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    is_builtin = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_protected(self) -> bool:
        """SuperAdmin can be neither edited nor deleted."""
        return self.name == self.SUPER_ADMIN and self.is_builtin


class Branch(models.Model):
    """A sub-portal: users belong to branches, and a branch may carry its own defaults."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    default_time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    default_user_type = models.ForeignKey(
        UserType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "branches"

    def __str__(self) -> str:
        return self.name


def _learner_type_pk() -> int | None:
    return UserType.objects.filter(name=UserType.LEARNER).values_list("pk", flat=True).first()


class AccountSettings(models.Model):
    """The portal's account-wide defaults; exactly one row (pk=1)."""

    default_time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone]
    )
    default_user_type = models.ForeignKey(
        UserType, on_delete=models.PROTECT, related_name="+", default=_learner_type_pk
    )
    default_language = models.CharField(max_length=35, default="en")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "account settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="account_settings_singleton")
        ]

    def __str__(self) -> str:
        return "Account settings"

    @classmethod
    def load(cls) -> AccountSettings:
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings


class UserSource(models.TextChoices):
    MANUAL = "manual", "Created by hand"
    SCIM = "scim", "Created by SCIM"
    SSO = "sso", "Created at SSO sign-in"


# The users the SCIM API sees: not soft-deleted, and no back-office accounts (staff and
# superusers are not the IdP's to read or change). Also the condition of the index SCIM lists
# page through, so the two cannot drift apart.
SCIM_VISIBLE_FIELDS = {"deleted_at__isnull": True, "is_staff": False, "is_superuser": False}
SCIM_VISIBLE = models.Q(**SCIM_VISIBLE_FIELDS)


def scim_visible_through(relation: str) -> models.Q:
    """``SCIM_VISIBLE`` for the users a relation leads to ("user" of a membership)."""
    return models.Q(**{f"{relation}__{key}": value for key, value in SCIM_VISIBLE_FIELDS.items()})


class UserQuerySet(models.QuerySet):
    def alive(self) -> UserQuerySet:
        """Users that are not soft-deleted (active or not)."""
        return self.filter(deleted_at__isnull=True)

    def scim_visible(self) -> UserQuerySet:
        """Every user the SCIM API may show or change, in a stable order (``SCIM_VISIBLE``).

        Security-critical: every SCIM read and write starts here, so soft-deleted users and
        back-office accounts are invisible to the IdP (404 by id, absent from lists) whatever
        filter it sends. Which columns and relations to read is the caller's choice.
        """
        return self.filter(SCIM_VISIBLE).order_by("pk")

    def soft_deleted(self) -> UserQuerySet:
        return self.filter(deleted_at__isnull=False)

    def with_username(self, username: str) -> UserQuerySet:
        """Case-insensitive match that uses the ``lower(username)`` unique index."""
        return self.alias(username_lower=Lower("username")).filter(
            username_lower=Lower(models.Value(username))
        )

    def with_email(self, email: str) -> UserQuerySet:
        """Case-insensitive match that uses the ``lower(email)`` unique index."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(models.Value(email)))


# The Django plugin of mypy cannot type a class statement's base built by from_queryset();
# the queryset's methods then type as Any on the manager, which is what they return.
class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Used by Django itself (createsuperuser, auth); the product goes through services.

    Django's commands create users here. The use cases that do it (accounts.services) import
    these models, so they cannot be imported by them: ``AccountsConfig.ready()`` hands them
    to the manager once every app is loaded.
    """

    use_in_migrations = True
    # The accounts.services module, set by AccountsConfig.ready().
    use_cases: ClassVar[ModuleType]

    def get_by_natural_key(self, username: str) -> User:
        return self.with_username(username).get()

    def create_user(self, username: str, email: str, password: str | None = None, **extra):
        services = self.use_cases
        return services.create_user(
            services.NewUser(username=username, email=email, password=password, **extra),
            actor=services.Actor.system("manage.py"),
        )

    def create_superuser(self, username: str, email: str, password: str | None = None, **extra):
        services = self.use_cases
        return services.create_superuser(
            username=username,
            email=email,
            password=password,
            actor=services.Actor.system("manage.py"),
        )


class User(AbstractBaseUser, PermissionsMixin):
    """A portal user.

    ``username`` is the IdP's TargetedId. ``username`` and ``email`` are unique
    case-insensitively across *all* rows, soft-deleted ones included: a soft-deleted user keeps
    both until it is permanently deleted, so that restoring it can never collide.
    """

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField(max_length=MAX_USERNAME_LENGTH)
    # Optional, as in SCIM (RFC 7643 §4.1.2), but unique whenever given: NULL when absent, so
    # that a plain unique index (which ignores NULLs) serves both rules on every database.
    email = models.EmailField(max_length=254, null=True, blank=True)  # noqa: DJ001
    # How the IdP labels the address ("work", "home", ...) and whether it marks it primary;
    # kept so that what an IdP writes is what it reads back.
    email_type = models.CharField(max_length=20, blank=True, default="work")
    email_primary = models.BooleanField(default=True)
    # The other addresses an IdP sends, each {"value", "type", "primary"} as sent; not unique,
    # and nobody signs in with them.
    other_emails = models.JSONField(default=list, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    user_type = models.ForeignKey(UserType, on_delete=models.PROTECT, related_name="users")
    language = models.CharField(max_length=35, blank=True)
    locale = models.CharField(max_length=35, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    # The rest of the core SCIM profile (RFC 7643 §4.1.1) an IdP's default mapping pushes,
    # kept as it was sent and shown on the user's page. Text columns (their lengths are the
    # services' rule): PostgreSQL estimates a row's width from varchar lengths, and rows
    # estimated near a page's size led its planner, on a table without statistics, to find a
    # user by scanning an index of all of them (tests/accounts/test_sql.py pins the plans).
    formatted_name = models.TextField(max_length=255, blank=True)
    middle_name = models.TextField(max_length=150, blank=True)
    honorific_prefix = models.TextField(max_length=50, blank=True)
    honorific_suffix = models.TextField(max_length=50, blank=True)
    nick_name = models.TextField(max_length=150, blank=True)
    title = models.TextField(max_length=255, blank=True)
    profile_url = models.TextField(max_length=2048, blank=True)
    # Lists an IdP sends, each element as sent: {"value", "display", "type", "primary"} for a
    # phone number; {"formatted", "streetAddress", "locality", "region", "postalCode",
    # "country", "type", "primary"} for an address (RFC 7643 §4.1.2).
    phone_numbers = models.JSONField(default=list, blank=True)
    addresses = models.JSONField(default=list, blank=True)
    # Values of the admin's custom fields (accounts.models.custom_fields), by field key.
    custom_fields = models.JSONField(default=dict, blank=True)
    # HR attributes an IdP sends (SCIM's enterprise extension, RFC 7643 §4.3); kept and shown.
    employee_number = models.CharField(max_length=255, blank=True)
    organization = models.CharField(max_length=255, blank=True)
    division = models.CharField(max_length=255, blank=True)
    department = models.CharField(max_length=255, blank=True)
    cost_center = models.CharField(max_length=255, blank=True)
    manager_ref = models.CharField(
        max_length=255, blank=True, help_text="The manager's id at the identity provider."
    )
    manager_display_name = models.TextField(
        max_length=255,
        blank=True,
        help_text="The manager's name, as the identity provider sent it.",
    )
    # Whether time zone / user type came from a default rather than being given; see
    # accounts.defaults for how this is used.
    time_zone_inherited = models.BooleanField(default=False)
    user_type_inherited = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)  # indexed in Meta
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    source = models.CharField(max_length=10, choices=UserSource.choices, default=UserSource.MANUAL)
    branches = models.ManyToManyField(Branch, blank=True, related_name="users")
    # Back-office (/admin/) access; the portal's own pages go by the user type's role.
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveBigIntegerField(default=1, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [
            # SCIM lists page through the visible users by key (an IdP's import): a page's ids
            # and the total are read from this index alone (see provisioning.queries).
            models.Index(fields=["id"], condition=SCIM_VISIBLE, name="user_scim_visible_idx"),
            # The soft-deleted users (their page, the purge), a few among many. An index of
            # every row's deleted_at would serve no query (nearly all are NULL), and SQLite's
            # planner, which has no statistics, would pick it over the index above.
            models.Index(
                fields=["deleted_at"],
                condition=models.Q(deleted_at__isnull=False),
                name="user_deleted_at_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def save(self, *args, **kwargs) -> None:
        # Every write of a saved user moves the version (used as the SCIM ETag); its first
        # save, an insert, keeps 1. Services lock the row (select_for_update) before changing
        # it, so concurrent writes each move it once.
        if self.pk is not None and not kwargs.get("force_insert"):
            moved = self.next_version()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], *moved}
        super().save(*args, **kwargs)

    def next_version(self) -> tuple[str, str]:
        """Move the version and the time of the last change, as every write of the row does;
        returns the two fields, for a write of some fields only."""
        self.version += 1
        self.updated_at = timezone.now()
        return ("version", "updated_at")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.username


# The audit trail, the custom user fields and groups, in modules of their own.
from accounts.models.audit import (  # noqa: E402
    EVENT_LABELS,
    AuditEvent,
    EventType,
    Outcome,
    Source,
    register_event_types,
)
from accounts.models.custom_fields import CustomField, CustomFieldType  # noqa: E402
from accounts.models.groups import Group, GroupManager, GroupQuerySet, Membership  # noqa: E402

__all__ = [
    "EVENT_LABELS",
    "MAX_USERNAME_LENGTH",
    "SCIM_VISIBLE",
    "SCIM_VISIBLE_FIELDS",
    "AccountSettings",
    "AuditEvent",
    "Branch",
    "CustomField",
    "CustomFieldType",
    "EventType",
    "Group",
    "GroupManager",
    "GroupQuerySet",
    "Membership",
    "Outcome",
    "Role",
    "Source",
    "User",
    "UserManager",
    "UserQuerySet",
    "UserSource",
    "UserType",
    "available_time_zones",
    "register_event_types",
    "scim_visible_through",
    "validate_time_zone",
]
