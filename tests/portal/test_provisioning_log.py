"""The provisioning log answers "what changed?": each row's changes before and after, a
refusal's reason, filters by client and by dates (the admin's days), a CSV export of the
filtered rows, and no secret anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io

import factory
import pytest
from django.http import StreamingHttpResponse
from django.utils.html import escape

from accounts import services as accounts
from accounts.exceptions import UsernameInUse
from accounts.models import AuditEvent, EventType, Outcome, Source
from provisioning import services
from provisioning.scim.constants import USER_SCHEMA
from tests.factories import UserFactory, account_settings

pytestmark = pytest.mark.django_db

LOG = "/provisioning/log/"
EXPORT = "/provisioning/log/export.csv"
SCIM_ACTOR = accounts.Actor(label="scim:token abcd1234", source=Source.SCIM, address="192.0.2.7")
UTC = dt.UTC


class AuditEventFactory(factory.django.DjangoModelFactory):
    """A row of the trail as the use cases write it, at a chosen time."""

    class Meta:
        model = AuditEvent

    event_type = EventType.USER_UPDATED
    source = Source.PORTAL
    actor_label = "user:admin@example.com"
    target_label = factory.Sequence(lambda n: f"person{n}@example.com")
    changes = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created_at = kwargs.pop("created_at", None)
        event = super()._create(model_class, *args, **kwargs)
        if created_at is not None:  # auto_now_add would ignore a given time
            model_class.objects.filter(pk=event.pk).update(created_at=created_at)
            event.created_at = created_at
        return event


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def listed(client, query: str = "") -> list[str]:
    """The target labels of the log's first page, newest first."""
    return [row.event.target_label for row in client.get(f"{LOG}?{query}").context["rows"]]


