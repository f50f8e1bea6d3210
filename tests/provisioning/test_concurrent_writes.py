"""Concurrent SCIM writes to one user are applied one after the other, none lost."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from accounts import services as accounts
from accounts.models import AuditEvent
from accounts.services import Actor
from accounts.transactions import write_transaction
from provisioning import services
from provisioning.scim.constants import PATCH_OP, USER_SCHEMA
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def patch(path: str, value: str) -> dict:
    return {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": path, "value": value}]}


def test_parallel_patches_of_different_attributes_both_land():
    user = UserFactory(username="race@example.com", first_name="A", last_name="B")
    bodies = [patch("name.givenName", "Given"), patch("name.familyName", "Family")]
    barrier = threading.Barrier(len(bodies), timeout=10)
    failures: list[BaseException] = []

    def send(body: dict) -> None:
        try:
            barrier.wait()
            services.patch_user(str(user.scim_id), body, actor=services.Actor.system("race"))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.version) == ("Given", "Family", 3)


def test_a_write_that_changes_nothing_is_still_logged():
    user = UserFactory(username="same@example.com", first_name="Same")

    services.patch_user(
        str(user.scim_id), patch("name.givenName", "Same"), actor=services.Actor.system("t")
    )

    event = AuditEvent.objects.get()
    assert (event.changed, event.detail, event.outcome) == ([], "no change", "success")


def put_body(user, *, given: str) -> dict:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user.username,
        "name": {"givenName": given, "familyName": "B"},
        "emails": [{"value": user.email, "primary": True}],
    }


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_write_that_lands_while_a_scim_write_waits_for_its_lock_is_built_upon(method):
    """The SCIM write starts while another writer holds the lock: it applies to the user as
    the other left it (a PUT's unchanged-looking last name is written back), and moves the
    version once more."""
    user = UserFactory(username="wait@example.com", first_name="A", last_name="B")
    holding = threading.Event()
    failures: list[BaseException] = []

    def other_writer() -> None:
        try:
            with write_transaction():
                accounts.update_user(user, {"last_name": "Family"}, actor=Actor.system("other"))
                holding.set()
                time.sleep(0.3)  # the SCIM write is now waiting for the lock
        except BaseException as error:
            failures.append(error)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    holding.wait(timeout=10)
    actor = Actor.system("idp")
    if method == "PUT":
        services.replace_user(str(user.scim_id), put_body(user, given="Given"), actor=actor)
    else:
        services.patch_user(str(user.scim_id), patch("name.givenName", "Given"), actor=actor)
    thread.join()

    assert failures == []
    user.refresh_from_db()
    expected_last = "B" if method == "PUT" else "Family"  # a PUT replaces what it was sent
    assert (user.first_name, user.last_name, user.version) == ("Given", expected_last, 3)
    scim_write = AuditEvent.objects.filter(actor_label="system:idp").get()
    before = {item["field"]: item["before"] for item in scim_write.changes}
    assert before["first_name"] == "A"
    assert before.get("last_name") == ("Family" if method == "PUT" else None)
