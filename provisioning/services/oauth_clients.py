"""OAuth 2.0 client credentials for the SCIM API (RFC 6749 §4.4): clients, their secrets and
the access tokens they are issued.

An identity provider (Microsoft Entra ID's "OAuth2 client credentials grant") holds a client id
and a secret, trades them at ``/oauth/token`` for an access token of scope ``scim`` that lives
``ScimSettings.oauth_token_lifetime_minutes`` (60 to 360), and sends that token as a Bearer
token. Secrets and access tokens are stored as a prefix and a keyed hash (``tokens``), shown
once. A rotation keeps the replaced secret valid for a grace period; revoking a client deletes
it with its secrets and tokens, so its tokens stop working at the next request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from accounts import sql
from accounts.models import Source
from accounts.services import Actor
from accounts.transactions import write_transaction
from provisioning import tokens
from provisioning.models import (
    OAUTH_TOKEN_LIFETIME_MINUTES,
    EventType,
    OAuthAccessToken,
    OAuthClient,
    OAuthClientSecret,
    ScimSettings,
)
from provisioning.services.events import ProvisioningError, record_event
from provisioning.services.scim_settings import LAST_USED_RESOLUTION, ScimClient, set_setting

SCOPE = "scim"  # the only scope: the SCIM API
NAME_MAX_LENGTH = OAuthClient._meta.get_field("name").max_length or 100


class OAuthClientError(ProvisioningError):
    """A request about OAuth clients the portal refuses (its message says why)."""


class OAuthClientNotFound(OAuthClientError):
    pass


@dataclass(frozen=True)
class OAuthScimClient(ScimClient):
    """A SCIM caller authenticated by an OAuth access token: named by its client's name in the
    audit trail and the request log, and rate-limited per client (all its tokens together)."""

    client_id: str = ""
    client_name: str = ""

    @property
    def actor(self) -> Actor:
        return client_actor(self.client_name)

    @property
    def rate_key(self) -> str:
        return f"oauth:{self.client_id}"


@dataclass(frozen=True)
class NewCredentials:
    """What an IdP admin is shown once: the client id and its new secret."""

    client: OAuthClient
    secret: str


def client_actor(name: str) -> Actor:
    return Actor(label=f"scim:oauth {name}", source=Source.SCIM)


def oauth_client_named(name: str) -> OAuthClient:
    client = OAuthClient.objects.filter(name=name.strip()).first()
    if client is None:
        raise OAuthClientNotFound(f"No SCIM OAuth client is named {name.strip()!r}.")
    return client


def clean_client_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise OAuthClientError("Give the client a name (e.g. the identity provider's).")
    if len(name) > NAME_MAX_LENGTH or not name.isprintable():
        raise OAuthClientError(f"A client's name is printable text of {NAME_MAX_LENGTH} or fewer.")
    return name


def create_oauth_client(name: str, *, actor: Actor) -> NewCredentials:
    """A new client with its first secret (returned: the only time it is ever visible)."""
    name = clean_client_name(name)
    secret = tokens.generate_token(tokens.CLIENT_SECRET_SCHEME)
    try:
        with write_transaction():
            if OAuthClient.objects.filter(name=name).exists():
                raise OAuthClientError(f"A SCIM OAuth client is already named {name!r}.")
            client = OAuthClient.objects.create(name=name, client_id=tokens.new_client_id())
            OAuthClientSecret.objects.create(client=client, prefix=secret.prefix, hash=secret.hash)
            record_event(
                EventType.OAUTH_CLIENT_CREATED,
                actor=actor,
                label=name,
                detail=f"client id {client.client_id}; secret {secret.prefix}",
            )
    except IntegrityError:  # the same name, created at the same moment elsewhere
        raise OAuthClientError(f"A SCIM OAuth client is already named {name!r}.") from None
    return NewCredentials(client=client, secret=secret.token)


def rotate_oauth_client_secret(
    client: OAuthClient, *, actor: Actor, grace: dt.timedelta | None = None
) -> str:
    """Issue a new secret and return it (shown once). The secrets it replaces stop working at
    once, or after ``grace`` (one still in an earlier grace period keeps its own, shorter end).
    Access tokens already issued live on until they expire: revoke the client to end them."""
    new = tokens.generate_token(tokens.CLIENT_SECRET_SCHEME)
    now = timezone.now()
    with write_transaction():
        client = _locked(client)
        secrets = OAuthClientSecret.objects.filter(client=client)
        secrets.filter(valid_until__lte=now).delete()
        if grace:
            secrets.filter(valid_until__isnull=True).update(valid_until=now + grace)
            secrets.filter(valid_until__gt=now + grace).update(valid_until=now + grace)
        else:
            secrets.delete()
        OAuthClientSecret.objects.create(client=client, prefix=new.prefix, hash=new.hash)
        ending = f"previous secret valid for {grace}" if grace else "previous secret stopped"
        record_event(
            EventType.OAUTH_SECRET_ROTATED,
            actor=actor,
            label=client.name,
            detail=f"client id {client.client_id}; new secret {new.prefix}; {ending}",
        )
    return new.token


def revoke_oauth_client(client: OAuthClient, *, actor: Actor) -> int:
    """Delete the client, its secrets and its access tokens (which stop working at once);
    returns how many unexpired access tokens ended."""
    with write_transaction():
        client = _locked(client)
        ended = client.access_tokens.filter(expires_at__gt=timezone.now()).count()
        record_event(
            EventType.OAUTH_CLIENT_REVOKED,
            actor=actor,
            label=client.name,
            detail=f"client id {client.client_id}; {ended} access token(s) ended",
        )
        client.delete()
    return ended


def _locked(client: OAuthClient) -> OAuthClient:
    locked = OAuthClient.objects.select_for_update().filter(pk=client.pk).first()
    if locked is None:
        raise OAuthClientNotFound(f"The SCIM OAuth client {client.name!r} was revoked meanwhile.")
    return locked


def set_oauth_token_lifetime(minutes: int, *, actor: Actor) -> ScimSettings:
    """How long access tokens issued from now on live (60 to 360 minutes)."""
    shortest, longest = OAUTH_TOKEN_LIFETIME_MINUTES
    if not shortest <= minutes <= longest:
        raise OAuthClientError(
            f"An access token lives {shortest} to {longest} minutes, not {minutes}."
        )
    return set_setting(
        "oauth_token_lifetime_minutes",
        minutes,
        actor=actor,
        event_type=EventType.SCIM_SETTINGS_UPDATED,
        detail=f"OAuth access token lifetime {minutes} minutes",
    )


# The token endpoint (RFC 6749 §4.4.2, §4.4.3) ---------------------------------------------------


def valid_secret(client: OAuthClient, secret: str) -> OAuthClientSecret | None:
    """The client's secret that ``secret`` is, if it is valid now (current, or in its grace
    period); each candidate is compared in constant time."""
    now = timezone.now()
    candidates = OAuthClientSecret.objects.filter(client=client).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )
    return next((row for row in candidates if tokens.matches(secret, row.hash)), None)


def access_token_lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=ScimSettings.load().oauth_token_lifetime_minutes)


def save_access_token(
    client: OAuthClient,
    token: str,
    *,
    secret: OAuthClientSecret,
    scope: str,
    expires_in: int,
    actor: Actor,
) -> None:
    """Keep an issued access token (its prefix and keyed hash), note the secret's use, and
    drop the client's expired tokens, in one transaction with its audit row."""
    now = timezone.now()
    with write_transaction():
        client.access_tokens.filter(expires_at__lte=now).delete()
        OAuthAccessToken.objects.create(
            client=client,
            prefix=tokens.prefix_of(token, tokens.ACCESS_TOKEN_SCHEME),
            hash=tokens.hash_token(token),
            scope=scope,
            issued_at=now,
            expires_at=now + dt.timedelta(seconds=expires_in),
        )
        OAuthClientSecret.objects.filter(pk=secret.pk).update(last_used_at=now)
        record_event(
            EventType.OAUTH_TOKEN_ISSUED,
            actor=actor,
            label=client.name,
            detail=f"client id {client.client_id}; secret {secret.prefix}; "
            f"access token {tokens.prefix_of(token, tokens.ACCESS_TOKEN_SCHEME)} "
            f"for {expires_in // 60} minutes",
        )


