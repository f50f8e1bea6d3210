"""Account & Settings → Single Sign-On (SSO): the form, its field errors, and its two buttons."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives import hashes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditEvent
from provisioning.models import EventType, SamlPurpose, SamlRequest, SsoSettings
from tests.provisioning.sso.conftest import authn_request
from tests.provisioning.sso.fake_okta import (
    OKTA_ISSUER,
    OKTA_SLO_URL,
    OKTA_SSO_URL,
    SigningKey,
    okta_metadata,
)

pytestmark = pytest.mark.django_db
URL = "/settings/sso/"


def form_data(key: SigningKey | None = None, **changes: str) -> dict[str, str]:
    """The SSO form as an admin fills it in for Okta (fields carry the form's "sso-" prefix)."""
    data = {
        "enabled": "on",
        "idp_entity_id": OKTA_ISSUER,
        "idp_sso_url": OKTA_SSO_URL,
        "idp_slo_url": "",
        "idp_certificate": key.certificate_pem if key else "",
        "idp_cert_fingerprint": "",
        "idp_cert_fingerprint_algorithm": "sha256",
        "attr_username": "Username",
        "attr_first_name": "FirstName",
        "attr_last_name": "LastName",
        "attr_email": "Email",
        "attr_time_zone": "",
        "attr_user_type": "",
        "attr_branch": "",
        "action": "save",
    } | changes
    return {(k if k == "action" else f"sso-{k}"): v for k, v in data.items()}


def field_errors(response, name: str) -> list[str]:
    return response.context["sso_form"].errors.get(name, [])


def assert_nothing_saved(response) -> None:
    assert response.status_code == 400
    assert not SsoSettings.load().is_configured
    assert not AuditEvent.objects.filter(event_type=EventType.SSO_CONFIGURED).exists()


def test_shows_what_the_idp_admin_needs(admin_client):
    content = admin_client.get("/settings/sso/").content.decode()

    assert "http://testserver/sso/saml/metadata/" in content  # SP entity ID and metadata
    assert "http://testserver/sso/saml/acs/" in content
    assert "SSO is not configured" in content


def test_every_input_of_the_sso_form_has_a_label(admin_client):
    content = admin_client.get("/settings/sso/").content.decode()
    form = content[content.index('action="/settings/sso/"') :]
    form = form[: form.index("</form>")]

    ids = re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', form)
    assert len(ids) == 18
    for element_id in ids:
        assert f'for="{element_id}"' in form, element_id


def test_prefills_okta_s_attribute_names(admin_client):
    form = admin_client.get("/settings/sso/").context["sso_form"]

    names = [form[f].value() for f in ("attr_username", "attr_first_name", "attr_last_name")]
    assert [*names, form["attr_email"].value()] == ["Username", "FirstName", "LastName", "Email"]


def test_saves_valid_settings_and_logs_it(admin_client, signing_key):
    response = admin_client.post(URL, form_data(signing_key, idp_slo_url=OKTA_SLO_URL))

    assert response.status_code == 302
    sso = SsoSettings.load()
    assert (sso.enabled, sso.idp_entity_id, sso.idp_sso_url, sso.idp_slo_url) == (
        True,
        OKTA_ISSUER,
        OKTA_SSO_URL,
        OKTA_SLO_URL,
    )
    assert sso.idp_certificate == signing_key.certificate_pem
    event = AuditEvent.objects.get(event_type=EventType.SSO_CONFIGURED)
    assert event.actor_label == "user:admin@example.com"
    assert "idp_certificate" in event.changed
    assert signing_key.certificate_pem not in event.detail


def test_saving_unchanged_settings_logs_nothing(admin_client, signing_key):
    admin_client.post(URL, form_data(signing_key))
    admin_client.post(URL, form_data(signing_key))

    assert AuditEvent.objects.filter(event_type=EventType.SSO_CONFIGURED).count() == 1


def test_saves_a_fingerprint_instead_of_a_certificate(admin_client, signing_key):
    response = admin_client.post(URL, form_data(idp_cert_fingerprint=signing_key.fingerprint()))

    assert response.status_code == 302
    sso = SsoSettings.load()
    assert sso.idp_cert_fingerprint == signing_key.fingerprint().replace(":", "").lower()
    assert sso.is_configured


def test_changing_the_settings_clears_the_last_check(admin_client, sso, signing_key):
    SsoSettings.objects.update(check_passed=True)

    admin_client.post(URL, form_data(signing_key, idp_entity_id="http://www.okta.com/other"))

    assert not SsoSettings.load().check_passed


def test_turning_sso_off_keeps_the_last_check(admin_client, sso, signing_key):
    SsoSettings.objects.update(check_passed=True)

    admin_client.post(URL, form_data(signing_key, enabled=""))

    assert SsoSettings.load().check_passed


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"idp_certificate": "MIIBogus"}, "idp_certificate", "not an X.509 certificate"),
        ({"idp_cert_fingerprint": "12:34"}, "idp_cert_fingerprint", "64 hexadecimal"),
        ({"idp_sso_url": "http://lms-test.okta.com/sso"}, "idp_sso_url", "https://"),
        ({"idp_slo_url": "ftp://lms-test.okta.com/slo"}, "idp_slo_url", "https://"),
        ({"idp_entity_id": ""}, "idp_entity_id", "issuer"),
        ({"attr_email": ""}, "attr_email", "required"),
    ],
    ids=["certificate", "fingerprint", "http-url", "ftp-url", "no-issuer", "no-email-attribute"],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(
    admin_client, signing_key, changes, field, message
):
    response = admin_client.post(URL, form_data(signing_key, **changes))

    assert any(message in error for error in field_errors(response, field))
    assert_nothing_saved(response)


