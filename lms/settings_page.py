"""Account & Settings (/settings/): the accounts app's sections and provisioning's, one page.

Composed here, above both apps, so that neither imports the other: each gives its sections'
context, and its handlers whose answer is this page again (a form with its errors, a new SCIM
token) are given ``render_settings`` by the URLconf (``lms.portal_urls``) as ``render_page``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.permissions import portal_admin_required
from accounts.views import settings as accounts_settings
from provisioning import views as provisioning_views


def render_settings(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    """The whole page; ``context`` replaces or adds to the sections' (a bound form, a token)."""
    page = (
        accounts_settings.settings_sections()
        | provisioning_views.settings_sections(request)
        | context
    )
    return render(request, "portal/settings.html", page, status=status)


@never_cache  # it may show a new SCIM token, once
@portal_admin_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return render_settings(request)
