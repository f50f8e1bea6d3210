"""Concurrent SCIM writes to one user are applied one after the other, none lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from provisioning import services
from provisioning.scim.constants import PATCH_OP
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
    from accounts.models import AuditEvent

    user = UserFactory(username="same@example.com", first_name="Same")

    services.patch_user(
        str(user.scim_id), patch("name.givenName", "Same"), actor=services.Actor.system("t")
    )

    event = AuditEvent.objects.get()
    assert (event.changed, event.detail, event.outcome) == ([], "no change", "success")
