"""The throttle of one upstream account, as an object: its pace, and the pauses the
upstream's rate-limit headers ask for."""

from __future__ import annotations

import asyncio

import pytest

from upsales_freshdesk.clients import Deadline, Throttle
from upsales_freshdesk.clients.throttle import ThrottleWaitTooLong


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
