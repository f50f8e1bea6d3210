"""Groups of users (a course audience, a department, a branch's default group), and their
members, one row per (group, user)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower


class GroupManager(models.TextChoices):
    """Who owns a group's name and members: the portal's admins, or an IdP over SCIM."""

    PORTAL = "portal", "Portal"
    SCIM = "scim", "SCIM"


class GroupQuerySet(models.QuerySet):
    def with_name(self, name: str) -> GroupQuerySet:
        """Case-insensitive match that uses the ``lower(name)`` unique index (the folding of
        SCIM's ``displayName eq`` filter)."""
        return self.alias(name_lower=Lower("name")).filter(name_lower=Lower(models.Value(name)))


class Group(models.Model):
    """A named set of users. The name is unique case-insensitively; members are rows of
    ``Membership``, written one by one (never a list read, changed and written back)."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    branch = models.ForeignKey(
        "Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    managed_by = models.CharField(
        max_length=10, choices=GroupManager.choices, default=GroupManager.PORTAL
    )
    members: models.ManyToManyField = models.ManyToManyField(
        "User", through="Membership", related_name="member_of", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moves with every change of the group or of its members (the SCIM ETag).
    version = models.PositiveBigIntegerField(default=1, editable=False)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(Lower("name"), name="group_name_ci_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_scim_managed(self) -> bool:
        return self.managed_by == GroupManager.SCIM


class Membership(models.Model):
    """One user in one group. The unique (group, user) index serves every read of a group's
    members, in user order, however large the group."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # No default ordering: ordering by the group would join its table into every read of
        # members; each query orders as it needs (by user, the index's order).
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_group_user_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"
