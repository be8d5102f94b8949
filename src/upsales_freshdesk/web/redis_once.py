"""State shared by every worker and replica through Redis (``UFD_REDIS_URL``).

:func:`open_shared` builds, per process, the Redis client, its :class:`RedisGuard`, the
shared throttle registry and :class:`RedisOnce`. Without ``UFD_REDIS_URL`` it gives the
in-process objects, as before. For cards, Redis failing is never an outage: the guard
falls back to the local objects, logs ``redis_unavailable`` once per outage (the error's
type, never the URL) and counts ``ufd_redis_fallbacks_total``.

Writes are different: one click does one thing once, across every replica, or the write
is refused. With ``UFD_REDIS_URL`` set, a write never falls back to a per-process lock
(two replicas would each take their own and create the contact twice). When Redis cannot
be asked, or has lost its state, the write answers 503 ``writes_paused`` with
``Retry-After``: nothing was done, and trying again is safe.

The guarantee, and what it rests on:

- **A write runs only under a lock granted by Redis**: redis-py's own lock
  (``Redis.lock``: ``SET NX PX`` with a random token, released only by its holder), one
  per resource: a contact, an email, a ticket. Redis unavailable before the lock or
  before the write starts: refused, nothing written. Redis failing during the write: the
  write finishes; its lock stays in Redis until it expires, and nobody else gets one while
  Redis is down. An answer this process remembers is still replayed (that writes nothing).
- **A lock outlives its write.** The lock's TTL is the action's deadline plus 2 s; the
  write runs under that deadline, and :class:`RedisOnce` cuts it off 1 s before the lock
  expires (answering 504, as a timeout), so no write of ours goes on after its lock is
  gone. (An upstream may still apply a request that arrived just before we gave up; the
  actions look up what arrived before they write again, as after any timeout.)
- **A lost lock is noticed before another write runs.** ``FLUSHALL``, a restart without
  persistence, or an evicted key can drop a lock while its write is in flight. An *epoch*
  key lives in Redis from the first warm-up on. A small script checks it, before a lock is
  asked for and again once it is held: when it is missing, Redis has lost its state, so
  the script sets a *quarantine* key for one lock TTL, re-creates the epoch, and the write
  is refused (its lock let go). The check after the lock is what makes it hold: a lock
  granted on a Redis that had lost its state finds the epoch missing, or re-created
  together with a quarantine that is still on. Every lock granted before the loss expired
  by the time the quarantine does, and so did its write; until then no write runs. A
  process starting on an empty Redis does the same at warm-up (it cannot tell a first
  start from a flush), so writes pause one lock TTL, 10 s by default, after Redis starts
  empty.

What it does not cover: Redis restored from an older snapshot (RDB, or AOF without
``appendfsync always``) or a failover to a replica that missed the latest writes keep the
epoch but may miss a live lock. Run the Redis these locks use without persistence, or
with ``appendfsync always``, as one primary, with ``maxmemory-policy noeviction`` (an
evicted lock would go unnoticed if the epoch survived). Replicas must share
``UFD_CARD_DEADLINE_SECONDS`` (it sets the lock's TTL, and so the quarantine).
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, fields
from typing import Literal, TypeVar

from redis.asyncio.lock import Lock
from redis.exceptions import LockNotOwnedError

from ..clients.daily import DailyCalls
from ..clients.redis_budgets import SharedRegistry
from ..clients.redis_guard import RedisGuard, RedisUnavailable, connect
from ..clients.registry import ThrottleRegistry
from ..rules.codes import Issue
from ..settings import Settings
from .errors import error_body, status_for
from .idempotency import Answer, LocalOnce, Once
from .logs import log
from .metrics import Metrics

#: Between two tries of a resource lock another replica holds.
LOCK_POLL_SECONDS = 0.025
#: A lock outlives its action's deadline by this much (a crashed holder's lock frees itself).
LOCK_SLACK_SECONDS = 2.0
#: A write still running this long before its lock expires is cut off.
CUT_OFF_MARGIN_SECONDS = 1.0
#: Present while Redis holds the locks it granted; missing: Redis lost its state.
EPOCH_KEY = "ufd:once:epoch"
#: While it lives, no write lock is granted (one lock TTL after Redis lost its state).
QUARANTINE_KEY = "ufd:once:quarantine"

# Quarantine and epoch in one atomic step. KEYS: epoch, quarantine; ARGV: quarantine ms,
# new epoch. {0, 0}: writes may go on; {2, ms}: quarantined for ms more; {3, ms}: Redis
# lost its state (no epoch), quarantined from now.
STATE_LUA = """
local left = redis.call('PTTL', KEYS[2])
if left > 0 then return {2, left} end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
  redis.call('SET', KEYS[1], ARGV[2])
  return {3, tonumber(ARGV[1])}