# The SCIM API (RFC 6750 §2.1) ---------------------------------------------------------------

_TOKEN_COLUMNS = (
    "hash",
    "scope",
    "client_id",
    "client__client_id",
    "client__name",
    "client__last_used_at",
)


def authenticate_access_token(token: str) -> OAuthScimClient | None:
    """The SCIM client an unexpired access token of scope ``scim`` was issued to, or None
    (also when provisioning is disabled). Nothing is cached: a revoked client's tokens, gone
    with it, fail at the next request."""
    prefix = tokens.prefix_of(token, tokens.ACCESS_TOKEN_SCHEME)
    if not prefix:
        return None
    scim = sql.one_row(ScimSettings, ("enabled", "custom_fields_enabled"))
    if scim is None or not scim["enabled"]:
        return None
    now = timezone.now()
    rows = OAuthAccessToken.objects.filter(prefix=prefix, expires_at__gt=now).values(
        *_TOKEN_COLUMNS
    )
    row = next((row for row in rows if tokens.matches(token, row["hash"])), None)
    if row is None or SCOPE not in row["scope"].split():
        return None
    last_used = row["client__last_used_at"]
    if last_used is None or now - last_used > LAST_USED_RESOLUTION:
        OAuthClient.objects.filter(pk=row["client_id"]).update(last_used_at=now)
    return OAuthScimClient(
        token_prefix=prefix,
        custom_fields=scim["custom_fields_enabled"],
        client_id=row["client__client_id"],
        client_name=row["client__name"],
    )
