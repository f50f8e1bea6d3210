"""Forms of the portal's admin pages. They validate shape; the rules live in services."""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models.functions import Lower

from accounts import idp
from accounts.models import (
    Branch,
    CustomField,
    CustomFieldType,
    User,
    UserType,
    available_time_zones,
)

LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
]


class TimeZoneInput(forms.TextInput):
    """A text box with the IANA zones as a searchable list (type to filter, keyboard-friendly)."""

    template_name = "portal/widgets/time_zone.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = "time-zones"
        context["time_zones"] = sorted(available_time_zones())
        return context


def time_zone_field(
    *, required: bool, help_text: str = "", label: str = "Time zone"
) -> forms.CharField:
    return forms.CharField(
        required=required, widget=TimeZoneInput, help_text=help_text, label=label
    )


def _profile_field(name: str, label: str) -> forms.CharField:
    """A text of the user's profile, as long as the model keeps it."""
    model_field = User._meta.get_field(name)
    assert isinstance(model_field, models.CharField | models.TextField)
    return forms.CharField(label=label, max_length=model_field.max_length, required=False)


class IdpNotedField(forms.BoundField):
    """A field of the user form that the user's IdP may overwrite: it carries a note saying so
    (``idp_note``, rendered by portal/_field.html), which the input's aria-describedby names
    after its help text."""

    @property
    def idp_note(self) -> bool:
        return self.name in getattr(self.form, "idp_managed", ())

    @property
    def idp_note_id(self) -> str:
        return f"{self.auto_id}_idp"

    @property
    def aria_describedby(self) -> str | None:
        described = super().aria_describedby
        if described is None or not self.idp_note or not self.auto_id:
            return described  # None: the widget names its own
        ids = described.split()
        after = 1 if self.help_text else 0  # after the help text, before an error
        return " ".join([*ids[:after], self.idp_note_id, *ids[after:]])


class UserForm(forms.Form):
    bound_field_class = IdpNotedField

    username = forms.CharField(max_length=255, help_text="The IdP's TargetedId when SSO is used.")
    email = forms.EmailField(required=False)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current password.",
    )
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.filter(is_active=True), required=False, empty_label="No branch"
    )
    user_type = forms.ModelChoiceField(
        queryset=UserType.objects.all(),
        required=False,
        empty_label="Default (branch's, else account's)",
    )
    time_zone = time_zone_field(
        required=False, help_text="Empty: the branch's default, else the account's."
    )
    language = forms.ChoiceField(choices=[("", "Default"), *LANGUAGES], required=False)
    # The profile (SCIM's core and enterprise attributes an IdP pushes; PROFILE_FIELDS).
    display_name = _profile_field("display_name", "Display name")
    honorific_prefix = _profile_field("honorific_prefix", "Name prefix")
    middle_name = _profile_field("middle_name", "Middle name")
    honorific_suffix = _profile_field("honorific_suffix", "Name suffix")
    formatted_name = _profile_field("formatted_name", "Full name as written")
    nick_name = _profile_field("nick_name", "Nickname")
    title = _profile_field("title", "Job title")
    profile_url = _profile_field("profile_url", "Profile URL")
    employee_number = _profile_field("employee_number", "Employee number")
    organization = _profile_field("organization", "Organization")
    division = _profile_field("division", "Division")
    department = _profile_field("department", "Department")
    cost_center = _profile_field("cost_center", "Cost center")

    PROFILE = (
        "display_name",
        "honorific_prefix",
        "middle_name",
        "honorific_suffix",
        "formatted_name",
        "nick_name",
        "title",
        "profile_url",
        "employee_number",
        "organization",
        "division",
        "department",
        "cost_center",
    )

    def __init__(
        self,
        *args,
        can_grant_super_admin: bool = False,
        creating: bool = False,
        idp_fields: frozenset[str] = frozenset(),
        **kwargs,
    ) -> None:
        """``idp_fields``: the user's fields its IdP overwrites (``accounts.idp``), by model
        name; their inputs carry a note saying so."""
        super().__init__(*args, **kwargs)
        self.custom = list(CustomField.objects.all())
        for field in self.custom:
            self.fields[f"custom_{field.key}"] = custom_value_field(field)
        self.idp_managed = {name for name in self.fields if _model_name(name) in idp_fields}
        if creating:
            self.fields["password"].help_text = (
                "Leave empty to create the user without a password: they can sign in with "
                "SSO, or an admin sets one later."
            )
        if not can_grant_super_admin:
            # Only superusers make SuperAdmins; others could otherwise raise their own rights.
            user_type = self.fields["user_type"]
            assert isinstance(user_type, forms.ModelChoiceField)
            user_type.queryset = UserType.objects.exclude(
                name=UserType.SUPER_ADMIN, is_builtin=True
            )

    def account_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if name not in self.PROFILE and not name.startswith("custom_")
        ]

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[f"custom_{field.key}"] for field in self.custom]

    def custom_values(self) -> dict[str, object]:
        """The custom fields' values as cleaned, by key (None or "": no value)."""
        return {field.key: self.cleaned_data[f"custom_{field.key}"] for field in self.custom}

    @staticmethod
    def custom_initial(user: User) -> dict[str, object]:
        """A user's custom values as the form shows them (yes/no as a choice)."""
        initial: dict[str, object] = {}
        for key, value in user.custom_fields.items():
            initial[f"custom_{key}"] = (
                ("yes" if value else "no") if isinstance(value, bool) else value
            )
        return initial

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PROFILE]

    def profile(self) -> dict[str, str]:
        """The profile as cleaned (``NewUser.profile``, or changes of an update)."""
        return {name: self.cleaned_data[name] for name in self.PROFILE}


