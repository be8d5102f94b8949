"""The Redis guard: a circuit breaker that falls back to the local objects, tried again
after its cooldown, and a timeout that a slow Redis cannot stretch (a real Redis, and
servers that refuse or never answer)."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.support.redis import Guards, settle
from upsales_freshdesk.clients import ServerError
from upsales_freshdesk.clients.accounts import account_key
from upsales_freshdesk.clients.policy import Deadline
from upsales_freshdesk.clients.redis_budgets import SharedRegistry
from upsales_freshdesk.emulators.process import free_port

KEY = account_key("freshdesk", "demo.freshdesk.com")
ERROR = ServerError("x", status=500, service="freshdesk", method="GET", path="/x")


class Watcher:
    def __init__(self) -> None:
        self.fallbacks: list[str] = []
        self.outages: list[str | None] = []

    def redis_fallback(self, operation: str) -> None:
        self.fallbacks.append(operation)

    def redis_outage(self, error: str | None) -> None:
        self.outages.append(error)


async def test_redis_down_falls_back_to_the_local_objects(guards: Guards) -> None:
    watcher = Watcher()
    guard = guards(f"redis://127.0.0.1:{free_port()}/0", watcher=watcher, processes=2)
    registry = SharedRegistry(guard)
    throttle, budget = registry.throttle(KEY, 4, 60), registry.budget(KEY)
    await throttle.acquire(Deadline.after(1))
    with pytest.raises(TimeoutError):  # this process's half of the plan: 2 a minute, paced
        async with asyncio.timeout(0.2):
            await throttle.acquire(Deadline.after(1))
    assert budget.try_spend(ERROR)
    await settle(guard)
    assert budget.tokens == budget.capacity - budget.retry_cost
    assert watcher.outages == ["ConnectionError"]  # once per outage
    assert watcher.fallbacks == ["throttle", "throttle", "budget"]
    assert not guard.available  # the cooldown: Redis is not asked again for a while


async def test_redis_is_tried_again_after_the_cooldown(guards: Guards, redis_url: str) -> None:
    now = [0.0]
    watcher = Watcher()
    guard = guards(redis_url, watcher=watcher, clock=lambda: now[0])
    guard._open_until = 5.0  # as after a failure
    guard._down = True
    throttle = SharedRegistry(guard).throttle(KEY, 10, 1)
    await throttle.acquire()  # local: the guard is open
    assert watcher.fallbacks == ["throttle"]
    now[0] = 5.0
    await throttle.acquire()
    assert watcher.fallbacks == ["throttle"]
    assert watcher.outages == [None]  # back
    assert await guard.redis.exists(f"ufd:{{{KEY}}}:calls")


async def test_a_slow_redis_times_out_quickly(guards: Guards) -> None:
    """A server that accepts and never answers: the call gives up within the timeout."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    watcher = Watcher()
    guard = guards(f"redis://127.0.0.1:{port}/0", watcher=watcher, timeout=0.1)
    throttle = SharedRegistry(guard).throttle(KEY, 10, 1)
    started = time.monotonic()
    await throttle.acquire(Deadline.after(2))
    assert time.monotonic() - started < 0.5
    assert watcher.outages == ["TimeoutError"]
    server.close()