def exported(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"{EXPORT}?{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def carol_renamed(portal_admin):
    carol = UserFactory(username="carol@example.com", first_name="Carol")
    actor = accounts.Actor.for_user(portal_admin, address="198.51.100.4")
    accounts.update_user(carol, {"first_name": "Caroline"}, actor=actor)
    return AuditEvent.objects.get(target_user=carol)


@pytest.fixture
def refused_scim_create(db):
    payload = {"schemas": [USER_SCHEMA], "userName": "taken@example.com"}
    services.provision_user(payload, actor=SCIM_ACTOR)
    with pytest.raises(UsernameInUse) as refused:
        services.provision_user(payload, actor=SCIM_ACTOR)
    services.record_refused_write("POST", refused.value, actor=SCIM_ACTOR, payload=payload)
    return AuditEvent.objects.get(outcome=Outcome.REFUSED)


@pytest.fixture
def secret_event(db):
    """A row that holds what must never be shown: a password's and a token hash's values, a
    whole SCIM token and a password hash in its detail."""
    return AuditEventFactory(
        target_label="dave@example.com",
        changes=[
            {"field": "password", "before": "Old-Secret-1!", "after": "New-Secret-2!"},
            {"field": "token_hash", "before": "f00dfeed" * 8, "after": "deadbeef" * 8},
            {"field": "title", "before": "scim_abcdef12_TokenSecretPart", "after": "Chief"},
        ],
        detail=(
            "rotated scim_abcdef12_Zm9vYmFyYmF6cXV4, scimcs_0123abcd_Q2xpZW50U2VjcmV0 and"
            " scimat_4567cdef_QWNjZXNzVG9rZW4; argon2$argon2id$v=19$m=1$c2FsdA$aGFzaA"
        ),
    )


SECRETS = (
    "Old-Secret-1!",
    "New-Secret-2!",
    "f00dfeed",
    "deadbeef",
    "TokenSecretPart",
    "Zm9vYmFyYmF6cXV4",
    "Q2xpZW50U2VjcmV0",
    "QWNjZXNzVG9rZW4",
    "argon2id",
)


# Rows: what changed --------------------------------------------------------------------------


def test_row_shows_each_changed_field_before_and_after(admin_client, carol_renamed):
    content = admin_client.get(LOG).content.decode()

    assert '<div class="change">first_name: Carol → Caroline</div>' in content


def test_row_names_a_scim_writes_fields_by_their_scim_names(admin_client):
    services.provision_user(
        {"schemas": [USER_SCHEMA], "userName": "erin@example.com", "title": "Analyst"},
        actor=SCIM_ACTOR,
    )

    content = admin_client.get(LOG).content.decode()

    assert "userName: — → erin@example.com" in content
    assert "active: — → true" in content
    assert "and 3 more" in content  # preferredLanguage, title, ...


def test_row_cuts_long_values_and_the_detail_page_shows_them_whole(admin_client, portal_admin):
    long_title = "Head of " + "very " * 20 + "important things"
    AuditEventFactory(changes=[{"field": "title", "before": None, "after": long_title}])

    row = admin_client.get(LOG).content.decode()
    event = AuditEvent.objects.get()
    detail = admin_client.get(f"{LOG}{event.pk}/").content.decode()

    assert f"title: — → {long_title[:39]}…" in row
    assert long_title not in row
    assert f"<td>{long_title}</td>" in detail


def test_row_names_a_few_changes_and_counts_the_rest(admin_client):
    changes = [{"field": f"field{n}", "before": "a", "after": "b"} for n in range(7)]
    event = AuditEventFactory(changes=changes)

    row = admin_client.get(LOG).content.decode()
    detail = admin_client.get(f"{LOG}{event.pk}/").content.decode()

    assert "field4: a → b" in row and "field5" not in row
    assert "and 2 more" in row
    assert all(f'<th scope="row">field{n}</th>' in detail for n in range(7))


def test_row_shows_a_password_change_as_changed_only(admin_client, portal_admin):
    carol = UserFactory(username="carol@example.com")
    actor = accounts.Actor.for_user(portal_admin)
    accounts.update_user(carol, {"password": "Pass-phrase-42!"}, actor=actor)

    content = admin_client.get(LOG).content.decode()

    assert '<div class="change">password: changed</div>' in content
    assert "Pass-phrase-42!" not in content


def test_row_shows_a_refusals_reason(admin_client, refused_scim_create):
    content = admin_client.get(LOG).content.decode()

    assert refused_scim_create.detail
    reason = escape(refused_scim_create.detail)
    assert f'<div class="refusal">Refused: {reason}</div>' in content


def test_detail_page_shows_values_as_text(admin_client):
    phone = {"value": "+1 555 0100", "type": "work", "primary": True}
    event = AuditEventFactory(
        changes=[
            {"field": "phone_numbers", "before": [], "after": [phone]},
            {"field": "is_active", "before": True, "after": False},
        ]
    )

    content = admin_client.get(f"{LOG}{event.pk}/").content.decode()

    assert "<td>{&quot;primary&quot;: true, &quot;type&quot;: &quot;work&quot;" in content
    assert "<td>true</td>" in content and "<td>false</td>" in content


# No secrets ------------------------------------------------------------------------------------


def test_list_never_shows_a_secret(admin_client, secret_event):
    content = admin_client.get(LOG).content.decode()

    assert "password: changed" in content and "token_hash: changed" in content
    assert "scim_abcdef12_…" in content and "scimat_4567cdef_…" in content  # prefixes only
    assert not [secret for secret in SECRETS if secret in content]


def test_detail_never_shows_a_secret(admin_client, secret_event):
    content = admin_client.get(f"{LOG}{secret_event.pk}/").content.decode()

    assert content.count("changed (not shown)") == 2
    assert not [secret for secret in SECRETS if secret in content]


def test_export_never_holds_a_secret(admin_client, secret_event):
    (row,) = exported(admin_client)

    assert row["changes"].startswith("password: changed; token_hash: changed; title: ")
    assert not [secret for secret in SECRETS if secret in str(row)]


# Filters ---------------------------------------------------------------------------------------


@pytest.fixture
def two_clients(db):
    AuditEventFactory(target_label="by-okta", actor_label="scim:token abcd1234", source="scim")
    AuditEventFactory(target_label="by-admin", actor_label="user:admin@example.com")


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        ("client=abcd1234", ["by-okta"]),
        ("client=SCIM:TOKEN", ["by-okta"]),  # any case, any part
        ("client=user:admin@example.com", ["by-admin"]),
        ("client=nobody", []),
        ("client=admin&source=scim", []),
        ("client=abcd&source=scim&outcome=success", ["by-okta"]),
    ],
)
def test_filters_by_client(admin_client, two_clients, query, targets):
    assert listed(admin_client, query) == targets


