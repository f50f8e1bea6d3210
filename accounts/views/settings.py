"""Account & Settings: locale and user defaults (the SCIM section is provisioning's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.exceptions import InvalidField
from accounts.forms import LocaleForm, UserDefaultsForm
from accounts.models import AccountSettings
from accounts.permissions import portal_admin_required
from provisioning.views import scim_section


def _forms(account: AccountSettings, data=None, which: str = "") -> dict:
    locale_initial = {
        "default_time_zone": account.default_time_zone,
        "default_language": account.default_language,
    }
    return {
        "locale_form": LocaleForm(data if which == "locale" else None, initial=locale_initial),
        "defaults_form": UserDefaultsForm(
            data if which == "defaults" else None,
            initial={"default_user_type": account.default_user_type},
        ),
    }


def render_settings(request: HttpRequest, *, status: int = 200, **extra) -> HttpResponse:
    context = _forms(AccountSettings.load()) | scim_section(request) | extra
    return render(request, "portal/settings.html", context, status=status)


@portal_admin_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return render_settings(request)


@require_POST
@portal_admin_required
def save_defaults(request: HttpRequest, which: str) -> HttpResponse:
    forms = _forms(AccountSettings.load(), request.POST, which)
    form = forms["locale_form" if which == "locale" else "defaults_form"]
    if form.is_valid():
        try:
            services.update_account_settings(
                actor=services.Actor.for_request(request), **form.cleaned_data
            )
        except InvalidField as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Settings saved. They apply to users created from now on.")
            return redirect("portal:settings")
    return render_settings(request, status=400, **forms)
