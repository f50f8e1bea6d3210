"""Account & Settings: the Basic settings (locale) and Users (user defaults, custom user fields)
sections, each a page of its own; provisioning gives the SSO and SCIM sections."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import services
from accounts.exceptions import InvalidField
from accounts.forms import LocaleForm, UserDefaultsForm
from accounts.models import AccountSettings, CustomField
from accounts.permissions import portal_admin_required
from accounts.services import custom_fields

# Each form: the section page that shows it, and its template.
SECTIONS = {
    "locale": ("portal:settings", "portal/settings/basic.html"),
    "defaults": ("portal:settings-users", "portal/settings/users.html"),
}


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


def _users_context() -> dict:
    """The custom user fields, with how many users hold a value of each."""
    fields = [(field, custom_fields.holders(field)) for field in CustomField.objects.all()]
    return {"custom_fields": fields}


@portal_admin_required
def basic_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/settings/basic.html", _forms(AccountSettings.load()))


@portal_admin_required
def user_settings(request: HttpRequest) -> HttpResponse:
    context = _forms(AccountSettings.load()) | _users_context()
    return render(request, "portal/settings/users.html", context)


@portal_admin_required
def save_defaults(request: HttpRequest, which: str) -> HttpResponse:
    """Saves one section's form and returns to its section; a refused form is shown there again
    with its errors. A GET (the address typed in) leads to the section."""
    section, template = SECTIONS[which]
    if request.method != "POST":
        return redirect(section)
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
            return redirect(section)
    context = forms | {"section": section.removeprefix("portal:")}
    if which == "defaults":
        context |= _users_context()
    return render(request, template, context, status=400)
