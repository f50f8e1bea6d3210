"""Forms of the SCIM section of Account & Settings and of the provisioning log."""

from __future__ import annotations

from django import forms

from provisioning.models import EventType, Outcome


class ScimEnableForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Enable SCIM v2 user provisioning")


class RotateTokenForm(forms.Form):
    GRACE_CHOICES = [
        (0, "Stop the old token now"),
        (15, "Keep the old token working for 15 minutes"),
        (60, "Keep the old token working for 1 hour"),
        (1440, "Keep the old token working for 1 day"),
    ]
    grace_minutes = forms.TypedChoiceField(
        choices=GRACE_CHOICES, coerce=int, initial=0, label="Old token"
    )


class EventFilterForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *Outcome.choices], required=False)
    action = forms.ChoiceField(choices=[("", "Any action"), *EventType.choices], required=False)
    user = forms.CharField(required=False, label="User", max_length=255)
