"""Account & Settings: the Locale and Users sections (user defaults).

The page is composed above this app (``lms.settings_page``), with provisioning's sections;
``save_defaults`` is given the whole page to render as ``render_page``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts import services
from accounts.exceptions import InvalidField
from accounts.forms import LocaleForm, UserDefaultsForm
from accounts.models import AccountSettings, CustomField
from accounts.permissions import portal_admin_required
from accounts.services import custom_fields


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


def settings_sections() -> dict:
    """Context of the accounts app's sections of Account & Settings: Locale, Users, and the
    custom user fields with how many users hold a value of each."""
    fields = [(field, custom_fields.holders(field)) for field in CustomField.objects.all()]
    return _forms(AccountSettings.load()) | {"custom_fields": fields}


@require_POST
@portal_admin_required
def save_defaults(
    request: HttpRequest, which: str, *, render_page: Callable[..., HttpResponse]
) -> HttpResponse:
    """``render_page`` renders Account & Settings with extra context (given by the URLconf):
    here, both forms, the posted one with its errors."""
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
    return render_page(request, status=400, **forms)
