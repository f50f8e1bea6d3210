"""Every SCIM write, accepted or refused, leaves one AuditEvent (never a secret in it)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditEvent, EventType, Outcome, Source, User
from accounts.services import Actor, audit
from provisioning import tokens
from tests.factories import BranchFactory
from tests.provisioning.payloads import (
    STRONG_PASSWORD,
    entra_create_user,
    lms_branch,
    okta_create_user,
    okta_deactivate_patch,
    okta_password_patch,
    okta_put_user,
    okta_reactivate_patch,
    patch_op,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "N3w-pass-phrase!"


@pytest.fixture
def actor_label(scim_token: str) -> str:
    return f"scim:token {tokens.prefix_of(scim_token)}"


def user_events() -> list[dict[str, Any]]:
    """The user events, oldest first, as comparable dicts (``changed`` sorted)."""
    events = AuditEvent.objects.filter(event_type__startswith="user.").order_by("pk")
    return [
        {
            "event_type": event.event_type,
            "outcome": event.outcome,
            "actor_label": event.actor_label,
            "target_user": event.target_user,
            "target_label": event.target_label,
            "changed": sorted(event.changed),
            "detail": event.detail,
        }
        for event in events
    ]


def event(
    event_type: str,
    actor_label: str,
    user: User | None,
    *,
    label: str = "",
    changed: tuple[str, ...] = (),
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
) -> dict[str, Any]:
    return {
        "event_type": event_type,
        "outcome": outcome,
        "actor_label": actor_label,
        "target_user": user,
        "target_label": label or (user.username if user else ""),
        "changed": sorted(changed),
        "detail": detail,
    }


def every_event_field() -> str:
    return repr(list(AuditEvent.objects.values()))


def test_records_create_with_the_names_of_every_attribute_set(scim, actor_label):
    BranchFactory(name="Athens", slug="athens")
    body = entra_create_user(
        "dave@contoso.com",
        "Dave",
        "Smith",
        "dave@contoso.com",
        userType="Trainer-Type",
        timezone="Europe/Athens",
        **lms_branch("Athens"),
    )

    response = scim.post("/Users", body)

    dave = User.objects.get(scim_id=response.json()["id"])
    assert user_events() == [
        event(
            EventType.USER_CREATED,
            actor_label,
            dave,
            changed=(
                "username",
                "email",
                "email_type",
                "email_primary",
                "first_name",
                "last_name",
                "formatted_name",  # Entra sends name.formatted
                "display_name",
                "external_id",
                "is_active",
                "time_zone",
                "user_type",
                "language",
                "branches",
                "employee_number",
                "cost_center",
                "organization",
                "division",
                "department",
            ),
        )
    ]


def test_records_refused_create_with_the_reason(scim, alice, actor_label):
    body = okta_create_user("ALICE@example.com", "Alice", "Again", "new@example.com")

    scim.post("/Users", body)

    assert user_events() == [
        event(
            EventType.USER_CREATED,
            actor_label,
            None,
            label="ALICE@example.com",
            outcome=Outcome.REFUSED,
            detail="The username 'ALICE@example.com' is already used by another user.",
        )
    ]


def test_records_refused_create_for_an_invalid_value(scim, actor_label):
    scim.post("/Users", okta_create_user("eve", "Eve", "E", "eve@example.com", userType="Wizard"))

    assert user_events() == [
        event(
            EventType.USER_CREATED,
            actor_label,
            None,
            label="eve",
            outcome=Outcome.REFUSED,
            detail="Unknown userType 'Wizard'; known user types: "
            "SuperAdmin, Admin-Type, Trainer-Type, Learner-Type.",
        )
    ]


def test_records_deactivation_and_reactivation(scim, alice, actor_label):
    scim.patch(f"/Users/{alice.scim_id}", okta_deactivate_patch())
    scim.patch(f"/Users/{alice.scim_id}", okta_reactivate_patch(with_path=True))

    assert user_events() == [
        event(EventType.USER_DEACTIVATED, actor_label, alice, changed=("is_active",)),
        event(EventType.USER_REACTIVATED, actor_label, alice, changed=("is_active",)),
    ]


def test_records_patch_with_the_changed_attribute_names(scim, alice, actor_label):
    body = patch_op(
        {"op": "replace", "path": "name.givenName", "value": "Alicia"},
        {"op": "replace", "value": {"active": False, "password": NEW_PASSWORD}},
    )

    scim.patch(f"/Users/{alice.scim_id}", body)

    assert user_events() == [
        event(
            EventType.USER_UPDATED,
            actor_label,
            alice,
            changed=("first_name", "is_active", "password"),
        )
    ]


def test_records_put_as_a_replacement(scim, alice, actor_label):
    body = okta_put_user(str(alice.scim_id), alice.username, "Alice", "Liddell", alice.email)

    scim.put(f"/Users/{alice.scim_id}", body)

    assert user_events() == [
        event(
            EventType.USER_REPLACED,
            actor_label,
            alice,
            changed=("display_name", "external_id", "language", "locale"),
        )
    ]


def test_records_delete(scim, alice, actor_label):
    scim.delete(f"/Users/{alice.scim_id}")

    assert user_events() == [event(EventType.USER_DELETED, actor_label, alice)]


def test_records_refused_patch(scim, alice, actor_label):
    scim.patch(f"/Users/{alice.scim_id}", patch_op({"op": "remove", "path": "timezone"}))

    assert user_events() == [
        event(
            EventType.USER_UPDATED,
            actor_label,
            alice,
            outcome=Outcome.REFUSED,
            detail="timezone is required and cannot be removed; replace it instead.",
        )
    ]


@pytest.mark.parametrize(
    ("method", "event_type"),
    [
        ("put", EventType.USER_REPLACED),
        ("patch", EventType.USER_UPDATED),
        ("delete", EventType.USER_DELETED),
    ],
)
def test_records_write_refused_for_a_stale_etag(scim, alice, actor_label, method, event_type):
    path = f"/Users/{alice.scim_id}"
    if method == "put":
        body = okta_put_user(str(alice.scim_id), alice.username, "A", "L", alice.email)
        scim.put(path, body, If_Match='W/"5"')
    elif method == "patch":
        scim.patch(path, okta_deactivate_patch(), If_Match='W/"5"')
    else:
        scim.delete(path, If_Match='W/"5"')

    assert user_events() == [
        event(
            event_type,
            actor_label,
            alice,
            outcome=Outcome.REFUSED,
            detail="The user has changed (version 1, expected 5).",
        )
    ]


def test_records_create_refused_for_invalid_json(scim, actor_label):
    scim.send("post", "/Users", '{"userName": "eve"')

    assert [e["outcome"] for e in user_events()] == [Outcome.REFUSED]


def test_reads_are_not_recorded(scim, alice):
    scim.get("/Users")
    scim.get(f"/Users/{alice.scim_id}")
    scim.post("/Users/.search", {"filter": 'userName eq "alice@example.com"'})

    assert user_events() == []


def test_no_event_holds_a_password_or_the_token(scim, scim_token, alice):
    created = scim.post("/Users", okta_create_user("carol", "Carol", "Jones", "c@example.com"))
    carol_path = f"/Users/{created.json()['id']}"
    scim.patch(carol_path, okta_password_patch(NEW_PASSWORD))
    scim.patch(carol_path, okta_password_patch("12345678", with_path=True))  # refused: weak
    body = okta_put_user(
        str(alice.scim_id), alice.username, "A", "L", alice.email, password="An0ther-passphrase"
    )
    scim.put(f"/Users/{alice.scim_id}", body)

    assert len(user_events()) == 4
    recorded = every_event_field()
    for secret in (STRONG_PASSWORD, NEW_PASSWORD, "12345678", "An0ther-passphrase"):
        assert secret not in recorded
    assert scim_token not in recorded
    assert scim_token.split("_", 2)[2] not in recorded
    assert "password" in recorded  # the attribute's name is recorded, its value never


def test_a_write_records_its_source_address_and_values_before_and_after(scim, alice):
    scim.patch(
        f"/Users/{alice.scim_id}",
        patch_op({"op": "replace", "path": "name.givenName", "value": "Alicia"}),
    )

    row = AuditEvent.objects.get(event_type__startswith="user.")
    assert (row.source, row.address, row.actor_user) == (Source.SCIM, "127.0.0.1", None)
    assert row.changes == [{"field": "first_name", "before": "Alice", "after": "Alicia"}]


def test_a_refused_write_is_recorded_once(scim, alice):
    scim.patch(f"/Users/{alice.scim_id}", patch_op({"op": "remove", "path": "timezone"}))
    scim.post("/Users", okta_create_user("alice@example.com", "A", "L", "other@example.com"))
    scim.send("post", "/Users", '{"userName": "eve"')

    users = AuditEvent.objects.filter(event_type__startswith="user.")
    refused = users.filter(outcome=Outcome.REFUSED)
    assert [(e.event_type, e.target_label) for e in refused.order_by("pk")] == [
        (EventType.USER_UPDATED, "alice@example.com"),
        (EventType.USER_CREATED, "alice@example.com"),
        (EventType.USER_CREATED, ""),
    ]
    assert users.count() == 3


def test_an_event_is_stored_as_the_orm_would_store_it(alice):
    # The row audit.record leaves holds what it was given, column for column, on either
    # database: non-ASCII text, an IPv6 address, quotes and a line break included.
    actor = Actor.for_user(alice, address="2001:db8::1")
    changes = [
        {"field": "first_name", "before": "Ünïcode", "after": None},
        {"field": "password"},
    ]
    values = {
        "event_type": EventType.USER_UPDATED,
        "outcome": Outcome.REFUSED,
        "source": Source.PORTAL,
        "actor_label": actor.label,
        "actor_user": alice,
        "address": "2001:db8::1",
        "target_user": alice,
        "target_label": alice.username,
        "changes": changes,
        "detail": 'A "quoted" reason; 100% plain — and a line\nbreak.',
    }
    audit.record(
        values["event_type"],
        actor=actor,
        user=alice,
        changes=changes,
        outcome=values["outcome"],
        detail=values["detail"],
    )
    AuditEvent.objects.create(**values)

    recorded, created = AuditEvent.objects.order_by("pk").values()
    assert recorded.pop("id") < created.pop("id")
    assert recorded.pop("created_at") <= created.pop("created_at")
    assert recorded == created
    assert recorded["changes"] == changes


def test_a_create_and_a_replace_name_what_they_held_that_is_not_kept(scim):
    body = okta_create_user(
        "erin@example.com",
        "Erin",
        "Hale",
        "erin@example.com",
        favouriteColour="teal",
        name={"givenName": "Erin", "familyName": "Hale", "nick": "E"},
        roles=[],
    )
    created = scim.post("/Users", body).json()
    scim.put(f"/Users/{created['id']}", {**body, "x509Certificates": [{"value": "MIIB"}]})

    created_event, replaced_event = AuditEvent.objects.filter(target_user__isnull=False).order_by(
        "pk"
    )
    # In the order the body holds them; an empty value ("roles": []) says nothing.
    assert created_event.detail == "Ignored (not kept here): name.nick, favouriteColour"
    assert replaced_event.detail == (
        "Ignored (not kept here): name.nick, favouriteColour, x509Certificates"
    )
