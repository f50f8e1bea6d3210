"""Custom user fields: fields an admin defines for every user (TalentLMS's "user custom
fields"), their values kept on the user (``User.custom_fields``, by key)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class CustomFieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    YES_NO = "yes_no", "Yes/No"
    DROPDOWN = "dropdown", "Drop-down list"


class CustomField(models.Model):
    """One field every user may have a value of. ``key`` names it to other systems (an IdP
    maps to it) and in ``User.custom_fields``; the type never changes once made, the key,
    label, options and flags may: a new key moves the stored values with it
    (``accounts.services.custom_fields``)."""

    key = models.CharField(max_length=50)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=CustomFieldType.choices)
    options = models.JSONField(default=list, blank=True)  # of a drop-down list, in order
    required = models.BooleanField(default=False)  # on the portal's add/edit forms
    unique = models.BooleanField(default=False)  # no two users hold the same value
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(Lower("key"), name="customfield_key_ci_unique")]

    def __str__(self) -> str:
        return self.label