def _model_name(form_field: str) -> str:
    """The User field a field of ``UserForm`` edits (``idp.CUSTOM_FIELDS`` for a custom one)."""
    if form_field.startswith("custom_"):
        return idp.CUSTOM_FIELDS
    return {"branch": "branches"}.get(form_field, form_field)


class BranchForm(forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.SlugField(
        max_length=100,
        required=False,
        help_text="Short address name: letters, digits, -. Empty: made from the name.",
    )
    default_time_zone = time_zone_field(
        required=False,
        help_text="Empty: the account's default applies.",
        label="Default time zone",
    )
    default_user_type = forms.ModelChoiceField(
        queryset=UserType.objects.all(), required=False, empty_label="Account default"
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")


class LocaleForm(forms.Form):
    default_time_zone = time_zone_field(required=True, label="Default time zone")
    default_language = forms.ChoiceField(choices=LANGUAGES)


class UserDefaultsForm(forms.Form):
    default_user_type = forms.ModelChoiceField(queryset=UserType.objects.all(), empty_label=None)


class CustomFieldForm(forms.Form):
    label = forms.CharField(max_length=100)
    key = forms.CharField(
        max_length=50,
        help_text=(
            "The name identity providers map to, e.g. costCenter: a letter, then letters, "
            "digits or underscores."
        ),
    )
    type = forms.ChoiceField(
        choices=CustomFieldType.choices, help_text="It cannot change once the field is made."
    )
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For a drop-down list: one option per line.",
    )
    required = forms.BooleanField(
        required=False, help_text="The add and edit user forms ask for a value."
    )
    unique = forms.BooleanField(required=False, help_text="No two users may hold the same value.")

    # On the edit form: a new key is safe for the values stored here (they move with it), not
    # for an identity provider's mapping, which names the key.
    RENAME_HELP = (
        "Changing it moves every stored value to the new key. An identity provider that sends "
        "this field keeps sending the old key until you change its mapping too (Okta: the "
        "attribute's external name in the Profile Editor; Microsoft Entra ID: the target "
        "attribute of the attribute mapping). Change both together: until then its updates "
        "of this field are ignored or refused, and a full update (PUT) clears the value."
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["key"].help_text = self.RENAME_HELP
            self.fields["type"].disabled = True

    def options_list(self) -> list[str]:
        return self.cleaned_data["options"].splitlines()


class GroupForm(forms.Form):
    name = forms.CharField(max_length=255)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.order_by("name"), required=False, empty_label="No branch"
    )
    # What an identity provider owns of a group it manages over SCIM.
    IDP_OWNED = ("name", "description")

    def __init__(self, *args, managed_elsewhere: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if managed_elsewhere:
            # Read-only, yet sent back as they are: the page changes only the branch, and a
            # changed name sent anyway reaches the use case, which refuses it with the reason.
            for name in self.IDP_OWNED:
                self.fields[name].widget.attrs["readonly"] = True
                self.fields[name].help_text = "Set by your identity provider."

    def changes(self) -> dict[str, object]:
        """The fields the person changed, as cleaned (an edit sends only those)."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class AddMembersForm(forms.Form):
    """Usernames or emails, one per line, as pasted from a spreadsheet or a mail."""

    MAX_LINES = 500  # well within every database's limit on a statement's parameters

    people = forms.CharField(
        label="Usernames or emails",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. Deleted users are not added.",
        error_messages={"required": "Enter at least one username or email."},
    )

    def clean_people(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["people"].splitlines()]
        # Once each (whatever their case), in the order first given.
        entries = list({line.lower(): line for line in lines if line}.values())
        if len(entries) > self.MAX_LINES:
            raise forms.ValidationError(
                f"Add at most {self.MAX_LINES} people at a time ({len(entries)} were given)."
            )
        return entries

    def users(self) -> tuple[list[User], list[str]]:
        """The users (not deleted) the lines name by username or email, case-insensitively as
        both are unique; and the lines that name nobody."""
        entries = self.cleaned_data["people"]
        wanted = [Lower(models.Value(entry)) for entry in entries]
        users = list(
            User.objects.alive()
            .alias(username_lower=Lower("username"), email_lower=Lower("email"))
            .filter(models.Q(username_lower__in=wanted) | models.Q(email_lower__in=wanted))
            .order_by("username")
        )
        known = {name.lower() for user in users for name in (user.username, user.email) if name}
        return users, [entry for entry in entries if entry.lower() not in known]


def custom_value_field(field: CustomField) -> forms.Field:
    """The form field for a value of ``field`` on the add/edit user forms."""
    label, required = field.label, field.required
    if field.type == CustomFieldType.NUMBER:
        return forms.DecimalField(max_digits=30, decimal_places=10, label=label, required=required)
    if field.type == CustomFieldType.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}), label=label, required=required
        )
    if field.type == CustomFieldType.YES_NO:
        return forms.TypedChoiceField(
            choices=[("", "Not set"), ("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            empty_value=None,
            label=label,
            required=required,
        )
    if field.type == CustomFieldType.DROPDOWN:
        choices = [("", "Not set"), *((option, option) for option in field.options)]
        return forms.ChoiceField(choices=choices, label=label, required=required)
    return forms.CharField(max_length=255, label=label, required=required)
