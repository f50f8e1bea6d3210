"""A password an IdP pushes (PUT, or Okta's PATCH) is hashed before the write's transaction
opens: the hash is deliberately slow, and the transaction holds the user's row lock (on
SQLite, the whole database's write lock). What the validators are told is unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.db import connection

from accounts import services
from accounts.services import passwords
from provisioning.scim import patch as scim_patch
from provisioning.scim.constants import USER_SCHEMA
from tests.provisioning.payloads import okta_password_patch, okta_put_user, patch_op

# Transactions of their own: a test's own transaction would make every hash look "inside".
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_PASSWORD = "N3w-pass-phrase!"


@pytest.fixture
def hashed_in_a_transaction(monkeypatch) -> list[bool]:
    """For each password hashed, whether a transaction was open."""
    seen: list[bool] = []
    make_password = passwords.make_password

    def recording(raw: str, *args: Any, **kwargs: Any) -> str:
        seen.append(connection.in_atomic_block)
        return make_password(raw, *args, **kwargs)

    monkeypatch.setattr(passwords, "make_password", recording)
    return seen


def users_path(user) -> str:
    return f"/Users/{user.scim_id}"


PUSHES = {
    "put": lambda user: (
        "put",
        okta_put_user(str(user.scim_id), user.username, "Alice", "Liddell", user.email)
        | {"password": NEW_PASSWORD},
    ),
    "okta-patch": lambda user: ("patch", okta_password_patch(NEW_PASSWORD)),
    "patch-path": lambda user: ("patch", okta_password_patch(NEW_PASSWORD, with_path=True)),
    "patch-urn-path": lambda user: (
        "patch",
        patch_op({"op": "replace", "path": f"{USER_SCHEMA}:password", "value": NEW_PASSWORD}),
    ),
}


@pytest.mark.parametrize("push", PUSHES)
def test_a_pushed_password_is_hashed_before_the_transaction_and_set(
    scim, alice, hashed_in_a_transaction, push
):
    method, body = PUSHES[push](alice)

    response = getattr(scim, method)(users_path(alice), body)

    assert response.status_code == 200, response.content
    assert hashed_in_a_transaction == [False]
    assert authenticate(username=alice.username, password=NEW_PASSWORD) == alice


def test_the_patched_user_not_the_hint_says_which_password_is_set(
    scim, alice, hashed_in_a_transaction, monkeypatch
):
    # The operations are read for a password ahead of the write only as a hint: one that
    # names another password (or none) costs a second hash, never a wrong password.
    monkeypatch.setattr(scim_patch, "password_set_by", lambda operations: "Wr0ng-hint-pass")

    response = scim.patch(users_path(alice), okta_password_patch(NEW_PASSWORD))

    assert response.status_code == 200, response.content
    assert hashed_in_a_transaction == [False, True]
    assert authenticate(username=alice.username, password=NEW_PASSWORD) == alice
    assert authenticate(username=alice.username, password="Wr0ng-hint-pass") is None


def test_a_password_the_patch_replaces_again_is_the_last_one(scim, alice, hashed_in_a_transaction):
    body = patch_op(
        {"op": "replace", "value": {"password": "Fir5t-pass-phrase"}},
        {"op": "replace", "path": "password", "value": NEW_PASSWORD},
    )

    assert scim.patch(users_path(alice), body).status_code == 200

    assert hashed_in_a_transaction == [False]
    assert authenticate(username=alice.username, password=NEW_PASSWORD) == alice
    assert authenticate(username=alice.username, password="Fir5t-pass-phrase") is None


def test_a_refused_password_changes_nothing(scim, alice):
    before = alice.password

    response = scim.patch(users_path(alice), okta_password_patch("password"))

    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.password == before


def test_a_portal_change_of_password_is_hashed_before_its_transaction(
    alice, actor, hashed_in_a_transaction
):
    services.update_user(alice, {"password": NEW_PASSWORD}, actor=actor)

    assert hashed_in_a_transaction == [False]
    assert authenticate(username=alice.username, password=NEW_PASSWORD) == alice


class RecordingValidator:
    """A password validator that remembers what it was told had changed."""

    changed: list[tuple[str, str]] = []

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        RecordingValidator.changed.append((password, user.username))

    def get_help_text(self) -> str:
        return ""


@pytest.mark.parametrize("push", ["put", "okta-patch"])
def test_the_validators_are_told_of_the_new_password_once(scim, alice, settings, push):
    settings.SCIM_PASSWORD_VALIDATORS = [
        {"NAME": f"{RecordingValidator.__module__}.RecordingValidator"}
    ]
    RecordingValidator.changed = []
    method, body = PUSHES[push](alice)

    assert getattr(scim, method)(users_path(alice), body).status_code == 200

    assert RecordingValidator.changed == [(NEW_PASSWORD, alice.username)]


def test_a_hashed_password_shows_neither_itself_nor_its_hash():
    hashed = passwords.hash_password(NEW_PASSWORD)

    assert NEW_PASSWORD not in repr(hashed) and hashed.hashed not in repr(hashed)