def test_a_certificate_or_fingerprint_is_required(admin_client):
    response = admin_client.post(URL, form_data())

    assert field_errors(response, "idp_certificate") == [
        "Enter the identity provider's signing certificate or its fingerprint."
    ]
    assert_nothing_saved(response)


def test_a_sha1_fingerprint_needs_the_sha1_algorithm(admin_client, signing_key):
    sha1 = signing_key.fingerprint(hashes.SHA1())

    refused = admin_client.post(URL, form_data(idp_cert_fingerprint=sha1))
    accepted = admin_client.post(
        URL, form_data(idp_cert_fingerprint=sha1, idp_cert_fingerprint_algorithm="sha1")
    )

    assert "SHA256 fingerprint has 64" in field_errors(refused, "idp_cert_fingerprint")[0]
    assert accepted.status_code == 302


def test_a_fingerprint_must_be_the_given_certificate_s(admin_client, signing_key, other_key):
    response = admin_client.post(
        URL, form_data(signing_key, idp_cert_fingerprint=other_key.fingerprint())
    )

    assert "not the certificate's" in field_errors(response, "idp_cert_fingerprint")[0]
    assert_nothing_saved(response)


def test_http_urls_are_accepted_in_debug_for_a_local_idp(admin_client, signing_key, settings):
    settings.DEBUG = True

    response = admin_client.post(
        URL, form_data(signing_key, idp_sso_url="http://localhost:8080/sso")
    )

    assert response.status_code == 302


def test_imports_pasted_metadata(admin_client, signing_key):
    metadata = okta_metadata(signing_key, slo_url=OKTA_SLO_URL)

    response = admin_client.post(
        URL, form_data(idp_metadata=metadata, idp_entity_id="", idp_sso_url="")
    )

    assert response.status_code == 302
    sso = SsoSettings.load()
    assert (sso.idp_entity_id, sso.idp_sso_url, sso.idp_slo_url) == (
        OKTA_ISSUER,
        OKTA_SSO_URL,
        OKTA_SLO_URL,
    )
    assert sso.idp_certificate == signing_key.certificate_pem


def test_imports_uploaded_metadata_over_what_the_fields_say(admin_client, signing_key):
    upload = SimpleUploadedFile("okta.xml", okta_metadata(signing_key).encode(), "text/xml")

    response = admin_client.post(
        URL, form_data(idp_metadata_file=upload, idp_certificate="garbage", idp_sso_url="")
    )

    assert response.status_code == 302
    assert SsoSettings.load().idp_certificate == signing_key.certificate_pem


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (lambda key: okta_metadata(key, use="encryption"), "no signing key"),
        (lambda key: okta_metadata(None), "no signing key"),
        (lambda key: "<md:EntityDescriptor", "not well-formed"),
        (lambda key: okta_metadata(key, sso_url="http://lms-test.okta.com/sso"), "https://"),
        (
            lambda key: re.sub(
                r"<ds:X509Certificate>[^<]*</ds:X509Certificate>",
                "<ds:X509Certificate/>",
                okta_metadata(key),
            ),
            "not well-formed",
        ),
    ],
    ids=["encryption-key-only", "no-key", "malformed", "http-url", "empty-certificate"],
)
def test_unusable_metadata_is_a_field_error_and_nothing_is_saved(
    admin_client, signing_key, metadata, message
):
    response = admin_client.post(URL, form_data(idp_metadata=metadata(signing_key)))

    assert any(message in error for error in field_errors(response, "idp_metadata"))
    assert_nothing_saved(response)


def test_save_and_check_saves_then_sends_the_admin_to_the_idp(admin_client, signing_key):
    response = admin_client.post(URL, form_data(signing_key, action="check"))

    assert response.status_code == 302
    assert response["Location"].startswith(OKTA_SSO_URL + "?SAMLRequest=")
    request_id = authn_request(response["Location"]).get("ID")
    saml_request = SamlRequest.objects.get(request_id=request_id)
    assert (saml_request.purpose, saml_request.actor_label) == (
        SamlPurpose.CHECK,
        "user:admin@example.com",
    )
    assert SsoSettings.load().is_configured


def test_save_and_check_with_bad_input_saves_nothing_and_sends_nobody(admin_client, signing_key):
    response = admin_client.post(URL, form_data(signing_key, idp_certificate="x", action="check"))

    assert_nothing_saved(response)
    assert not SamlRequest.objects.exists()


def test_only_portal_admins_change_sso(learner_client, client: Client, signing_key):
    assert learner_client.post(URL, form_data(signing_key)).status_code == 403
    assert Client().post(URL, form_data(signing_key)).status_code == 302  # to sign-in
    assert not SsoSettings.load().is_configured


def test_the_user_type_mapping_says_which_types_an_idp_may_set(admin_client, sso):
    page = admin_client.get("/settings/sso/").content.decode()

    assert "Its value may set Admin-Type, Trainer-Type, Learner-Type; a user type granted" in page
    assert "only in the portal (SuperAdmin) is ignored." in page
