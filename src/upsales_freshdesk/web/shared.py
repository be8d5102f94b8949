"""State shared by every worker and replica through Redis (``UFD_REDIS_URL``).

:func:`open_shared` builds, per process, the Redis client, its :class:`RedisGuard`, the
shared throttle registry and :class:`RedisOnce`. Without ``UFD_REDIS_URL`` it gives the
in-process objects, as before. Redis failing is never an outage: the guard falls back to
the local objects, logs ``redis_unavailable`` once per outage (the error's type, never
the URL) and counts ``ufd_redis_fallbacks_total``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from ..clients.policy import ThrottleRegistry
from ..clients.shared import RedisGuard, RedisUnavailable, SharedRegistry, connect
from ..lookup.issues import Issue
from ..settings import Settings
from .errors import error_body
from .idempotency import Answer, LocalOnce, Once
from .logs import log
from .metrics import Metrics

#: Between two tries of a resource lock another replica holds.
LOCK_POLL_SECONDS = 0.025

# Delete the lock only if it still holds our token (it may have expired and been retaken).
RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisEvents:
    """The guard's watcher: a counter in ``/metrics`` and one log line per outage."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def redis_fallback(self, operation: str) -> None:
        self.metrics.redis_fallbacks.labels(operation).inc()

    def redis_outage(self, error: str | None) -> None:
        if error is None:
            log.info("redis_recovered")
        else:
            log.warning("redis_unavailable", error=error, fallback="in-process")


def busy_answer() -> Answer:
    """Another replica is still writing the same resource: try again shortly (not 5xx)."""
    body = error_body([Issue(source="service", code="rate_limited", retry_after=1)], "en")
    return Answer(429, body, {"Retry-After": "1"})


class RedisOnce:
    """:class:`Once` across replicas: a Redis lock per resource, remembered answers in Redis.

    The lock is ``SET NX PX`` with a random token, released by a script that checks the
    token; a waiter polls it until ``wait`` (the action's deadline) runs out. Answers are
    JSON with the window as their TTL; only definitive ones are kept. When Redis fails,
    the same request runs under :class:`LocalOnce`.
    """

    def __init__(self, guard: RedisGuard, local: LocalOnce, *, wait: float) -> None:
        self.guard, self.local, self.wait = guard, local, wait
        self.window_ms = max(1, round(local.window * 1000))
        #: A crashed holder's lock frees itself a little after the longest action.
        self.lock_ms = round((wait + 2.0) * 1000)
        self._release = guard.redis.register_script(RELEASE_LUA)

    async def run(
        self, request_key: str, resource_key: str, call: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        lock, token = f"ufd:once:lock:{resource_key}", secrets.token_hex(16)
        try:
            if not await self._lock(lock, token):
                return busy_answer()
        except RedisUnavailable:
            return await self.local.run(request_key, resource_key, call)
        try:
            return await self._locked(request_key, resource_key, call)
        finally:
            await self._unlock(lock, token)

    async def _locked(
        self, request_key: str, resource_key: str, call: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        key = f"ufd:once:answer:{request_key}"
        try:
            earlier = await self.guard.run("once", lambda: self.guard.redis.get(key))
        except RedisUnavailable:
            return await self.local.run(request_key, resource_key, call)
        if earlier is not None:
            data = json.loads(earlier)
            return Answer(data["status"], data["body"], data["headers"], replayed=True)
        answer = await call()
        if answer.definitive:
            self.local.remember(request_key, answer)
            text = json.dumps(
                {"status": answer.status, "body": answer.body, "headers": answer.headers}
            )
            # If Redis fails here, the answer is remembered in this process only; another
            # replica's repeat runs again, and the action looks up what arrived first.
            with suppress(RedisUnavailable):
                await self.guard.run(
                    "once", lambda: self.guard.redis.set(key, text, px=self.window_ms)
                )
        return answer

    async def _lock(self, lock: str, token: str) -> bool:
        give_up = time.monotonic() + self.wait
        while True:
            taken = await self.guard.run(
                "once", lambda: self.guard.redis.set(lock, token, nx=True, px=self.lock_ms)
            )
            if taken:
                return True
            if time.monotonic() + LOCK_POLL_SECONDS > give_up:
                return False
            await asyncio.sleep(LOCK_POLL_SECONDS)

    async def _unlock(self, lock: str, token: str) -> None:
        with suppress(RedisUnavailable):  # if not, the lock expires on its own
            await self.guard.run("once", lambda: self._release(keys=[lock], args=[token]))


@dataclass(frozen=True, slots=True)
class Shared:
    """What the app's upstreams share: throttles and budgets, and the idempotency store."""

    registry: ThrottleRegistry
    once: Once


@asynccontextmanager
async def open_shared(settings: Settings, metrics: Metrics) -> AsyncIterator[Shared]:
    """Redis-backed state when ``UFD_REDIS_URL`` is set, the in-process state otherwise."""
    local = LocalOnce(window=settings.idempotency_window_seconds)
    if settings.redis_url is None:
        yield Shared(ThrottleRegistry(), local)
        return
    timeout = settings.redis_timeout_seconds
    client = connect(settings.redis_url.get_secret_value(), timeout=timeout)
    guard = RedisGuard(client, timeout=timeout, watcher=RedisEvents(metrics))
    try:
        once = RedisOnce(guard, local, wait=settings.card_deadline_seconds)
        await guard.warm_up(RELEASE_LUA)
        yield Shared(SharedRegistry(guard), once)
    finally:
        await guard.aclose()
