"""Forms of the SCIM and SSO sections of Account & Settings and of the provisioning log."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator

from accounts.models import EVENT_LABELS, Outcome, Source, UserType
from provisioning import sso_services
from provisioning.models import FingerprintAlgorithm, SsoSettings
from provisioning.sso import certificates, metadata


class ScimEnableForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Enable SCIM v2 user provisioning")


class CustomFieldsProvisioningForm(forms.Form):
    custom_fields_enabled = forms.BooleanField(
        required=False, label="Enable SCIM v2 custom fields provisioning"
    )


class RotateTokenForm(forms.Form):
    GRACE_CHOICES = [
        (0, "Stop the old token now"),
        (15, "Keep the old token working for 15 minutes"),
        (60, "Keep the old token working for 1 hour"),
        (1440, "Keep the old token working for 1 day"),
    ]
    grace_minutes = forms.TypedChoiceField(
        choices=GRACE_CHOICES, coerce=int, initial=0, label="Old token"
    )


def _actions() -> list[tuple[str, str]]:
    # Every event type of the trail, accounts' and those other apps registered.
    return [("", "Any action"), *EVENT_LABELS.items()]


# The dates the log's filter takes: any day whose midnight, in any time zone, is a datetime
# every database and Python itself can hold in UTC.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(9998, 12, 31)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[
            MinValueValidator(EARLIEST_DATE, "Enter a date from 1900 on."),
            MaxValueValidator(LATEST_DATE, "Enter a date before 9999."),
        ],
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )


class EventFilterForm(forms.Form):
    """The provisioning log's filters, all optional; the dates are whole days, both
    included, in the time zone the log is shown in."""

    source = forms.ChoiceField(choices=[("", "Any source"), *Source.choices], required=False)
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *Outcome.choices], required=False)
    action = forms.ChoiceField(choices=_actions, required=False)
    user = forms.CharField(required=False, label="User", max_length=255)
    client = forms.CharField(
        required=False,
        label="Client",
        max_length=200,
        widget=forms.TextInput(attrs={"list": "client-suggestions"}),
    )
    date_from = _date_field("From")
    date_to = _date_field("To")

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Enter a date on or after the “From” date.")
        return data

    def period(self, zone: dt.tzinfo) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The filter's dates as instants: from the start of the first day to the start of
        the day after the last (excluded), each midnight in ``zone``."""
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        return (
            _midnight(start, zone) if start else None,
            _midnight(end + dt.timedelta(days=1), zone) if end else None,
        )


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


# Single Sign-On (SSO) ------------------------------------------------------------------------


def _https_url(value: str) -> str:
    """An absolute URL; https only, unless DEBUG (a local IdP on http://localhost)."""
    schemes = ["https", "http"] if settings.DEBUG else ["https"]
    message = "Enter an https:// address." if not settings.DEBUG else "Enter a valid URL."
    URLValidator(schemes=schemes, message=message)(value)
    return value


_IMPORTED_FIELDS = (
    "idp_entity_id",
    "idp_sso_url",
    "idp_slo_url",
    "idp_certificate",
    "idp_cert_fingerprint",
)


