"""Throttles and retry budgets shared through a real Redis, and the fallback without it."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.support.redis import Guards, settle
from upsales_freshdesk.clients import ServerError
from upsales_freshdesk.clients.accounts import account_key
from upsales_freshdesk.clients.policy import Deadline
from upsales_freshdesk.clients.redis_budgets import (
    SharedBudget,
    SharedRegistry,
    SharedThrottle,
    jitter_margin,
)
from upsales_freshdesk.clients.throttle import (
    UPSALES_LIMIT,
    UPSALES_WINDOW_SECONDS,
    Throttle,
    ThrottleWaitTooLong,
)

KEY = account_key("freshdesk", "demo.freshdesk.com")
ERROR = ServerError("x", status=500, service="freshdesk", method="GET", path="/x")


def most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for u in times[i:] if u < t + window) for i, t in enumerate(times))


async def test_processes_share_one_window(guards: Guards) -> None:
    limit, window = 5, 0.5
    throttles = [SharedRegistry(guards()).throttle(KEY, limit, window) for _ in range(3)]
    admitted: list[float] = []

    async def call(throttle: Throttle) -> None:
        await throttle.acquire(Deadline.after(5))
        admitted.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(call(throttles[i % 3]) for i in range(15)))
    # Alone, each process would let 5 through at once; together they take 3 windows.
    assert most_in_any_window(admitted, window) <= limit
    assert time.monotonic() - started >= 2 * (window + jitter_margin(window)) - 0.05


async def test_the_keys_hold_no_secret(guards: Guards, redis_url: str) -> None:
    guard = guards()
    throttle = SharedRegistry(guard).throttle(account_key("upsales", "tok-secret"), 10, 1)
    await throttle.acquire()
    keys = [k.decode() for k in await guard.redis.keys("*")]
    assert keys
    assert all(k.startswith("ufd:{upsales:") for k in keys)
    assert not any("tok-secret" in k for k in keys)


async def test_a_pause_holds_every_process(guards: Guards) -> None:
    one, two = guards(), guards()
    first = SharedRegistry(one).throttle(KEY, 100, 60)
    second = SharedRegistry(two).throttle(KEY, 100, 60)
    first.pause(0.3)  # a 429's Retry-After seen by one process
    await settle(one)
    with pytest.raises(ThrottleWaitTooLong):
        await second.acquire(Deadline.after(0.1))  # fails fast, reserves nothing
    assert second.paused_for > 0.1
    started = time.monotonic()
    await second.acquire(Deadline.after(2))
    assert time.monotonic() - started >= 0.15


async def test_an_untried_tokens_pause_holds_it_everywhere_and_no_other_token(
    guards: Guards,
) -> None:
    """Two processes; neither has seen tenant A's or B's Upsales token work yet. A's 429,
    seen by one process, holds A in the other too, and holds B in neither."""
    one, two = guards(), guards()
    here, there = SharedRegistry(one), SharedRegistry(two)

    def untried(registry: SharedRegistry, token: str) -> Throttle:
        slot = registry.slot("upsales", "", token, UPSALES_LIMIT, UPSALES_WINDOW_SECONDS)
        return slot.throttle

    untried(here, "tenant-a-token").pause(5)
    await settle(one)
    with pytest.raises(ThrottleWaitTooLong):
        await untried(there, "tenant-a-token").acquire(Deadline.after(0.5))
    await untried(there, "tenant-b-token").acquire(Deadline.after(0.5))
    await untried(here, "tenant-b-token").acquire(Deadline.after(0.5))
    keys = [k.decode() for k in await one.redis.keys("*")]
    assert not any("tenant" in k for k in keys)  # keys are digests, never the token
    pause = next(k for k in keys if k.endswith("pause"))
    assert 0 < await one.redis.pttl(pause) <= 5000  # it expires with the pause


async def test_a_shorter_pause_does_not_shorten_a_longer_one(guards: Guards) -> None:
    guard = guards()
    throttle = SharedRegistry(guard).throttle(KEY, 100, 60)
    throttle.pause(5)
    throttle.pause(0.01)
    await settle(guard)
    assert isinstance(throttle, SharedThrottle)
    assert await guard.redis.pttl(throttle._pause_key) > 4000


async def test_the_retry_budget_is_shared(guards: Guards) -> None:
    one, two = guards(), guards()
    spender = SharedRegistry(one).budget(KEY)
    other = SharedRegistry(two).budget(KEY)
    assert isinstance(spender, SharedBudget)
    assert isinstance(other, SharedBudget)
    for _ in range(50):
        assert spender.try_spend(ERROR)
    await settle(one)
    other.refund()  # the other process learns what is left from Redis
    await settle(two)
    assert other.tokens == spender.capacity - 50 * spender.retry_cost + spender.success_refund


async def test_an_empty_shared_budget_refuses_retries(guards: Guards) -> None:
    one, two = guards(), guards()
    spender, other = SharedRegistry(one).budget(KEY), SharedRegistry(two).budget(KEY)
    while spender.try_spend(ERROR):
        pass
    await settle(one)
    other.refund()
    await settle(two)
    assert not other.try_spend(ERROR)


async def test_a_slow_redis_does_not_outlast_the_calls_deadline(guards: Guards) -> None:
    """Redis' own timeout (here 1 s) is longer than the time the call has left: the
    throttle still gives up at the call's deadline."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    guard = guards(f"redis://127.0.0.1:{port}/0", timeout=1.0)
    throttle = SharedRegistry(guard).throttle(KEY, 10, 1)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await throttle.acquire(Deadline.after(0.2))
    assert time.monotonic() - started < 0.6
    server.close()
