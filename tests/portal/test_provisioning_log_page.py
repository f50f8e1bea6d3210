"""The log page: the audit trail of every path, newest first, filters, detail, no secrets."""

from __future__ import annotations

import pytest

from accounts import services as accounts
from accounts.exceptions import UsernameInUse
from accounts.models import AuditEvent, Outcome, Source
from provisioning import services
from provisioning.scim.constants import USER_SCHEMA
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCIM_ACTOR = accounts.Actor(label="scim:token abcd1234", source=Source.SCIM, address="192.0.2.7")


@pytest.fixture
def scim_events(db):
    services.provision_user(
        {"schemas": [USER_SCHEMA], "userName": "first@example.com", "password": "A-long-1-pass"},
        actor=SCIM_ACTOR,
    )
    payload = {"schemas": [USER_SCHEMA], "userName": "FIRST@example.com"}
    with pytest.raises(UsernameInUse) as refused:
        services.provision_user(payload, actor=SCIM_ACTOR)
    services.record_refused_write("POST", refused.value, actor=SCIM_ACTOR, payload=payload)
    return AuditEvent.objects.order_by("pk")


def test_lists_events_newest_first(admin_client, scim_events):
    page = admin_client.get("/provisioning/log/").context["page"]

    assert [e.outcome for e in page] == [Outcome.REFUSED, Outcome.SUCCESS]


@pytest.mark.parametrize(
    ("query", "outcomes"),
    [
        ("outcome=refused", [Outcome.REFUSED]),
        ("action=user.created&outcome=success", [Outcome.SUCCESS]),
        ("user=nobody", []),
        ("source=scim", [Outcome.REFUSED, Outcome.SUCCESS]),
        ("source=portal", []),
    ],
)
def test_filters_events(admin_client, scim_events, query, outcomes):
    page = admin_client.get(f"/provisioning/log/?{query}").context["page"]

    assert [e.outcome for e in page] == outcomes


def test_lists_the_source_the_actor_and_the_address(admin_client, scim_events):
    response = admin_client.get("/provisioning/log/")

    assert b"<td>SCIM</td>" in response.content
    assert b"scim:token abcd1234" in response.content
    assert b"192.0.2.7" in response.content


def test_offers_every_event_type_by_its_label(admin_client):
    form = admin_client.get("/provisioning/log/").context["form"]

    actions = dict(form.fields["action"].choices)
    assert actions["user.restored"] == "User restored"
    assert actions["scim.token_rotated"] == "SCIM token rotated"
    assert actions["branch.updated"] == "Branch updated"


def test_detail_shows_what_happened_but_no_secret(admin_client, scim_events):
    created = scim_events.first()

    response = admin_client.get(f"/provisioning/log/{created.pk}/")

    assert b"scim:token abcd1234" in response.content
    assert b"userName" in response.content  # a SCIM write's fields by their SCIM names
    assert b"first@example.com" in response.content
    assert b"A-long-passphrase-1" not in response.content
    assert b"pbkdf2" not in response.content and b"md5$" not in response.content


def test_detail_shows_each_changed_value_before_and_after(admin_client, portal_admin):
    carol = UserFactory(username="carol@example.com", first_name="Carol")
    actor = accounts.Actor.for_user(portal_admin, address="198.51.100.4")
    accounts.update_user(
        carol, {"first_name": "Caroline", "password": "Pass-phrase-42!"}, actor=actor
    )

    event = AuditEvent.objects.get(target_user=carol)
    response = admin_client.get(f"/provisioning/log/{event.pk}/")

    content = response.content.decode()
    assert '<th scope="row">first_name</th>' in content
    assert "<td>Carol</td>" in content and "<td>Caroline</td>" in content
    assert "198.51.100.4" in content and "Portal" in content
    assert "changed (not shown)" in content  # the password: by name only
    assert "Pass-phrase-42!" not in content
