"""Rate limits: per token, shared by all app processes, and slowing down token guessing."""

from __future__ import annotations

import time

import pytest

from provisioning.api import throttling

pytestmark = pytest.mark.django_db


def start_of_a_window(needed_seconds: float) -> None:
    """Wait for the next rate window when this one has less than ``needed_seconds`` left.

    The limit counts per minute; a test that straddles the turn of a minute would see two
    budgets and prove nothing.
    """
    left = throttling.WINDOW_SECONDS - time.time() % throttling.WINDOW_SECONDS
    if left < needed_seconds:
        time.sleep(left + 0.05)


@pytest.fixture(autouse=True)
def fresh_counters():
    start_of_a_window(needed_seconds=3)
    throttling.token_limiter.counters.clear()


def test_requests_over_the_token_limit_get_429_with_retry_after(scim, settings):
    settings.SCIM_RATE_LIMIT = 5

    statuses = [scim.get("/Users").status_code for _ in range(8)]

    assert statuses == [200] * 5 + [429] * 3
    refused = scim.get("/Users")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "429",
        "detail": "More than 5 requests a minute with this token; retry later.",
    }


def test_a_process_adds_to_the_shared_count_after_1_percent_of_the_limit(settings):
    settings.SCIM_RATE_LIMIT = 12000
    limiter, now = throttling.TokenRateLimiter(), time.time()
    key = f"scim-rate:abcd1234:{throttling._window(now)}"
    limiter.hit("abcd1234", now=now)  # a process's first request is added at once
    assert throttling.cache.get(key) == 1

    for _ in range(119):
        limiter.hit("abcd1234", now=now)
    assert throttling.cache.get(key) == 1
    limiter.hit("abcd1234", now=now)
    assert throttling.cache.get(key) == 121


def test_a_process_adds_to_the_shared_count_every_second(settings):
    settings.SCIM_RATE_LIMIT = 12000
    limiter, now = throttling.TokenRateLimiter(), time.time()
    key = f"scim-rate:every123:{throttling._window(now)}"
    limiter.hit("every123", now=now)
    limiter.hit("every123", now=now + 0.5)
    assert throttling.cache.get(key) == 1
    limiter.hit("every123", now=now + throttling.FLUSH_SECONDS)
    assert throttling.cache.get(key) == 3


def test_repeated_bad_tokens_from_one_client_are_slowed_down(scim, scim_as, settings):
    settings.SCIM_AUTH_FAILURE_LIMIT = 3
    guesser = scim_as("scim_00000000_guess")

    statuses = [guesser.get("/Users").status_code for _ in range(5)]

    assert statuses == [401] * 3 + [429] * 2
    assert "Retry-After" in guesser.get("/Users")
    assert scim.get("/Users").status_code == 200  # the real token is not locked out


def test_no_limit_when_switched_off(scim, settings):
    settings.SCIM_RATE_LIMIT = 0

    assert {scim.get("/Users").status_code for _ in range(30)} == {200}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("server_env", [{"SCIM_RATE_LIMIT": "40"}])
def test_the_limit_holds_across_worker_processes(gunicorn_scim, server_env):
    from tests.reliability.conftest import WORKERS

    start_of_a_window(needed_seconds=20)
    window = throttling._window(time.time())
    statuses = [gunicorn_scim.send("GET", "/Users?count=1")[0] for _ in range(300)]
    assert throttling._window(time.time()) == window, "the requests straddled two windows"

    accepted = statuses.count(200)
    # Each process may run ahead of the shared counter by at most flush_every(40) requests;
    # counted per process alone, the workers would together accept 40 each.
    assert 40 <= accepted <= 40 + WORKERS * throttling.flush_every(40)
    assert set(statuses) == {200, 429}