def test_suggests_the_latest_events_clients(admin_client, two_clients):
    content = admin_client.get(LOG).content.decode()

    assert 'list="client-suggestions"' in content
    assert '<option value="scim:token abcd1234"></option>' in content
    assert '<option value="user:admin@example.com"></option>' in content


@pytest.fixture
def around_march_10(db):
    """Events either side of 10 March 2026's midnights in Paris (UTC+1 that day)."""
    for label, time in (
        ("9th, last second", "2026-03-09T22:59:59"),
        ("10th, first second", "2026-03-09T23:00:00"),
        ("10th, last second", "2026-03-10T22:59:59.999999"),
        ("11th, first second", "2026-03-10T23:00:00"),
    ):
        AuditEventFactory(target_label=label, created_at=at(time))


@pytest.fixture
def paris_admin(client, db):
    admin = UserFactory(username="paris@example.com", admin=True, time_zone="Europe/Paris")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        ("date_from=2026-03-10&date_to=2026-03-10", ["10th, last second", "10th, first second"]),
        ("date_from=2026-03-10", ["11th, first second", "10th, last second", "10th, first second"]),
        ("date_to=2026-03-10", ["10th, last second", "10th, first second", "9th, last second"]),
        ("date_from=2026-03-11&date_to=2026-03-11", ["11th, first second"]),
        ("date_from=2026-03-12", []),
    ],
)
def test_filters_by_whole_days_in_the_admins_time_zone(
    paris_admin, around_march_10, query, targets
):
    assert listed(paris_admin, query) == targets


def test_days_are_the_accounts_when_the_admin_has_no_time_zone(client, around_march_10):
    account_settings(default_time_zone="Asia/Tokyo")  # UTC+9
    client.force_login(UserFactory(username="nozone@example.com", admin=True, time_zone=""))

    found = listed(client, "date_from=2026-03-10&date_to=2026-03-10")

    assert found == ["10th, first second", "9th, last second"]  # Tokyo's 10 March


