"""Back office views of provisioning: read-only, and the token is never shown."""

from __future__ import annotations

from django.contrib import admin

from provisioning.models import OAuthClient, OAuthClientSecret, ScimSettings, SsoSettings


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable in the back office, changed only by the portal's own services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScimSettings)
class ScimSettingsAdmin(admin.ModelAdmin):
    """Read-only: use `manage.py scim` (or the portal's settings page) to change anything."""

    list_display = ["__str__", "token_prefix", "token_created_at", "last_used_at"]
    fields = readonly_fields = (
        "enabled",
        "token_prefix",
        "token_created_at",
        "previous_token_prefix",
        "previous_valid_until",
        "last_used_at",
        "oauth_token_lifetime_minutes",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SsoSettings)
class SsoSettingsAdmin(ReadOnlyAdmin):
    """Read-only: SSO is configured and checked on the portal's Account & Settings page."""

    list_display = ["__str__", "idp_entity_id", "enabled", "check_passed", "checked_at"]


class OAuthClientSecretInline(admin.TabularInline):
    model = OAuthClientSecret
    fields = readonly_fields = ("prefix", "created_at", "valid_until", "last_used_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OAuthClient)
class OAuthClientAdmin(ReadOnlyAdmin):
    """Read-only: clients are created, rotated and revoked in the portal's SCIM settings or with
    `manage.py scim oauth-client`; secrets show by prefix only."""

    list_display = ["name", "client_id", "created_at", "last_used_at"]
    fields = readonly_fields = ("name", "client_id", "created_at", "last_used_at")
    inlines = [OAuthClientSecretInline]
