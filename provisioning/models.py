"""Provisioning state: the SCIM API's switch and token, and SAML single sign-on."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# The shortest and longest lifetime of an OAuth access token, in minutes.
OAUTH_TOKEN_LIFETIME_MINUTES = (60, 360)


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
    # How long an OAuth access token lives (RFC 6749 §4.4.3 "expires_in"): an hour by default,
    # six at most, as Microsoft's gallery requirements for provisioning apps ask.
    oauth_token_lifetime_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[
            MinValueValidator(OAUTH_TOKEN_LIFETIME_MINUTES[0]),
            MaxValueValidator(OAUTH_TOKEN_LIFETIME_MINUTES[1]),
        ],
        verbose_name="OAuth access token lifetime (minutes)",
    )

    class Meta:
        verbose_name = verbose_name_plural = "SCIM settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="scim_settings_singleton"),
            models.CheckConstraint(
                condition=models.Q(
                    oauth_token_lifetime_minutes__gte=OAUTH_TOKEN_LIFETIME_MINUTES[0],
                    oauth_token_lifetime_minutes__lte=OAUTH_TOKEN_LIFETIME_MINUTES[1],
                ),
                name="scim_settings_oauth_token_lifetime_range",
            ),
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
    OAUTH_CLIENT_CREATED = "scim.oauth_client_created", "SCIM OAuth client created"
    OAUTH_SECRET_ROTATED = "scim.oauth_secret_rotated", "SCIM OAuth client secret rotated"
    OAUTH_CLIENT_REVOKED = "scim.oauth_client_revoked", "SCIM OAuth client revoked"
    OAUTH_TOKEN_ISSUED = "scim.oauth_token_issued", "SCIM OAuth access token issued"
    SSO_CONFIGURED = "sso.configured", "SSO settings saved"
    SSO_CHECKED = "sso.checked", "SSO configuration checked"
    SSO_SIGN_IN = "sso.sign_in", "SSO sign-in"


# OAuth 2.0 client credentials for the SCIM API (RFC 6749 §4.4) ---------------------------------


class OAuthClient(models.Model):
    """An identity provider's OAuth client of the SCIM API: it trades its id and a secret for
    short-lived access tokens at ``/oauth/token``. Revoking it deletes it, with its secrets and
    its access tokens, so its tokens stop working at once."""

    name = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last SCIM request made with one of its access tokens (written at most once a minute).
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "SCIM OAuth client"

    def __str__(self) -> str:
        return self.name


class OAuthClientSecret(models.Model):
    """One secret of a client, kept as a prefix and a keyed hash (like the API token). The
    current secret has no end; a rotation gives the one it replaces ``valid_until`` (the grace
    period), so several may be valid at once."""

    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="secrets")
    prefix = models.CharField(max_length=8)
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "SCIM OAuth client secret"

    def __str__(self) -> str:
        return f"{self.client} {self.prefix}…"


class OAuthAccessToken(models.Model):
    """An access token issued to a client, until it expires: found by its prefix, checked
    against its keyed hash. Expired ones are deleted as the client asks for new ones."""

    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="access_tokens")
    prefix = models.CharField(max_length=8, db_index=True)
    hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=100)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "SCIM OAuth access token"

    def __str__(self) -> str:
        return f"{self.client} {self.prefix}…"


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
