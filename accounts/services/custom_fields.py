"""Custom user fields: defining, changing and deleting them, and the rules of their values.

A field's type never changes once made (what stored values are); its label, options, flags
and key may. Values live on the user (``User.custom_fields``) under the key, so a new key
moves every stored value to it in the same transaction; an IdP's mapping still names the old
key until its admin changes it (the form says so). Values are typed: text and drop-down
choices as strings, numbers as JSON numbers, dates as "YYYY-MM-DD", yes/no as booleans.
"Required" binds the portal's forms; "unique" binds every path: no two users hold the same
value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from accounts.exceptions import CustomValueInUse, InvalidField
from accounts.models import CustomField, CustomFieldType, EventType, User
from accounts.services import audit
from accounts.services.validation import Actor
from accounts.transactions import write_transaction

# A name IdPs accept as an attribute (RFC 7643 §2.1 ATTRNAME), without the "__" the ORM reads
# as a path.
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_TEXT = 255
MAX_OPTIONS = 100


@dataclass(frozen=True)
class FieldData:
    key: str
    label: str
    type: str
    options: Sequence[str] = ()
    required: bool = False
    unique: bool = False


def holders(field: CustomField) -> int:
    """How many users (deleted ones included) hold a value of ``field``."""
    return User.objects.filter(custom_fields__has_key=field.key).count()


def define_field(data: FieldData, *, actor: Actor) -> CustomField:
    key = _clean_key(data.key)
    if data.type not in CustomFieldType.values:
        raise InvalidField("type", f"{data.type!r} is not a type of custom field.")
    with write_transaction():
        _check_key_free(key, CustomField.objects.all())
        field = CustomField(key=key, type=data.type)
        _apply(field, data)
        field.save()
        audit.record(
            EventType.CUSTOM_FIELD_CREATED,
            actor=actor,
            label=field.label,
            changes=audit.changes_of({}, _values(field)),
        )
    return field


def change_field(field: CustomField, data: FieldData, *, actor: Actor) -> CustomField:
    """Change the label, options, flags and key; the type stays (see the module). A new key
    takes every stored value with it, deleted users' included, in the same transaction; the
    trail's row says how many users' values moved."""
    key = _clean_key(data.key)
    with write_transaction():
        field = CustomField.objects.select_for_update().get(pk=field.pk)
        before = _values(field)
        _apply(field, data)
        _check_held_values_stay_valid(field, before)
        detail = ""
        if key != field.key:
            moved = _rename(field, key)
            detail = (
                f"Key renamed from {before['key']!r} to {key!r}: values of {moved} user(s) moved."
            )
        field.save()
        audit.record(
            EventType.CUSTOM_FIELD_UPDATED,
            actor=actor,
            label=field.label,
            changes=audit.changes_of(before, _values(field)),
            detail=detail,
        )
    return field


def _clean_key(raw: str) -> str:
    key = raw.strip()
    if not _KEY.fullmatch(key) or "__" in key or len(key) > 50:
        raise InvalidField(
            "key",
            "A key starts with a letter and holds letters, digits and single underscores "
            "(at most 50), e.g. costCenter.",
        )
    return key


def _check_key_free(key: str, others: QuerySet[CustomField]) -> None:
    if others.filter(key__iexact=key).exists():
        raise InvalidField("key", f"A custom field with the key {key!r} exists already.")


def _rename(field: CustomField, key: str) -> int:
    """Give ``field`` the key ``key`` and move every stored value to it, in the caller's
    transaction, each holder's row locked; returns how many users' values moved."""
    _check_key_free(key, CustomField.objects.exclude(pk=field.pk))
    # A value stored under the new key belongs to no field (the key is free): moving ours
    # onto it would lose one of the two, so it is refused rather than guessed.
    if User.objects.filter(custom_fields__has_key=key).exists():
        raise InvalidField(
            "key",
            f"Some users hold a value under {key!r} that belongs to no field: choose another key.",
        )
    moved = 0
    holders = User.objects.select_for_update().filter(custom_fields__has_key=field.key)
    for user in holders.order_by("pk"):
        user.custom_fields = {
            key if name == field.key else name: value for name, value in user.custom_fields.items()
        }
        user.save(update_fields=["custom_fields"])  # moves the version: the SCIM ETag changes
        moved += 1
    field.key = key
    return moved


def delete_field(field: CustomField, *, actor: Actor) -> int:
    """Delete ``field`` and every value of it; returns how many users held one."""
    with write_transaction():
        field = CustomField.objects.select_for_update().get(pk=field.pk)
        held = 0
        for user in User.objects.select_for_update().filter(custom_fields__has_key=field.key):
            del user.custom_fields[field.key]
            user.save(update_fields=["custom_fields"])
            held += 1
        audit.record(
            EventType.CUSTOM_FIELD_DELETED,
            actor=actor,
            label=field.label,
            changes=audit.changes_of(_values(field), {}),
            detail=f"Values removed from {held} user(s).",
        )
        field.delete()
    return held


def _values(field: CustomField) -> dict[str, Any]:
    names = ("key", "label", "type", "options", "required", "unique")
    return {name: getattr(field, name) for name in names}


def _apply(field: CustomField, data: FieldData) -> None:
    label = data.label.strip()
    if not label or len(label) > 100:
        raise InvalidField("label", "A label has 1 to 100 characters.")
    options = [option.strip() for option in data.options if option.strip()]
    if field.type == CustomFieldType.DROPDOWN:
        if not options or len(options) > MAX_OPTIONS:
            raise InvalidField("options", f"A drop-down list has 1 to {MAX_OPTIONS} options.")
        if len({option.casefold() for option in options}) < len(options):
            raise InvalidField("options", "Each option of a drop-down list is listed once.")
        if any(len(option) > 100 for option in options):
            raise InvalidField("options", "An option has at most 100 characters.")
    else:
        options = []
    if data.unique and field.type == CustomFieldType.YES_NO:
        raise InvalidField("unique", "A yes/no field cannot be unique: it has two values.")
    field.label, field.options = label, options
    field.required, field.unique = data.required, data.unique


def _check_held_values_stay_valid(field: CustomField, before: Mapping[str, Any]) -> None:
    """A change may not strand values users hold: a removed option, a duplicate under
    "unique". Only a change of the options or of "unique" is checked: a new label or key is
    always safe, whatever the values held."""
    options_changed = field.options != before["options"]
    made_unique = field.unique and not before["unique"]
    if not (options_changed or made_unique):
        return
    held = User.objects.filter(custom_fields__has_key=field.key).values_list(
        "custom_fields", flat=True
    )
    values = [stored[field.key] for stored in held]
    if field.type == CustomFieldType.DROPDOWN and options_changed:
        stranded = sorted({value for value in values if value not in field.options})
        if stranded:
            raise InvalidField(
                "options",
                f"Users hold {', '.join(map(repr, stranded))}: keep those options, or change "
                "those users first.",
            )
    if made_unique and len(set(map(str, values))) < len(values):
        raise InvalidField("unique", "Some users share a value of this field: it cannot be unique.")


# Values -----------------------------------------------------------------------------------------


def clean_values(values: Mapping[str, Any], *, user: User | None) -> dict[str, Any]:
    """The custom field values of ``user`` (None: a new user) as given, checked and typed.

    Keys are field keys, matched case-insensitively; an empty value ("", None) means none.
    Errors name the field: ``InvalidField("custom_<key>", ...)``, or ``CustomValueInUse``
    for a value of a unique field that another user holds.
    """
    if not values:
        return {}
    fields = {field.key.lower(): field for field in CustomField.objects.all()}
    cleaned: dict[str, Any] = {}
    for key, raw in values.items():
        field = fields.get(str(key).lower())
        if field is None:
            raise InvalidField("custom_fields", f"There is no custom field {key!r}.")
        if raw is None or raw == "":
            continue
        cleaned[field.key] = _typed(field, raw)
    for key, value in cleaned.items():
        if fields[key.lower()].unique:
            _check_unique(fields[key.lower()], value, user=user)
    return cleaned


def _check_unique(field: CustomField, value: Any, *, user: User | None) -> None:
    """Refuse ``value`` of a unique field when another user, deleted or not, holds it: a
    conflict (``CustomValueInUse``, 409 over SCIM), not a malformed value."""
    others = User.objects.filter(**{f"custom_fields__{field.key}": value})
    if user is not None and user.pk is not None:
        others = others.exclude(pk=user.pk)
    holder = others.only("deleted_at").first()
    if holder is not None:
        raise CustomValueInUse(
            field.key, field.label, value, held_by_deleted_user=holder.is_deleted
        )


def filter_value(field: CustomField, text: str) -> Any | None:
    """A value of ``field`` typed from a search box ("yes", "12", "2026-01-31"), or None if
    ``text`` cannot be one."""
    raw: Any = text.strip()
    if field.type == CustomFieldType.YES_NO:
        raw = {"yes": True, "true": True, "no": False, "false": False}.get(raw.lower())
        if raw is None:
            return None
    try:
        return _typed(field, raw)
    except InvalidField:
        return None


def _typed(field: CustomField, raw: Any) -> Any:
    label = field.label
    if field.type == CustomFieldType.YES_NO:
        if not isinstance(raw, bool):
            raise _invalid(field, f"{label} is yes or no (true or false).")
        return raw
    if field.type == CustomFieldType.NUMBER:
        return _number(field, raw)
    if field.type == CustomFieldType.DATE:
        return _date(field, raw)
    if not isinstance(raw, str):
        raise _invalid(field, f"{label} is a text.")
    text = raw.strip()
    if field.type == CustomFieldType.DROPDOWN and text not in field.options:
        raise _invalid(field, f"{label} is one of {', '.join(field.options)}; not {text!r}.")
    if len(text) > MAX_TEXT:
        raise _invalid(field, f"{label} has at most {MAX_TEXT} characters.")
    return text


def _number(field: CustomField, raw: Any) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        raise _invalid(field, f"{field.label} is a number.")
    try:
        number = Decimal(str(raw).strip())
    except ArithmeticError:
        raise _invalid(field, f"{field.label} is a number, not {raw!r}.") from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise _invalid(field, f"{field.label} is a number below a million billion.")
    as_float = float(number)
    return int(number) if number == number.to_integral_value() else as_float


def _date(field: CustomField, raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    try:
        return dt.date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise _invalid(field, f"{field.label} is a date as YYYY-MM-DD, not {raw!r}.") from None


def _invalid(field: CustomField, message: str) -> InvalidField:
    return InvalidField(f"custom_{field.key}", message)


__all__ = [
    "FieldData",
    "change_field",
    "clean_values",
    "define_field",
    "delete_field",
    "filter_value",
    "holders",
]
