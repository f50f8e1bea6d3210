"""The audit trail: one row per use case, whatever path it came by (``accounts.services.audit``
writes it)."""

from __future__ import annotations

from django.db import models


class Source(models.TextChoices):
    """The path a change came by."""

    PORTAL = "portal", "Portal"
    BACK_OFFICE = "back_office", "Back office"
    SCIM = "scim", "SCIM"
    SSO = "sso", "SSO"
    COMMAND = "command", "Command"
    SYSTEM = "system", "System"


class EventType(models.TextChoices):
    """What accounts' use cases record. Other apps record events of their own in the same
    trail and name them with ``register_event_types`` (accounts knows none of them)."""

    USER_CREATED = "user.created", "User created"
    USER_UPDATED = "user.updated", "User updated"
    USER_REPLACED = "user.replaced", "User replaced"
    USER_DEACTIVATED = "user.deactivated", "User deactivated"
    USER_REACTIVATED = "user.reactivated", "User reactivated"
    USER_DELETED = "user.deleted", "User deleted"
    USER_RESTORED = "user.restored", "User restored"
    USER_PURGED = "user.purged", "User permanently deleted"
    BRANCH_CREATED = "branch.created", "Branch created"
    BRANCH_UPDATED = "branch.updated", "Branch updated"
    USER_TYPE_CREATED = "user_type.created", "User type created"
    USER_TYPE_UPDATED = "user_type.updated", "User type updated"
    USER_TYPE_DELETED = "user_type.deleted", "User type deleted"
    ACCOUNT_SETTINGS_UPDATED = "account.updated", "Account settings updated"
    CUSTOM_FIELD_CREATED = "custom_field.created", "Custom field created"
    CUSTOM_FIELD_UPDATED = "custom_field.updated", "Custom field updated"
    CUSTOM_FIELD_DELETED = "custom_field.deleted", "Custom field deleted"
    GROUP_CREATED = "group.created", "Group created"
    GROUP_RENAMED = "group.renamed", "Group renamed"
    GROUP_UPDATED = "group.updated", "Group updated"
    GROUP_MEMBERS_CHANGED = "group.members", "Group members changed"
    GROUP_DELETED = "group.deleted", "Group deleted"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    REFUSED = "refused", "Refused"


# Every event type's label, accounts' own and those other apps register at start-up.
EVENT_LABELS: dict[str, str] = dict(EventType.choices)


def register_event_types(choices: list[tuple[str, str]]) -> None:
    """Name the events another app records in the trail (called from its ``ready()``)."""
    EVENT_LABELS.update(choices)


class AuditEvent(models.Model):
    """One change, accepted or refused, whatever path it came by; append-only.

    Answers who changed what, when, from where, and what it was before: written by the use
    case inside the transaction of the change it records (a refused change right after its
    rollback). ``changes`` lists ``{"field", "before", "after"}`` by model field name; a
    password appears by name only, never a value or hash. Purging a user scrubs its personal
    data (labels and values) from the rows about it.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    event_type = models.CharField(max_length=32)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.SYSTEM)
    actor_label = models.CharField(max_length=200)
    actor_user = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.GenericIPAddressField(null=True, blank=True)
    target_user = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    target_label = models.CharField(max_length=255, blank=True)
    # A group's events (its deletion keeps the rows, named by target_label).
    target_group = models.ForeignKey(
        "Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    changes = models.JSONField(default=list, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["outcome", "-created_at"]),
            models.Index(fields=["source", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_label} ({self.outcome}) {self.target_label}"

    @property
    def event_label(self) -> str:
        return EVENT_LABELS.get(self.event_type, self.event_type)

    @property
    def changed(self) -> list[str]:
        """The names of the fields that changed."""
        return [change["field"] for change in self.changes]
