"""Provisioning state: the SCIM API's switch and token, and the provisioning log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScimSettings(models.Model):
    """Whether SCIM provisioning is on, and its API token; exactly one row (pk=1).

    The token itself is never stored: only a short prefix (to recognise it in logs and on the
    settings page) and a keyed hash (HMAC-SHA256 under ``SCIM_TOKEN_PEPPER``). During a
    rotation with a grace period the previous token's hash is kept until ``previous_valid_until``.
    """

    enabled = models.BooleanField(default=False)
    token_prefix = models.CharField(max_length=32, blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    token_created_at = models.DateTimeField(null=True, blank=True)
    previous_token_prefix = models.CharField(max_length=32, blank=True)
    previous_token_hash = models.CharField(max_length=64, blank=True)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "SCIM settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="scim_settings_singleton")
        ]

    def __str__(self) -> str:
        return "SCIM provisioning " + ("enabled" if self.enabled else "disabled")

    @classmethod
    def load(cls) -> ScimSettings:
        scim_settings, _ = cls.objects.get_or_create(pk=1)
        return scim_settings

    @property
    def has_token(self) -> bool:
        return bool(self.token_hash)


class EventType(models.TextChoices):
    USER_CREATED = "user.created", "User created"
    USER_UPDATED = "user.updated", "User updated"
    USER_REPLACED = "user.replaced", "User replaced"
    USER_DEACTIVATED = "user.deactivated", "User deactivated"
    USER_REACTIVATED = "user.reactivated", "User reactivated"
    USER_DELETED = "user.deleted", "User deleted"
    USER_RESTORED = "user.restored", "User restored"
    USER_PURGED = "user.purged", "User permanently deleted"
    SCIM_ENABLED = "scim.enabled", "SCIM provisioning enabled"
    SCIM_DISABLED = "scim.disabled", "SCIM provisioning disabled"
    TOKEN_ROTATED = "scim.token_rotated", "SCIM token rotated"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    REFUSED = "refused", "Refused"


class ProvisioningEvent(models.Model):
    """One provisioning action, accepted or refused; append-only.

    Written by services inside the transaction of the change it records (or, for a refused
    change, right after its rollback). Never holds a password or a token: ``changed`` lists
    attribute names only.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    actor_label = models.CharField(max_length=200)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provisioning_events",
    )
    target_label = models.CharField(max_length=255, blank=True)
    changed = models.JSONField(default=list, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["outcome", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} ({self.outcome}) {self.target_label}"
