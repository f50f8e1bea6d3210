"""The user's page shows and edits the whole profile an IdP pushes, and says who owns it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from accounts.models import AuditEvent, CustomField, User, UserSource, UserType
from provisioning.services import set_custom_fields_provisioning
from tests.factories import UserFactory, user_type

pytestmark = pytest.mark.django_db

PROFILE = {
    "display_name": "Babs Jensen",
    "honorific_prefix": "Ms.",
    "middle_name": "Jane",
    "honorific_suffix": "III",
    "formatted_name": "Ms. Barbara J Jensen, III",
    "nick_name": "Babs",
    "title": "Tour Guide",
    "profile_url": "https://login.example.com/bjensen",
    "employee_number": "701984",
    "organization": "Contoso",
    "division": "EMEA",
    "department": "Sales",
    "cost_center": "4130",
}


def form_data(user: User, **changes: str) -> dict[str, object]:
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "time_zone": user.time_zone,
        "language": user.language,
        "user_type": user.user_type_id,
        **{name: getattr(user, name) for name in PROFILE},
        **changes,
    }


def test_the_page_shows_the_profile_the_idp_pushed_and_that_it_owns_it(admin_client):
    barbara = UserFactory(source=UserSource.SCIM, **PROFILE)

    response = admin_client.get(f"/users/{barbara.pk}/edit/")

    page = response.content.decode()
    assert "<legend>Profile</legend>" in page
    for value in PROFILE.values():
        assert f'value="{value}"' in page
    assert "its next update of this user overwrites a change made here" in page


def test_a_user_made_in_the_portal_carries_no_idp_note(admin_client, alice):
    response = admin_client.get(f"/users/{alice.pk}/edit/")

    assert 'id="idp-managed"' not in response.content.decode()


def test_an_admin_edits_the_profile_and_the_trail_says_what_it_was(admin_client, alice):
    response = admin_client.post(
        f"/users/{alice.pk}/edit/", form_data(alice, title="Queen", nick_name="Al")
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.title, alice.nick_name) == ("Queen", "Al")
    [row] = AuditEvent.objects.all()
    assert row.changes == [
        {"field": "nick_name", "before": "", "after": "Al"},
        {"field": "title", "before": "", "after": "Queen"},
    ]


def test_a_new_user_is_created_with_a_profile(admin_client):
    response = admin_client.post(
        "/users/new/",
        {
            "username": "bjensen@example.com",
            "email": "bjensen@example.com",
            "user_type": user_type(UserType.LEARNER).pk,
            **PROFILE,
        },
    )

    assert response.status_code == 302
    barbara = User.objects.get(username="bjensen@example.com")
    assert {name: getattr(barbara, name) for name in PROFILE} == PROFILE


def test_a_value_too_long_is_refused_on_its_field_and_nothing_is_saved(admin_client, alice):
    response = admin_client.post(
        f"/users/{alice.pk}/edit/", form_data(alice, honorific_prefix="x" * 51, title="Queen")
    )

    assert response.status_code == 200
    assert "at most 50 characters" in response.context["form"].errors["honorific_prefix"][0]
    alice.refresh_from_db()
    assert alice.title == ""


def test_the_page_shows_the_phone_numbers_and_addresses_the_idp_sent(admin_client):
    barbara = UserFactory(
        source=UserSource.SCIM,
        phone_numbers=[{"value": "+30 210 555 0100", "type": "work", "primary": True}],
        addresses=[{"formatted": "1 Main St\nAthens", "type": "home"}],
    )

    page = admin_client.get(f"/users/{barbara.pk}/edit/").content.decode()

    assert "<dt>Phone (work), primary</dt>" in page
    assert "<dd>+30 210 555 0100</dd>" in page
    assert "<dt>Address (home)</dt>" in page
    assert "1 Main St<br>Athens" in page


def test_the_users_page_shows_the_other_emails_and_the_managers_name(admin_client):
    barbara = UserFactory(
        source=UserSource.SCIM,
        other_emails=[{"value": "babs@home.example", "type": "home"}],
        manager_ref="00u42",
        manager_display_name="Eve Manager",
    )

    page = admin_client.get(f"/users/{barbara.pk}/").content.decode()

    assert "<dt>Other email (home)</dt>" in page
    assert "<dd>babs@home.example</dd>" in page
    assert "<dt>Manager&#x27;s name</dt><dd>Eve Manager" in page


# Per-field notes: what the IdP overwrites --------------------------------------------------

IDP_NOTE = "Set by your identity provider: its next update overwrites a change made here."
# The edit form's inputs of what SCIM writes (accounts.idp.written_fields()).
IDP_INPUTS = [
    "username",
    "email",
    "first_name",
    "last_name",
    "branch",
    "user_type",
    "time_zone",
    "language",
    *PROFILE,
]


class Inputs(HTMLParser):
    """The form controls of a page by name (their attributes), and the ids of its notes."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.controls: dict[str, dict[str, str]] = {}
        self.notes: set[str] = set()
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if tag in {"input", "select", "textarea"} and named.get("type") != "hidden":
            self.controls[named["name"]] = named
        if "idp-note" in named.get("class", "").split():
            self.notes.add(named.get("id", ""))


