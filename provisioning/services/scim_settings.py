"""The SCIM switch and its API token."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts import sql
from accounts.models import Source
from accounts.services import Actor
from accounts.transactions import write_transaction
from provisioning import tokens
from provisioning.models import EventType, ScimSettings
from provisioning.services.events import record_event

# How often, at most, a token's last use is written (a write per request would be wasteful).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class ScimClient:
    """The authenticated caller of the SCIM API (an IdP holding the token; an OAuth client's
    access token: ``services.oauth_clients.OAuthScimClient``)."""

    token_prefix: str
    # Whether the API shows and takes the custom user fields (ScimSettings).
    custom_fields: bool = False
    is_authenticated = True

    @property
    def actor(self) -> Actor:
        return Actor(label=f"scim:token {self.token_prefix}", source=Source.SCIM)

    @property
    def rate_key(self) -> str:
        """What the rate limit counts requests by: the token (an OAuth client: the client)."""
        return self.token_prefix


def set_setting(
    field: str, value: object, *, actor: Actor, event_type: str, detail: str = ""
) -> ScimSettings:
    """Set one field of the SCIM settings, under the row's lock; a change (only a change) is
    recorded in the same transaction."""
    with write_transaction():
        scim = ScimSettings.objects.select_for_update().get(pk=ScimSettings.load().pk)
        if getattr(scim, field) != value:
            setattr(scim, field, value)
            scim.save(update_fields=[field])
            record_event(event_type, actor=actor, detail=detail)
    return scim


def set_scim_enabled(enabled: bool, *, actor: Actor) -> ScimSettings:
    event_type = EventType.SCIM_ENABLED if enabled else EventType.SCIM_DISABLED
    return set_setting("enabled", enabled, actor=actor, event_type=event_type)


def set_custom_fields_provisioning(enabled: bool, *, actor: Actor) -> ScimSettings:
    """Expose the custom user fields over SCIM, or stop (values kept either way)."""
    return set_setting(
        "custom_fields_enabled",
        enabled,
        actor=actor,
        event_type=EventType.SCIM_SETTINGS_UPDATED,
        detail=f"custom fields provisioning {'on' if enabled else 'off'}",
    )


def writes_custom_fields() -> bool:
    """Whether an IdP's SCIM writes set the custom user fields (registered with
    ``accounts.idp`` for the notes on a user's pages)."""
    scim = sql.one_row(ScimSettings, ("custom_fields_enabled",))
    return bool(scim and scim["custom_fields_enabled"])


def rotate_scim_token(*, actor: Actor, grace: dt.timedelta | None = None) -> str:
    """Issue a new token and return it (the only time it is ever visible).

    The previous token stops working at once, or after ``grace`` (zero-downtime rotation: the
    IdP admin pastes the new token while the old one still works).
    """
    new = tokens.generate_token()
    with write_transaction():
        scim = ScimSettings.objects.select_for_update().get(pk=ScimSettings.load().pk)
        keep_previous = bool(grace) and scim.has_token
        scim.previous_token_prefix = scim.token_prefix if keep_previous else ""
        scim.previous_token_hash = scim.token_hash if keep_previous else ""
        scim.previous_valid_until = timezone.now() + grace if grace and keep_previous else None
        scim.previous_token_created_at = scim.token_created_at if keep_previous else None
        scim.previous_last_used_at = scim.last_used_at if keep_previous else None
        scim.last_used_at = None  # the new token's own, from its first use
        scim.token_prefix, scim.token_hash = new.prefix, new.hash
        scim.token_created_at = timezone.now()
        scim.save()
        detail = f"new token {new.prefix}" + (
            f"; previous valid for {grace}" if keep_previous else ""
        )
        record_event(EventType.TOKEN_ROTATED, actor=actor, detail=detail)
    return new.token


# What authenticating a request reads of the SCIM settings, in SQL (provisioning.sql) since
# every SCIM request runs it. Nothing is cached: disabling
# provisioning or rotating the token takes effect at the next request, everywhere.
_TOKEN_STATE = (
    "pk",
    "enabled",
    "token_prefix",
    "token_hash",
    "previous_token_prefix",
    "previous_token_hash",
    "previous_valid_until",
    "last_used_at",
    "previous_last_used_at",
    "custom_fields_enabled",
)


def authenticate_scim_token(token: str) -> ScimClient | None:
    """The SCIM client holding ``token``, or None (also when provisioning is disabled)."""
    scim = sql.one_row(ScimSettings, _TOKEN_STATE)
    if scim is None or not scim["enabled"]:
        return None
    now = timezone.now()
    if tokens.matches(token, scim["token_hash"]):
        prefix, used = scim["token_prefix"], "last_used_at"
    elif (
        scim["previous_valid_until"]
        and scim["previous_valid_until"] > now
        and tokens.matches(token, scim["previous_token_hash"])
    ):
        prefix, used = scim["previous_token_prefix"], "previous_last_used_at"
    else:
        return None
    # The last use of the token that was used (so a grace period shows whether the IdP moved).
    if scim[used] is None or now - scim[used] > LAST_USED_RESOLUTION:
        ScimSettings.objects.filter(pk=scim["pk"]).update(**{used: now})
    return ScimClient(token_prefix=prefix, custom_fields=scim["custom_fields_enabled"])
