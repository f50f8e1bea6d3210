"""Forms of Account & Settings → SCIM provisioning → OAuth clients."""

from __future__ import annotations

from django import forms

from provisioning.models import OAUTH_TOKEN_LIFETIME_MINUTES
from provisioning.services.oauth_clients import NAME_MAX_LENGTH


class OAuthClientForm(forms.Form):
    prefix = "oauth"

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Client name",
        help_text="Say which identity provider holds it, e.g. “Entra ID production”.",
    )


class RotateSecretForm(forms.Form):
    GRACE_CHOICES = [
        (0, "Stop the old secret now"),
        (15, "Keep the old secret working for 15 minutes"),
        (60, "Keep the old secret working for 1 hour"),
        (1440, "Keep the old secret working for 1 day"),
    ]
    grace_minutes = forms.TypedChoiceField(
        choices=GRACE_CHOICES, coerce=int, initial=60, label="Old secret"
    )


class TokenLifetimeForm(forms.Form):
    prefix = "oauth"

    lifetime_minutes = forms.IntegerField(
        min_value=OAUTH_TOKEN_LIFETIME_MINUTES[0],
        max_value=OAUTH_TOKEN_LIFETIME_MINUTES[1],
        label="Access token lifetime (minutes)",
        help_text=f"{OAUTH_TOKEN_LIFETIME_MINUTES[0]} to {OAUTH_TOKEN_LIFETIME_MINUTES[1]}; "
        "applies to tokens issued from now on.",
    )