def test_shows_times_in_the_zone_its_days_are_in(paris_admin, around_march_10):
    content = paris_admin.get(LOG).content.decode()

    assert ">2026-03-11 00:00:00</a>" in content
    assert "Times and dates in Europe/Paris." in content


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [
        ("date_from=yesterday", "date_from", "Enter a date as YYYY-MM-DD."),
        ("date_to=2026-02-30", "date_to", "Enter a date as YYYY-MM-DD."),
        ("date_from=2026-03-11&date_to=2026-03-10", "date_to", "on or after the “From” date"),
        ("date_from=0001-01-01", "date_from", "Enter a date from 1900 on."),
        ("date_to=9999-12-31", "date_to", "Enter a date before 9999."),
        ("date_from=20260310", "date_from", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_bad_dates_are_a_form_error_not_a_failure(
    paris_admin, around_march_10, query, field, error
):
    response = paris_admin.get(f"{LOG}?{query}")

    assert response.status_code == 200
    assert error in str(response.context["form"].errors[field])
    content = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error">' in content
    assert 'aria-invalid="true"' in content
    assert response.context["rows"] == []
    assert "Download CSV" not in content


def test_pages_keep_the_filters(admin_client):
    for n in range(55):
        AuditEventFactory(actor_label="scim:token abcd1234", created_at=at("2026-03-10T12:00"))
    AuditEventFactory(actor_label="user:someone")
    query = "client=abcd1234&date_from=2026-03-10&date_to=2026-03-10"
    shown = query.replace("&", "&amp;")

    first = admin_client.get(f"{LOG}?{query}").content.decode()
    second = admin_client.get(f"{LOG}?{query}&page=2")

    assert f'href="?{shown}&amp;page=2"' in first
    assert len(second.context["rows"]) == 5
    assert f'href="?{shown}&amp;page=1"' in second.content.decode()


def test_list_queries_are_fixed_however_many_rows(
    admin_client, django_assert_num_queries, refused_scim_create
):
    query = f"{LOG}?client=scim&source=scim&date_from=2020-01-01&user=example"
    # Session, user, user type; the page's count and rows; the clients to suggest.
    with django_assert_num_queries(6):
        few = admin_client.get(query)
    for n in range(40):
        AuditEventFactory(
            actor_label="scim:token abcd1234",
            source=Source.SCIM,
            target_label=f"user{n}@example.com",
            changes=[{"field": "title", "before": "a", "after": "b"}, {"field": "password"}],
        )
    with django_assert_num_queries(6):
        many = admin_client.get(query)

    assert len(few.context["rows"]) == 2 and len(many.context["rows"]) == 42


# CSV export ------------------------------------------------------------------------------------


def test_list_links_to_the_export_of_its_filters(admin_client, two_clients):
    content = admin_client.get(f"{LOG}?client=okta&outcome=success&page=1").content.decode()

    assert f'<a class="button secondary" href="{EXPORT}?client=okta&amp;outcome=success"' in content
    assert "Download CSV</a>" in content


def test_export_streams_every_column(admin_client, carol_renamed):
    response = admin_client.get(EXPORT)
    body = b"".join(response.streaming_content).decode()

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="provisioning-log.csv"'
    assert body.splitlines()[0] == "time,event,outcome,source,actor,address,target,changes,detail"
    (row,) = csv.DictReader(io.StringIO(body))
    assert row == {
        "time": carol_renamed.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "event": "User updated",
        "outcome": "Success",
        "source": "Portal",
        "actor": "user:admin@example.com",
        "address": "198.51.100.4",
        "target": "carol@example.com",
        "changes": "first_name: Carol -> Caroline",
        "detail": "",
    }


def test_export_has_a_refusals_reason_and_a_groups_members(admin_client, refused_scim_create):
    AuditEventFactory(
        event_type=EventType.GROUP_MEMBERS_CHANGED,
        target_label="Sales",
        changes=[
            {"field": "members", "added": 3, "added_names": ["ann", "bob"], "removed": 0},
            {"field": "name", "before": "Sale", "after": "Sales"},
        ],
    )

    rows = exported(admin_client)

    assert rows[0]["changes"] == "members: 3 added: ann, bob …; name: Sale -> Sales"
    refused = rows[1]
    assert (refused["outcome"], refused["detail"]) == ("Refused", refused_scim_create.detail)
    assert refused["target"] == "taken@example.com"


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        ("client=abcd1234", ["by-okta"]),
        ("source=portal", ["by-admin"]),
        ("outcome=refused", []),
        ("user=by-", ["by-admin", "by-okta"]),
        ("action=user.created", []),
        ("date_from=2000-01-01&date_to=2000-01-01", []),
        ("", ["by-admin", "by-okta"]),
    ],
)
def test_export_takes_the_lists_filters(admin_client, two_clients, query, targets):
    assert [row["target"] for row in exported(admin_client, query)] == targets


def test_export_takes_the_date_range_in_the_admins_days(paris_admin, around_march_10):
    rows = exported(paris_admin, "date_from=2026-03-10&date_to=2026-03-10")

    assert [row["time"] for row in rows] == ["2026-03-10T22:59:59Z", "2026-03-09T23:00:00Z"]


def test_export_of_bad_filters_goes_back_to_the_list_that_says_why(admin_client):
    response = admin_client.get(f"{EXPORT}?date_from=soon&client=x")

    assert response.status_code == 302
    assert response["Location"] == f"{LOG}?date_from=soon&client=x"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_export_quotes_what_a_spreadsheet_would_run(admin_client, start):
    AuditEventFactory(
        actor_label=f'{start}HYPERLINK("http://evil.example")',
        target_label=f"{start}1+1",
        changes=[{"field": "title", "before": None, "after": f"{start}cmd"}],
        detail=f"{start}SUM(A1)",
    )
    AuditEventFactory(actor_label="plain", target_label="a=b", detail="x-y")

    plain, risky = exported(admin_client)

    assert risky["actor"] == f'\'{start}HYPERLINK("http://evil.example")'
    assert risky["target"] == f"'{start}1+1"
    assert risky["detail"] == f"'{start}SUM(A1)"
    assert risky["changes"] == f"title: — -> {start}cmd"  # starts with the field's name
    assert (plain["actor"], plain["target"], plain["detail"]) == ("plain", "a=b", "x-y")


def test_export_is_for_portal_admins_only(client, learner_client, two_clients):
    assert learner_client.get(EXPORT).status_code == 403
    client.logout()
    anonymous = client.get(EXPORT)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_export_is_never_cached(admin_client, two_clients):
    response = admin_client.get(EXPORT)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
