"""The provisioning log: newest first, filters, detail, no secrets."""

from __future__ import annotations

import pytest

from accounts.exceptions import UsernameInUse
from provisioning import services
from provisioning.models import Outcome, ProvisioningEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def scim_events(db):
    actor = services.Actor(label="scim:token abcd1234")
    services.provision_user(
        {"userName": "first@example.com", "password": "A-long-passphrase-1"}, actor=actor
    )
    with pytest.raises(UsernameInUse):  # a refused create, recorded as refused
        services.provision_user({"userName": "FIRST@example.com"}, actor=actor)
    return ProvisioningEvent.objects.order_by("pk")


def test_lists_events_newest_first(admin_client, scim_events):
    page = admin_client.get("/provisioning/log/").context["page"]

    assert [e.outcome for e in page] == [Outcome.REFUSED, Outcome.SUCCESS]


@pytest.mark.parametrize(
    ("query", "outcomes"),
    [
        ("outcome=refused", [Outcome.REFUSED]),
        ("action=user.created&outcome=success", [Outcome.SUCCESS]),
        ("user=nobody", []),
    ],
)
def test_filters_events(admin_client, scim_events, query, outcomes):
    page = admin_client.get(f"/provisioning/log/?{query}").context["page"]

    assert [e.outcome for e in page] == outcomes


def test_detail_shows_what_happened_but_no_secret(admin_client, scim_events):
    created = scim_events.first()

    response = admin_client.get(f"/provisioning/log/{created.pk}/")

    assert b"scim:token abcd1234" in response.content
    assert b"userName" in response.content
    assert b"A-long-passphrase-1" not in response.content