end
return {0, 0}
"""

#: What a remembered answer keeps in Redis: every field of :class:`Answer` (a body's
#: fingerprint too) but whether it is a replay.
KEPT = tuple(f.name for f in fields(Answer) if f.name != "replayed")

T = TypeVar("T")
Refusal = Literal["redis_unavailable", "redis_state_lost"]


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


def paused_answer(seconds: float) -> Answer:
    """Nothing was written, and trying again after ``seconds`` is safe (not remembered)."""
    after = max(1, math.ceil(seconds))
    issue = Issue(source="service", code="writes_paused", retry_after=after)
    return Answer(status_for(issue), error_body([issue], "en"), {"Retry-After": str(after)})


def cut_off_answer() -> Answer:
    """The write outran its lock's margin and was abandoned (a timeout; not remembered)."""
    issue = Issue(source="service", code="timeout")
    return Answer(status_for(issue), error_body([issue], "en"))


class Paused(Exception):
    """No write lock now: Redis is unavailable, or quarantined after it lost its state."""

    def __init__(self, reason: Refusal, seconds: float) -> None:
        super().__init__(reason)
        self.reason, self.seconds = reason, seconds


class RedisOnce:
    """:class:`Once` across replicas: a Redis lock per resource, remembered answers in Redis.

    The lock is redis-py's (``Redis.lock``), tried without blocking and polled until
    ``wait`` (the action's deadline) runs out, so that its expiry is known from when the
    granting call was sent; :data:`STATE_LUA` checks the epoch and the quarantine before
    each try and once the lock is held. Answers are JSON with the
    window as their TTL; only definitive ones are kept. When Redis fails, or is
    quarantined, the write is refused (:func:`paused_answer`); see the module docstring.
    """

    def __init__(self, guard: RedisGuard, local: LocalOnce, metrics: Metrics, *, wait: float):
        self.guard, self.local, self.metrics, self.wait = guard, local, metrics, wait
        self.window_ms = max(1, round(local.window * 1000))
        #: A crashed holder's lock frees itself a little after the longest action.
        self.lock_ms = round((wait + LOCK_SLACK_SECONDS) * 1000)
        self._check_state = guard.redis.register_script(STATE_LUA)

    async def warm_up(self) -> None:
        """Make sure the epoch is there; an empty Redis starts a quarantine (it may have
        been flushed with a lock in flight). A failure is left to the first write."""
        with suppress(RedisUnavailable, Paused):  # paused: the first write answers so
            await self.guard.run("once", self._state)

    async def run(
        self, request_key: str, resource_key: str, call: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        lock = self.guard.redis.lock(
            f"ufd:once:lock:{resource_key}", timeout=self.lock_ms / 1000, thread_local=False
        )
        try:
            expires = await self._lock(lock)
            if expires is None:
                return busy_answer()
            try:
                async with asyncio.timeout_at(expires - CUT_OFF_MARGIN_SECONDS):
                    return await self._locked(request_key, call)
            except TimeoutError:
                log.warning("write_cut_off", seconds=self.wait + CUT_OFF_MARGIN_SECONDS)
                return cut_off_answer()
            finally:
                await self._unlock(lock)
        except Paused as paused:
            if (earlier := self.local.remembered(request_key)) is not None:
                return earlier  # this process has the answer: replaying it writes nothing
            self.metrics.writes_refused.labels(paused.reason).inc()
            return paused_answer(paused.seconds)

    async def _locked(self, request_key: str, call: Callable[[], Awaitable[Answer]]) -> Answer:
        key = f"ufd:once:answer:{request_key}"
        earlier = await self._redis(lambda: self.guard.redis.get(key))
        if earlier is not None:
            data = json.loads(earlier)
            return Answer(**{name: data[name] for name in KEPT if name in data}, replayed=True)
        answer = await call()
        if answer.definitive:
            self.local.remember(request_key, answer)
            text = json.dumps({name: getattr(answer, name) for name in KEPT})
            # If Redis fails here, the answer is remembered in this process only; another
            # replica's repeat runs again, and the action looks up what arrived first.
            with suppress(RedisUnavailable):
                await self.guard.run(
                    "once", lambda: self.guard.redis.set(key, text, px=self.window_ms)
                )
        return answer

    async def _lock(self, lock: Lock) -> float | None:
        """When (loop time) the lock we took expires at the earliest; None: another
        replica held it all along."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.wait
        while True:
            await self._redis(self._state)
            asked = loop.time()  # the lock, if granted, lives lock_ms from after this
            if await self._redis(lambda: lock.acquire(blocking=False)):
                try:
                    await self._redis(self._state)  # Redis kept its state up to the grant
                except Paused:
                    await self._unlock(lock)
                    raise
                return asked + self.lock_ms / 1000
            if loop.time() + LOCK_POLL_SECONDS > give_up:
                return None
            await asyncio.sleep(LOCK_POLL_SECONDS)

    async def _state(self) -> None:
        """Nothing when writes may go on; :class:`Paused` while quarantined, or when Redis
        has lost its state (which starts a quarantine)."""
        args: list[int | str] = [self.lock_ms, secrets.token_hex(8)]
        status, ms = await self._check_state(keys=[EPOCH_KEY, QUARANTINE_KEY], args=args)
        if status == 3:
            self._state_lost(ms)
        if status in (2, 3):
            raise Paused("redis_state_lost", ms / 1000)

    async def _redis(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call``'s result; Redis unavailable: :class:`Paused` (no write without it)."""
        try:
            return await self.guard.run("once", call)
        except RedisUnavailable:
            raise Paused("redis_unavailable", self.guard.cooldown) from None

    async def _unlock(self, lock: Lock) -> None:
        async def release() -> None:
            with suppress(LockNotOwnedError):  # expired, or dropped with Redis's state
                await lock.release()

        with suppress(RedisUnavailable):  # if not, the lock expires on its own
            await self.guard.run("once", release)

    def _state_lost(self, ms: int) -> None:
        log.warning("redis_state_lost", writes_paused_ms=ms)


@dataclass(frozen=True, slots=True)
class Shared:
    """What the app's upstreams share: throttles and budgets, and the idempotency store."""

    registry: ThrottleRegistry
    once: Once
    #: What work of its own accord spends from (the ticket events): with Redis, the same
    #: windows in background mode, so agents come first; else the cards' own registry.
    background: ThrottleRegistry


def daily_calls(settings: Settings) -> DailyCalls:
    """The Upsales keys' calls of the day; capped for the card only if the operator says."""
    return DailyCalls(
        cap=settings.upsales_daily_cap if settings.upsales_daily_cap_stops_cards else None
    )


@asynccontextmanager
async def open_shared(settings: Settings, metrics: Metrics) -> AsyncIterator[Shared]:
    """Redis-backed state when ``UFD_REDIS_URL`` is set, the in-process state otherwise."""
    local = LocalOnce(window=settings.idempotency_window_seconds)
    if settings.redis_url is None:
        registry = ThrottleRegistry(daily=daily_calls(settings))
        yield Shared(registry, local, registry)
        return
    timeout = settings.redis_timeout_seconds
    client = connect(settings.redis_url.get_secret_value(), timeout=timeout)
    guard = RedisGuard(
        client, timeout=timeout, watcher=RedisEvents(metrics), processes=settings.processes
    )
    try:
        once = RedisOnce(guard, local, metrics, wait=settings.card_deadline_seconds)
        if await guard.warm_up(STATE_LUA):
            await once.warm_up()
        background = SharedRegistry(
            guard, background=True, daily=DailyCalls(cap=settings.upsales_daily_cap)
        )
        yield Shared(SharedRegistry(guard, daily=daily_calls(settings)), once, background)
    finally:
        await guard.aclose()
