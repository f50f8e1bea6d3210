"""Account & Settings → SCIM provisioning → OAuth clients: the identity providers' OAuth 2.0
clients of the SCIM API (RFC 6749 §4.4), created, listed, rotated and revoked, and how long
their access tokens live.

A new secret is shown once: the POST that makes it keeps it in the admin's session and
redirects (POST/redirect/GET); the page that shows it takes it out, so reloading shows it no
more and makes nothing. ``oauth_clients_section`` gives the partial
``portal/settings/_oauth_clients.html`` its context wherever it is included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.permissions import portal_admin_required
from provisioning import services
from provisioning.models import OAuthClient, OAuthClientSecret, ScimSettings
from provisioning.oauth_forms import OAuthClientForm, RotateSecretForm, TokenLifetimeForm
from provisioning.services.oauth_clients import SCOPE

# Where the handlers send the admin back to: the page that shows the section.
RETURN_TO = "portal:settings-scim-clients"
ANCHOR = "#oauth-clients"
# Where a new secret waits for the page that shows it, once.
NEW_SECRET = "scim_oauth_new_secret"


@dataclass(frozen=True)
class ClientRow:
    client: OAuthClient
    secrets: list[OAuthClientSecret]  # valid now: the current one, and any in a grace period
    rotate_form: RotateSecretForm  # with ids of its own on a page listing several clients


def _back() -> HttpResponse:
    return redirect(reverse(RETURN_TO) + ANCHOR)


def _actor(request: HttpRequest) -> services.Actor:
    return services.Actor.for_request(request)


def _root(request: HttpRequest) -> str:
    return settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


def _rows() -> list[ClientRow]:
    now = timezone.now()
    clients = OAuthClient.objects.order_by("name").prefetch_related("secrets")
    return [
        ClientRow(
            client,
            sorted(
                (s for s in client.secrets.all() if s.valid_until is None or s.valid_until > now),
                key=lambda secret: (secret.valid_until is None, secret.created_at),
                reverse=True,
            ),
            RotateSecretForm(auto_id=f"id_oauth_rotate_{client.pk}_%s"),
        )
        for client in clients
    ]


def oauth_clients_section(request: HttpRequest) -> dict:
    """Context of ``portal/settings/_oauth_clients.html`` (every key starts with ``oauth_``);
    takes a just-issued secret out of the session, to be shown this once."""
    scim = ScimSettings.load()
    root = _root(request)
    return {
        "oauth_clients": _rows(),
        "oauth_new_secret": request.session.pop(NEW_SECRET, None),
        "oauth_create_form": OAuthClientForm(),
        "oauth_lifetime_form": TokenLifetimeForm(
            initial={"lifetime_minutes": scim.oauth_token_lifetime_minutes}
        ),
        "oauth_lifetime_minutes": scim.oauth_token_lifetime_minutes,
        "oauth_scim_enabled": scim.enabled,
        "oauth_token_endpoint": root + reverse("oauth-token"),
        "oauth_tenant_url": f"{root}/api/scim2",
        "oauth_scope": SCOPE,
    }


def _page(request: HttpRequest, *, status: int = 200, **forms: object) -> HttpResponse:
    context = oauth_clients_section(request) | forms
    return render(request, "portal/settings/oauth_clients.html", context, status=status)


@never_cache  # it may show a new secret, once
@portal_admin_required
def client_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _show_once(request: HttpRequest, client: OAuthClient, secret: str, grace: int = 0) -> None:
    request.session[NEW_SECRET] = {
        "name": client.name,
        "client_id": client.client_id,
        "secret": secret,
        "grace_minutes": grace,
    }


@portal_admin_required
def client_create(request: HttpRequest) -> HttpResponse:
    """POST: a new client; its secret is shown once by the page redirected to."""
    if request.method != "POST":
        return _back()
    form = OAuthClientForm(request.POST)
    if form.is_valid():
        try:
            new = services.create_oauth_client(form.cleaned_data["name"], actor=_actor(request))
        except services.OAuthClientError as error:
            form.add_error("name", str(error))
        else:
            _show_once(request, new.client, new.secret)
            return _back()
    return _page(request, status=400, oauth_create_form=form)


@portal_admin_required
def client_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: a new secret for the client; the old one works on for the grace period chosen."""
    if request.method != "POST":
        return _back()
    client = get_object_or_404(OAuthClient, pk=pk)
    form = RotateSecretForm(request.POST)
    minutes = form.cleaned_data["grace_minutes"] if form.is_valid() else 0
    grace = dt.timedelta(minutes=minutes) if minutes else None
    try:
        secret = services.rotate_oauth_client_secret(client, actor=_actor(request), grace=grace)
    except services.OAuthClientNotFound as error:
        messages.error(request, str(error))
        return _back()
    _show_once(request, client, secret, minutes)
    return _back()


@portal_admin_required
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what revoking does, to confirm; POST: revoke (its access tokens stop at once)."""
    client = get_object_or_404(OAuthClient, pk=pk)
    if request.method != "POST":
        live = client.access_tokens.filter(expires_at__gt=timezone.now()).count()
        context = {"client": client, "live_tokens": live}
        return render(request, "portal/settings/oauth_client_revoke.html", context)
    try:
        ended = services.revoke_oauth_client(client, actor=_actor(request))
    except services.OAuthClientNotFound as error:
        messages.error(request, str(error))
        return _back()
    messages.success(
        request, f"OAuth client {client.name} revoked; {ended} access token(s) stopped working."
    )
    return _back()


@portal_admin_required
def token_lifetime(request: HttpRequest) -> HttpResponse:
    """POST: how long access tokens issued from now on live."""
    if request.method != "POST":
        return _back()
    form = TokenLifetimeForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, oauth_lifetime_form=form)
    minutes = form.cleaned_data["lifetime_minutes"]
    services.set_oauth_token_lifetime(minutes, actor=_actor(request))
    messages.success(request, f"Access tokens issued from now on live {minutes} minutes.")
    return _back()
