"""Retry policy, retry budget and throttle, as objects."""

from __future__ import annotations

import asyncio
import random

import pytest

from upsales_freshdesk.clients import (
    ConnectionFailedError,
    Deadline,
    RateLimitedError,
    RetryBudget,
    RetryPolicy,
    ServerError,
    Throttle,
    UpstreamTimeoutError,
    ValidationError,
)
from upsales_freshdesk.clients.policy import ThrottleRegistry, ThrottleWaitTooLong, account_key

CTX = {"service": "upsales", "method": "GET", "path": "/contacts"}


def test_only_transient_errors_of_idempotent_calls_are_retried() -> None:
    p = RetryPolicy()
    assert p.should_retry(ServerError("x", status=500, **CTX), 1, idempotent=True)  # type: ignore[arg-type]
    assert not p.should_retry(ServerError("x", status=500, **CTX), 1, idempotent=False)  # type: ignore[arg-type]
    assert not p.should_retry(ValidationError("x", status=400, **CTX), 1, idempotent=True)  # type: ignore[arg-type]
    assert not p.should_retry(ServerError("x", status=500, **CTX), 4, idempotent=True)  # type: ignore[arg-type]
    # A POST whose connection never opened did not arrive: it is safe to send again.
    refused = ConnectionFailedError("x", sent=False, **CTX)  # type: ignore[arg-type]
    assert p.should_retry(refused, 1, idempotent=False)
    # One whose connection was lost after sending may have arrived: never sent again.
    lost = ConnectionFailedError("x", sent=True, **CTX)  # type: ignore[arg-type]
    assert not p.should_retry(lost, 1, idempotent=False)
    assert p.should_retry(lost, 1, idempotent=True)


def test_backoff_is_jittered_exponential_and_capped() -> None:
    p = RetryPolicy(backoff_base=0.5, backoff_max=2.0, rng=random.Random(7))
    err = ServerError("x", status=500, **CTX)  # type: ignore[arg-type]
    for attempt in range(1, 8):
        ceiling = min(2.0, 0.5 * 2 ** (attempt - 1))
        assert all(0 <= p.delay(err, attempt) <= ceiling for _ in range(50))


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    p = RetryPolicy(retry_after_max=10)
    assert p.delay(RateLimitedError("x", retry_after=3, **CTX), 1) >= 3  # type: ignore[arg-type]
    assert p.delay(RateLimitedError("x", retry_after=3600, **CTX), 1) == 10  # type: ignore[arg-type]


def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    p = RetryPolicy(retry_after_max=10)
    long_wait = RateLimitedError("x", retry_after=60, **CTX)  # type: ignore[arg-type]
    assert not p.should_retry(long_wait, 1, idempotent=True)
    short_wait = RateLimitedError("x", retry_after=5, **CTX)  # type: ignore[arg-type]
    assert p.should_retry(short_wait, 1, idempotent=True)


def test_a_wait_must_fit_the_deadline() -> None:
    p = RetryPolicy(min_attempt_time=0.05)
    assert p.fits(0.1, Deadline.after(1.0))
    assert not p.fits(0.99, Deadline.after(1.0))


def test_budget_spends_more_for_timeouts_and_refills_on_success() -> None:
    b = RetryBudget(capacity=20, retry_cost=5, timeout_cost=10, success_refund=1)
    assert b.try_spend(UpstreamTimeoutError("t", **CTX))  # type: ignore[arg-type]
    assert b.try_spend(ServerError("s", **CTX))  # type: ignore[arg-type]
    assert b.tokens == 5
    assert not b.try_spend(UpstreamTimeoutError("t", **CTX))  # type: ignore[arg-type]
    b.refund()
    assert b.tokens == 6
    for _ in range(100):
        b.refund()
    assert b.tokens == 20


def test_deadline_sooner() -> None:
    d = Deadline.after(10)
    assert d.sooner(1).remaining() <= 1 < d.remaining()
    assert d.sooner(100) is d


async def test_throttle_pauses_when_remaining_nears_zero() -> None:
    t = Throttle(200, 10.0, reserve=5)
    t.observe({"x-ratelimit-remaining": "150"}, reset_seconds=7)
    assert t.paused_for == 0
    t.observe({"x-ratelimit-remaining": "3"}, reset_seconds=7)
    assert 6 < t.paused_for <= 7
    with pytest.raises(ThrottleWaitTooLong):
        await t.acquire(Deadline.after(1))


async def test_a_wait_for_the_pace_ends_at_the_deadline() -> None:
    t = Throttle(1, 10.0)  # one call per 10 s
    await t.acquire(Deadline.after(1))  # at once: the bucket's one call
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await t.acquire(Deadline.after(0.2))
    assert loop.time() - started < 1  # not the 10 s the pace asks


async def test_throttle_without_reset_spreads_the_rest_of_the_window() -> None:
    t = Throttle(60, 60.0, reserve=3)
    t.observe({"x-ratelimit-remaining": "1"})  # Freshdesk sends no reset
    assert 0 < t.paused_for <= 60 / 60 * 3


async def test_throttle_paces_to_the_limit() -> None:
    t = Throttle(5, 0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(10):
        await t.acquire()
    # aiolimiter lets the first burst of 5 through; the next 5 wait for capacity.
    assert loop.time() - started > 0.3


async def test_the_servers_limit_wins_over_a_plan_set_too_high() -> None:
    t = Throttle(100_000, 60.0)  # the operator said "100 000 a minute"
    t.observe({"x-ratelimit-remaining": "300", "x-ratelimit-total": "400"})
    assert t.paused_for == 0  # 300 of 400 left is not "near zero"
    t.observe({"x-ratelimit-remaining": "3", "x-ratelimit-total": "400"})
    assert 0 < t.paused_for <= 60 / 400 * 20


def test_throttle_ignores_garbage_headers() -> None:
    t = Throttle(10, 1.0)
    t.observe({"x-ratelimit-remaining": "lots"})
    assert t.paused_for == 0
    with pytest.raises(ValueError):
        Throttle(0, 1.0)


def test_registry_shares_per_account_and_hides_the_secret() -> None:
    r = ThrottleRegistry()
    key = account_key("upsales", "secret-token")
    assert "secret-token" not in key
    assert r.throttle(key, 200, 10) is r.throttle(key, 200, 10)
    assert r.throttle(key, 200, 10) is not r.throttle(account_key("upsales", "other"), 200, 10)
    assert r.budget(key) is r.budget(key)
