"""Races between IdP requests on several app processes: one winner, the rest a clean 409."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.models import User
from provisioning.scim.constants import PATCH_OP, USER_SCHEMA

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PARALLEL = 20


def user_body(user_name: str, email: str) -> dict:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "emails": [{"value": email, "type": "work", "primary": True}],
        "password": "A-long-enough-passphrase-1",
    }


def in_parallel(call, arguments: list) -> list:
    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(call, arguments))


def statuses(results: list) -> list[int]:
    return sorted(status for status, _, _ in results)


def test_parallel_creates_of_one_username_give_one_201_and_409s(gunicorn_scim):
    results = in_parallel(
        lambda n: gunicorn_scim.send(
            "POST",
            "/Users",
            user_body(
                "Racer@Example.com" if n % 2 else "racer@example.com", f"racer{n}@example.com"
            ),
        ),
        list(range(PARALLEL)),
    )

    assert statuses(results) == [201] + [409] * (PARALLEL - 1)
    assert {body.get("scimType") for status, body, _ in results if status == 409} == {"uniqueness"}
    assert User.objects.with_username("racer@example.com").count() == 1


def test_parallel_creates_of_one_email_give_one_201_and_409s(gunicorn_scim):
    results = in_parallel(
        lambda n: gunicorn_scim.send("POST", "/Users", user_body(f"user{n}", "Same@Example.com")),
        list(range(PARALLEL)),
    )

    assert statuses(results) == [201] + [409] * (PARALLEL - 1)
    assert User.objects.with_email("same@example.com").count() == 1


def test_parallel_patches_and_puts_each_move_the_version_once(gunicorn_scim):
    _, created, _ = gunicorn_scim.send("POST", "/Users", user_body("busy", "busy@example.com"))
    path = f"/Users/{created['id']}"

    def write(n: int):
        if n % 2:
            body = {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "path": "name.givenName", "value": f"G{n}"}],
            }
            return gunicorn_scim.send("PATCH", path, body)
        body = user_body("busy", "busy@example.com") | {"name": {"familyName": f"F{n}"}}
        return gunicorn_scim.send("PUT", path, body)

    results = in_parallel(write, list(range(PARALLEL)))

    assert statuses(results) == [200] * PARALLEL
    user = User.objects.get(username="busy")
    assert user.version == 1 + PARALLEL
    final = gunicorn_scim.send("GET", path)[1]
    assert final["meta"]["version"] == f'W/"{1 + PARALLEL}"'


def test_if_match_lets_only_one_of_two_read_modify_writes_through(gunicorn_scim):
    _, created, headers = gunicorn_scim.send("POST", "/Users", user_body("rmw", "rmw@example.com"))
    path = f"/Users/{created['id']}"
    etag = headers["ETag"]

    def replace(n: int):
        body = user_body("rmw", "rmw@example.com") | {"displayName": f"Writer {n}"}
        return gunicorn_scim.send("PUT", path, body, {"If-Match": etag})

    results = in_parallel(replace, [1, 2])

    assert statuses(results) == [200, 412]
    assert User.objects.get(username="rmw").version == 2
