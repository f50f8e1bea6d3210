"""Account & Settings → Users → Custom user fields: add, edit, delete (after a confirmation
that says how many users hold a value)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts import services
from accounts.exceptions import InvalidField
from accounts.forms import CustomFieldForm
from accounts.models import CustomField
from accounts.permissions import portal_admin_required
from accounts.services import custom_fields

SECTION = "custom-fields"


def _back() -> str:
    return f"{reverse('portal:settings-users')}#{SECTION}"


def _data(form: CustomFieldForm, field: CustomField | None) -> custom_fields.FieldData:
    data = form.cleaned_data
    return custom_fields.FieldData(
        key=data["key"],
        label=data["label"],
        type=field.type if field else data["type"],
        options=form.options_list(),
        required=data["required"],
        unique=data["unique"],
    )


@portal_admin_required
def field_create(request: HttpRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = services.Actor.for_request(request)
        try:
            field = custom_fields.define_field(_data(form, None), actor=actor)
        except InvalidField as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Custom field {field.label} added.")
            return redirect(_back())
    return render(request, "portal/custom_fields/form.html", {"form": form, "creating": True})


@portal_admin_required
def field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    initial = {
        "label": field.label,
        "key": field.key,
        "type": field.type,
        "options": "\n".join(field.options),
        "required": field.required,
        "unique": field.unique,
    }
    form = CustomFieldForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        actor = services.Actor.for_request(request)
        old_key = field.key
        try:
            field = custom_fields.change_field(field, _data(form, field), actor=actor)
        except InvalidField as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _saved(field, old_key))
            return redirect(_back())
    return render(request, "portal/custom_fields/form.html", {"form": form, "subject": field})


def _saved(field: CustomField, old_key: str) -> str:
    if field.key == old_key:
        return f"Custom field {field.label} saved."
    return (
        f"Custom field {field.label} saved; its values moved from the key {old_key} to "
        f"{field.key}. Change your identity provider's mapping to {field.key} now: a full "
        "update that still sends the old key clears the value."
    )


@portal_admin_required
def field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    if request.method == "POST":
        held = custom_fields.delete_field(field, actor=services.Actor.for_request(request))
        messages.success(
            request, f"Custom field {field.label} deleted, with its values ({held} user(s))."
        )
        return redirect(_back())
    context = {"subject": field, "holders": custom_fields.holders(field)}
    return render(request, "portal/custom_fields/confirm_delete.html", context)
