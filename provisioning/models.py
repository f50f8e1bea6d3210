"""Provisioning state: the SCIM API's switch and token, and SAML single sign-on."""

from __future__ import annotations

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
    # Each token's own creation and last use: during a grace period, whether the IdP switched.
    previous_token_created_at = models.DateTimeField(null=True, blank=True)
    previous_last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)  # of the current token
    # The portal's custom user fields as attributes of the LMS extension schema.
    custom_fields_enabled = models.BooleanField(default=False)

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
    """What provisioning's own use cases record in the audit trail (``accounts.AuditEvent``,
    where users' changes are recorded by accounts' use cases); named there at start-up."""

    SCIM_ENABLED = "scim.enabled", "SCIM provisioning enabled"
    SCIM_DISABLED = "scim.disabled", "SCIM provisioning disabled"
    TOKEN_ROTATED = "scim.token_rotated", "SCIM token rotated"
    SCIM_SETTINGS_UPDATED = "scim.settings_updated", "SCIM settings changed"
    SSO_CONFIGURED = "sso.configured", "SSO settings saved"
    SSO_CHECKED = "sso.checked", "SSO configuration checked"
    SSO_SIGN_IN = "sso.sign_in", "SSO sign-in"


# SAML single sign-on ---------------------------------------------------------------------------


class FingerprintAlgorithm(models.TextChoices):
    SHA256 = "sha256", "SHA-256"
    # Older IdP consoles (ADFS, some Okta docs) still show SHA-1 thumbprints; a fingerprint only
    # names the certificate the IdP embeds, so SHA-1 is accepted there for compatibility.
    SHA1 = "sha1", "SHA-1"


class SsoSettings(models.Model):
    """The portal's one SAML 2.0 identity provider and how its attributes map; one row (pk=1).

    ``checked_at``/``check_passed`` record the last "Save and check your configuration" run; any
    change to the settings clears them, since a check only vouches for what it tested.
    """

    enabled = models.BooleanField(default=False)
    idp_entity_id = models.CharField(max_length=1024, blank=True)
    idp_sso_url = models.URLField(max_length=1024, blank=True)
    idp_slo_url = models.URLField(max_length=1024, blank=True)
    # One or more PEM certificates (more than one while the IdP rolls its signing key over).
    idp_certificate = models.TextField(blank=True)
    idp_cert_fingerprint = models.CharField(max_length=128, blank=True)
    idp_cert_fingerprint_algorithm = models.CharField(
        max_length=10, choices=FingerprintAlgorithm.choices, default=FingerprintAlgorithm.SHA256
    )
    attr_username = models.CharField(max_length=255, default="Username")
    attr_first_name = models.CharField(max_length=255, default="FirstName")
    attr_last_name = models.CharField(max_length=255, default="LastName")
    attr_email = models.CharField(max_length=255, default="Email")
    attr_time_zone = models.CharField(max_length=255, blank=True)
    attr_user_type = models.CharField(max_length=255, blank=True)
    attr_branch = models.CharField(max_length=255, blank=True)
    ignore_attribute_namespace = models.BooleanField(default=False)
    create_unknown_users = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_passed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "SSO settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="sso_settings_singleton")
        ]

    def __str__(self) -> str:
        return "SAML single sign-on " + ("enabled" if self.enabled else "disabled")

    @classmethod
    def load(cls) -> SsoSettings:
        sso_settings, _ = cls.objects.get_or_create(pk=1)
        return sso_settings

    @property
    def is_configured(self) -> bool:
        """Enough to send a user to the IdP and verify what comes back."""
        has_key = bool(self.idp_certificate or self.idp_cert_fingerprint)
        return bool(self.idp_entity_id and self.idp_sso_url and has_key)

    @property
    def sign_in_offered(self) -> bool:
        return self.enabled and self.is_configured


class SamlPurpose(models.TextChoices):
    LOGIN = "login", "Sign-in"
    CHECK = "check", "Configuration check"


class SamlRequest(models.Model):
    """An AuthnRequest this portal sent, until its response arrives (SAML Core §3.2.2).

    Kept in the database, not the session: the IdP posts the response cross-site, and the
    session cookie (SameSite=Lax) is not sent with that POST. A response must answer one of
    these (``InResponseTo``) and consumes it, so each request is answered at most once.
    """

    request_id = models.CharField(max_length=100, unique=True)
    purpose = models.CharField(max_length=10, choices=SamlPurpose.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    consumed_at = models.DateTimeField(null=True, blank=True)
    # Who started a configuration check (for the provisioning log); empty for sign-ins.
    actor_label = models.CharField(max_length=200, blank=True)
    # Where to go after signing in; validated as a local URL when the request is made.
    next_url = models.CharField(max_length=2000, blank=True)
    # SHA-256 of a random value held in a browser cookie (HTTPS only): the response must come
    # back through the browser that started the request (no login CSRF).
    browser_binding = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.request_id}"


class SamlAssertionId(models.Model):
    """An assertion already accepted, remembered until it expires (SAML Profiles §4.1.4.5)."""

    assertion_id = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.assertion_id
