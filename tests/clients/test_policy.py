"""Retry policy, retry budget and deadline, as objects."""

from __future__ import annotations

import random

from upsales_freshdesk.clients import (
    ConnectionFailedError,
    Deadline,
    RateLimitedError,
    RetryBudget,
    RetryPolicy,
    ServerError,
    UpstreamTimeoutError,
    ValidationError,
)

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