class SsoSettingsForm(forms.Form):
    """Account & Settings → Users → Single Sign-On (SSO).

    IdP details come from the fields or from IdP metadata (pasted or uploaded), which then
    wins. Nothing half-valid is saved: every field is checked (certificates parse,
    fingerprints are hex of the right length, URLs are https) before the service is called.
    """

    prefix = "sso"

    enabled = forms.BooleanField(
        required=False, label="Offer “Sign in with SSO” on the sign-in page"
    )
    idp_metadata = forms.CharField(
        required=False,
        label="Identity provider metadata XML",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Paste it to fill in the identity provider fields below (Okta: Sign On tab → "
        "Metadata details → Metadata URL, opened in a browser).",
    )
    idp_metadata_file = forms.FileField(
        required=False, label="Or upload the identity provider metadata file"
    )
    idp_entity_id = forms.CharField(
        required=False,
        max_length=1024,
        label="Identity provider issuer (entity ID)",
        help_text="Okta: Identity Provider Issuer, e.g. http://www.okta.com/exk…",
    )
    idp_sso_url = forms.CharField(
        required=False,
        max_length=1024,
        label="Identity provider sign-in URL",
        help_text="Okta: Identity Provider Single Sign-On URL.",
    )
    idp_slo_url = forms.CharField(
        required=False, max_length=1024, label="Identity provider sign-out URL (optional)"
    )
    idp_certificate = forms.CharField(
        required=False,
        label="Identity provider signing certificate (PEM)",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Okta: X.509 Certificate. Or give its fingerprint below instead.",
    )
    idp_cert_fingerprint = forms.CharField(
        required=False, max_length=128, label="Certificate fingerprint (instead of the certificate)"
    )
    idp_cert_fingerprint_algorithm = forms.ChoiceField(
        choices=FingerprintAlgorithm.choices,
        initial=FingerprintAlgorithm.SHA256,
        label="Fingerprint algorithm",
        help_text="SHA-1 is accepted for compatibility with older identity provider consoles.",
    )
    attr_username = forms.CharField(max_length=255, label="TargetedId (username) attribute")
    attr_first_name = forms.CharField(max_length=255, label="First name attribute")
    attr_last_name = forms.CharField(max_length=255, label="Last name attribute")
    attr_email = forms.CharField(max_length=255, label="Email attribute")
    attr_time_zone = forms.CharField(
        required=False, max_length=255, label="Time zone attribute (optional)"
    )
    attr_user_type = forms.CharField(
        required=False, max_length=255, label="User type attribute (optional)"
    )
    attr_branch = forms.CharField(
        required=False, max_length=255, label="Branch attribute (optional)"
    )
    ignore_attribute_namespace = forms.BooleanField(
        required=False,
        label="Ignore namespace in attribute names",
        help_text="Match …/claims/emailaddress as emailaddress (Microsoft Entra ID, ADFS).",
    )
    create_unknown_users = forms.BooleanField(
        required=False,
        label="Create unknown users at their first SSO sign-in",
        help_text="Off: only users who already exist in the portal can sign in with SSO.",
    )

    FIELDSETS = (
        ("Identity provider", ("enabled", "idp_metadata", "idp_metadata_file", "idp_entity_id",
                               "idp_sso_url", "idp_slo_url", "idp_certificate",
                               "idp_cert_fingerprint", "idp_cert_fingerprint_algorithm")),
        ("Attributes", ("attr_username", "attr_first_name", "attr_last_name", "attr_email",
                        "attr_time_zone", "attr_user_type", "attr_branch",
                        "ignore_attribute_namespace")),
        ("Users", ("create_unknown_users",)),
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        assignable = [t.name for t in UserType.objects.order_by("pk") if not t.is_protected]
        self.fields["attr_user_type"].help_text = (
            f"Its value may set {', '.join(assignable) or 'no user type'}; a user type granted "
            "only in the portal (SuperAdmin) is ignored."
        )

    @classmethod
    def for_settings(cls, sso: SsoSettings) -> SsoSettingsForm:
        """An unbound form showing the saved settings (Okta's attribute names by default)."""
        return cls(initial={name: getattr(sso, name) for name in sso_services.SETTINGS_FIELDS})

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def clean_idp_sso_url(self) -> str:
        value = self.cleaned_data["idp_sso_url"].strip()
        return _https_url(value) if value else value

    def clean_idp_slo_url(self) -> str:
        value = self.cleaned_data["idp_slo_url"].strip()
        return _https_url(value) if value else value

    def clean_idp_certificate(self) -> str:
        value = self.cleaned_data["idp_certificate"].strip()
        if not value:
            return ""
        try:
            return certificates.to_pem(certificates.parse_certificates(value))
        except certificates.CertificateError as error:
            raise ValidationError(str(error)) from None

    def clean_idp_cert_fingerprint(self) -> str:
        value = self.cleaned_data["idp_cert_fingerprint"].strip()
        try:
            return certificates.normalize_fingerprint(value) if value else ""
        except certificates.CertificateError as error:
            raise ValidationError(str(error)) from None

    def clean_idp_metadata_file(self) -> str:
        upload = self.cleaned_data["idp_metadata_file"]
        if not upload:
            return ""
        if upload.size > metadata.MAX_METADATA_BYTES:
            raise ValidationError("The metadata file is larger than 1 MB; is it the right file?")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("The metadata file is not UTF-8 XML.") from None

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns, typed as never None
        source = "idp_metadata_file" if data.get("idp_metadata_file") else "idp_metadata"
        if data.get(source, "").strip():
            self._import_metadata(source, data[source])
        self._require_identity_provider(data)
        self._check_fingerprint(data)
        return data

    def _import_metadata(self, source: str, xml: str) -> None:
        try:
            imported = metadata.parse_idp_metadata(xml.strip())
            _https_url(imported.sso_url)
            if imported.slo_url:
                _https_url(imported.slo_url)
        except metadata.MetadataError as error:
            self.add_error(source, str(error))
            return
        except ValidationError as error:
            self.add_error(source, f"The metadata's sign-in or sign-out URL: {error.messages[0]}")
            return
        for name in _IMPORTED_FIELDS:  # what the metadata replaces cannot be wrong any more
            self.errors.pop(name, None)
        self.cleaned_data.update(
            idp_entity_id=imported.entity_id,
            idp_sso_url=imported.sso_url,
            idp_slo_url=imported.slo_url,
            idp_certificate=imported.certificate_pem,
            idp_cert_fingerprint="",
        )

    def _require_identity_provider(self, data: dict) -> None:
        if self.has_error("idp_metadata") or self.has_error("idp_metadata_file"):
            return
        for name, what in (("idp_entity_id", "issuer"), ("idp_sso_url", "sign-in URL")):
            if not data.get(name) and not self.has_error(name):
                self.add_error(name, f"Enter the identity provider's {what}, or import metadata.")
        has_key = data.get("idp_certificate") or data.get("idp_cert_fingerprint")
        key_error = self.has_error("idp_certificate") or self.has_error("idp_cert_fingerprint")
        if not has_key and not key_error:
            self.add_error(
                "idp_certificate",
                "Enter the identity provider's signing certificate or its fingerprint.",
            )

    def _check_fingerprint(self, data: dict) -> None:
        fingerprint = data.get("idp_cert_fingerprint")
        if not fingerprint or self.has_error("idp_cert_fingerprint"):
            return
        algorithm = data.get("idp_cert_fingerprint_algorithm", FingerprintAlgorithm.SHA256)
        try:
            certificates.check_fingerprint_length(fingerprint, algorithm)
        except certificates.CertificateError as error:
            self.add_error("idp_cert_fingerprint", str(error))
            return
        pem = data.get("idp_certificate")
        if pem and fingerprint not in {
            certificates.fingerprint(cert, algorithm)
            for cert in certificates.parse_certificates(pem)
        }:
            self.add_error(
                "idp_cert_fingerprint", "This fingerprint is not the certificate's given above."
            )

    def settings_data(self) -> dict:
        """The cleaned values under the names ``save_sso_settings`` takes."""
        return {name: self.cleaned_data[name] for name in sso_services.SETTINGS_FIELDS}