def edit_page(client, user: User) -> Inputs:
    response = client.get(f"/users/{user.pk}/edit/")
    assert response.status_code == 200
    return Inputs(response.content.decode())


@pytest.mark.parametrize(
    "fields",
    [{"source": UserSource.SCIM}, {"external_id": "00ujl29u0le5T6Aj10h7"}],
    ids=["created-by-scim", "linked-by-external-id"],
)
def test_each_input_the_idp_writes_is_described_by_a_note_that_it_overwrites_it(
    admin_client, fields
):
    barbara = UserFactory(**fields, **PROFILE)

    form = edit_page(admin_client, barbara)

    for name in IDP_INPUTS:
        described = form.controls[name]["aria-describedby"].split()
        assert f"id_{name}_idp" in described, name
        assert f"id_{name}_idp" in form.notes, name
    assert form.controls["username"]["aria-describedby"] == "id_username_helptext id_username_idp"
    assert "id_password_idp" not in form.notes  # write-only: a PUT keeps it
    assert IDP_NOTE in admin_client.get(f"/users/{barbara.pk}/edit/").content.decode()


def test_a_refused_value_is_described_by_its_help_its_note_and_its_error(admin_client):
    barbara = UserFactory(source=UserSource.SCIM)
    taken = UserFactory(username="taken@example.com")

    response = admin_client.post(
        f"/users/{barbara.pk}/edit/", form_data(barbara, username=taken.username)
    )

    form = Inputs(response.content.decode())
    assert form.controls["username"]["aria-describedby"] == (
        "id_username_helptext id_username_idp id_username_error"
    )


def test_a_user_made_in_the_portal_has_no_field_notes(admin_client, alice):
    form = edit_page(admin_client, alice)

    assert form.notes == set()
    assert "aria-describedby" not in form.controls["first_name"]


def test_custom_fields_carry_the_note_only_when_the_idp_writes_them(admin_client, actor):
    CustomField.objects.create(key="costCenter", label="Cost center", type="text")
    barbara = UserFactory(source=UserSource.SCIM, custom_fields={"costCenter": "4130"})

    before = edit_page(admin_client, barbara)
    set_custom_fields_provisioning(True, actor=actor)
    after = edit_page(admin_client, barbara)

    assert "id_custom_costCenter_idp" not in before.notes
    assert "aria-describedby" not in before.controls["custom_costCenter"]
    assert after.controls["custom_costCenter"]["aria-describedby"] == "id_custom_costCenter_idp"
    assert "id_custom_costCenter_idp" in after.notes


def test_the_users_page_notes_each_value_the_idp_overwrites(admin_client, actor):
    CustomField.objects.create(key="costCenter", label="Cost center", type="text")
    set_custom_fields_provisioning(True, actor=actor)
    barbara = UserFactory(
        source=UserSource.SCIM,
        first_name="Barbara",
        title="Tour Guide",
        external_id="00ujl29u0le5T6Aj10h7",
        custom_fields={"costCenter": "4130"},
    )

    page = admin_client.get(f"/users/{barbara.pk}/").content.decode()

    note = f'<p class="help idp-note">{IDP_NOTE}</p>'
    assert f"<dt>Job title</dt><dd>Tour Guide{note}</dd>" in page
    assert f"<dt>Name</dt><dd>{barbara.get_full_name()}{note}</dd>" in page
    assert "<dt>External ID</dt><dd>00ujl29u0le5T6Aj10h7</dd>" in page  # not editable here
    assert f"<dd>4130{note}</dd>" in page
    # Status, user type, branches, and the profile's rows: name, email, time zone, language,
    # title, and the custom field.
    assert page.count(note) == 9


@pytest.mark.parametrize(
    "user",
    [
        {"source": UserSource.MANUAL, "title": "Tour Guide"},
        {"source": UserSource.SCIM, "title": "Tour Guide", "deleted": True},
    ],
    ids=["made-in-the-portal", "deleted"],
)
def test_the_users_page_notes_nothing_the_idp_does_not_push(admin_client, user):
    barbara = UserFactory(**user)

    page = admin_client.get(f"/users/{barbara.pk}/").content.decode()

    assert "<dt>Job title</dt><dd>Tour Guide</dd>" in page
    assert "idp-note" not in page
