"""Throttles and retry budgets shared by every worker and replica through Redis.

With ``UFD_REDIS_URL`` set, each account's throttle and retry budget live in Redis under
``ufd:{<account key>}:...`` (the hashed key of :func:`.policy.account_key`; never a token
or a domain), so four replicas of four workers pace themselves as one client would.

- The throttle is a sliding log of *reservations*: one Lua script, atomic in Redis,
  gives each call the earliest time at which it keeps the account under ``limit`` calls
  in any ``window`` (plus a small margin for network jitter), and the call sleeps until
  then. Calls are served in order; nobody polls. A 429's ``Retry-After`` (and a pause
  from ``X-RateLimit-Remaining``) is a key with an expiry that every process honours.
- The retry budget is a token bucket kept in Redis by a Lua script. The HTTP core asks
  it synchronously, so each process decides on the last value Redis told it and sends
  the spend (or refund) in the background: the budget is shared, a little late.

Redis is a helper, never a dependency: every call has a short timeout, and after a
failure :class:`RedisGuard` uses the in-process objects (the same classes as without
Redis) for ``cooldown`` seconds before it tries again.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, NoReturn, Protocol, TypeVar

from aiolimiter import AsyncLimiter
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .errors import UpstreamError
from .policy import (
    MAX_PAUSE_SECONDS,
    SMOOTH_BURST_SHARE,
    Clock,
    DailyCalls,
    Deadline,
    RetryBudget,
    Throttle,
    ThrottleRegistry,
    ThrottleWaitTooLong,
    utc_day,
)

T = TypeVar("T")

#: How long to use the local objects after Redis failed, before trying it again.
COOLDOWN_SECONDS = 5.0
#: Connecting and loading the scripts at start-up may take this long.
WARM_UP_SECONDS = 1.0
#: The longest a call may reserve ahead when it has no deadline.
NO_DEADLINE_WAIT = 600.0
#: Idle retry budgets vanish from Redis after this long (a missing one is full).
BUDGET_TTL_MS = 3_600_000
#: How often a process tells Redis it is alive; one silent for three beats is not counted.
HEARTBEAT_SECONDS = 10.0
#: The processes assumed to share a plan when Redis failed before any was counted and the
#: operator set none (``UFD_PROCESSES``): with Redis configured, there are at least two.
ASSUMED_PROCESSES = 2
#: A day's call count stays in Redis this long (into the next day, whatever the zone).
DAY_KEY_SECONDS = 2 * 86_400

# A foreground call (a card) gets the earliest slot that keeps <= limit calls in any span
# (window + margin), after any pause. Its slots only move forward, so the log stays
# sorted and the invariant holds by induction. A background call (the sync, ARGV[5] =
# '1') never reserves ahead: it takes "now" only while fewer than its own (lower) limit
# are logged from a span ago onward, future reservations included, and is otherwise told
# when to ask again (reserved = -1). So the sync can only use what the cards leave, a card
# never queues behind it, and every span still holds at most the plan.
THROTTLE_LUA = """
local limit = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local at = now
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then at = now + paused else paused = 0 end
local n = redis.call('ZCARD', KEYS[1])
if ARGV[5] == '1' then
  if paused > 0 then return {paused, -1, paused} end
  if n >= limit then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {math.max(10, tonumber(first[2]) + span - now), -1, 0}
  end
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  if redis.call('PTTL', KEYS[1]) < span + 1000 then redis.call('PEXPIRE', KEYS[1], span + 1000) end
  return {0, 1, 0}
end
if n > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if tonumber(last[2]) > at then at = tonumber(last[2]) end
end
if n >= limit then
  local e = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  local free = tonumber(e[2]) + span
  if free > at then at = free end
end
local wait = at - now
if wait > max_wait then return {wait, 0, paused} end
redis.call('ZADD', KEYS[1], at, ARGV[4])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < wait + span + 1000 then redis.call('PEXPIRE', KEYS[1], wait + span + 1000) end
return {wait, 1, paused}
"""

# Every process says it is alive once per HEARTBEAT_SECONDS; the live ones are counted, so
# each knows its share of a plan for when Redis fails.
HEARTBEAT_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])
"""

PAUSE_LUA = """
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 1
"""

# Spend (negative delta) only when the bucket holds enough; refunds are capped.
BUDGET_LUA = """
local cap = tonumber(ARGV[1])
local delta = tonumber(ARGV[2])
local tokens = tonumber(redis.call('GET', KEYS[1]) or cap)
local ok = 1
if delta < 0 and tokens + delta < 0 then ok = 0 else tokens = math.min(cap, tokens + delta) end
redis.call('SET', KEYS[1], tostring(tokens), 'PX', tonumber(ARGV[3]))
return {ok, tostring(tokens)}
"""


class RedisUnavailable(Exception):
    """Redis failed, timed out, or is in its cooldown: use the local objects."""


class RedisWatcher(Protocol):
    def redis_fallback(self, operation: str) -> None:
        """One operation used the local objects instead of Redis."""

    def redis_outage(self, error: str | None) -> None:
        """Redis became unavailable (``error``: the exception's type), or back (``None``)."""


class RedisGuard:
    """Runs Redis operations with a timeout and a circuit breaker; one per process."""

    def __init__(
        self,
        redis: Redis,
        *,
        timeout: float = 0.1,
        cooldown: float = COOLDOWN_SECONDS,
        watcher: RedisWatcher | None = None,
        clock: Clock = time.monotonic,
        processes: int | None = None,
    ) -> None:
        self.redis, self.timeout, self.cooldown = redis, timeout, cooldown
        self.watcher, self.clock = watcher, clock
        #: How many processes share each plan, as the operator set it (None: counted).
        self.configured_processes = processes
        self._counted: int | None = None
        self._open_until = 0.0
        self._down = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._beat: asyncio.Task[None] | None = None
        self._me = secrets.token_hex(8)
        self.throttle_script = redis.register_script(THROTTLE_LUA)
        self.pause_script = redis.register_script(PAUSE_LUA)
        self.budget_script = redis.register_script(BUDGET_LUA)
        self.heartbeat_script = redis.register_script(HEARTBEAT_LUA)

    @property
    def processes(self) -> int:
        """The processes sharing each plan: while Redis fails, each keeps to 1/this of it.
        The operator's ``UFD_PROCESSES``, else the most counted alive, else
        :data:`ASSUMED_PROCESSES`."""
        if self.configured_processes:
            return self.configured_processes
        return max(1, self._counted or ASSUMED_PROCESSES)

    async def heartbeat(self) -> None:
        """Say this process is alive, and count the live ones (never fewer than before
        within a run: a replica that stopped beating may be the one Redis cannot reach)."""
        span = round(HEARTBEAT_SECONDS * 3 * 1000)
        with suppress(RedisUnavailable):
            counted = await self.run(
                "heartbeat",
                lambda: self.heartbeat_script(keys=["ufd:processes"], args=[self._me, span]),
            )
            self._counted = max(int(counted), self._counted or 0)

    async def _beating(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.heartbeat()

    @property
    def available(self) -> bool:
        return self.clock() >= self._open_until

    async def run(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        """``call``'s result, or :class:`RedisUnavailable` (counted, logged once per outage)."""
        if not self.available:
            self._fell_back(operation)
        try:
            async with asyncio.timeout(self.timeout):
                result = await call()
        except (RedisError, OSError, TimeoutError) as exc:
            self._trip(exc)
            self._fell_back(operation)
        if self._down:
            self._down = False
            if self.watcher is not None:
                self.watcher.redis_outage(None)
        return result

    async def warm_up(self, *scripts: str) -> bool:
        """Connect and load the scripts (and ``scripts``) once, with a longer timeout than a
        call's, so the first requests of a busy process do not time out setting up.
        False: Redis is unavailable (for the cooldown)."""
        try:
            async with asyncio.timeout(WARM_UP_SECONDS):
                await self.redis.ping()
                for script in (THROTTLE_LUA, PAUSE_LUA, BUDGET_LUA, HEARTBEAT_LUA, *scripts):
                    await self.redis.script_load(script)
        except (RedisError, OSError, TimeoutError) as exc:
            self._trip(exc)
            self._start_beating()
            return False
        await self.heartbeat()
        self._start_beating()
        return True

    def _start_beating(self) -> None:
        if self._beat is None:
            self._beat = asyncio.get_running_loop().create_task(self._beating())

    def _trip(self, exc: BaseException) -> None:
        self._open_until = self.clock() + self.cooldown
        if not self._down:
            self._down = True
            if self.watcher is not None:
                self.watcher.redis_outage(type(exc).__name__)

    def _fell_back(self, operation: str) -> NoReturn:
        if self.watcher is not None:
            self.watcher.redis_fallback(operation)
        raise RedisUnavailable(operation)

    def spawn(self, operation: str, call: Callable[[], Awaitable[Any]]) -> None:
        """Run ``call`` in the background (from sync code); a failure only trips the guard."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a sync caller): the local object already has the change

        async def quietly() -> None:
            with suppress(RedisUnavailable):
                await self.run(operation, call)

        task = loop.create_task(quietly())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Let background updates finish (briefly), then close the client."""
        if self._beat is not None:
            self._beat.cancel()
            with suppress(asyncio.CancelledError):
                await self._beat
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.timeout * 2)
        for task in list(self._tasks):
            task.cancel()
        await self.redis.aclose()


def redis_keys(key: str, *names: str) -> list[str]:
    """``ufd:{key}:name`` (one hash slot per account, for Redis Cluster)."""
    return [f"ufd:{{{key}}}:{name}" for name in names]


def jitter_margin(window: float) -> float:
    """Extra span of the shared window, so network jitter cannot squeeze in one more call."""
    return min(0.5, max(0.05, window * 0.05))


class SharedThrottle(Throttle):
    """The account's throttle in Redis; while Redis is unavailable, an in-process one that
    keeps to this process's share of the limit (1/:attr:`RedisGuard.processes`), never the
    whole of it. ``background`` (the sync): it takes only what the foreground leaves, up to
    its own ``limit``, and never reserves ahead of the foreground (see ``THROTTLE_LUA``)."""

    def __init__(
        self, key: str, limit: int, window: float, guard: RedisGuard, *, background: bool = False
    ) -> None:
        super().__init__(limit, window)
        self._guard = guard
        self.background = background
        self._log_key, self._pause_key = redis_keys(key, "calls", "pause")
        self._span_ms = round((window + jitter_margin(window)) * 1000)
        self._fallback: tuple[int, AsyncLimiter] | None = None

    async def acquire(self, deadline: Deadline | None = None) -> None:
        if deadline is None:
            await self._acquire(None)
            return
        # The round trip to Redis (its own timeout can be longer) and the wait it asks
        # for both end at the caller's deadline, as TimeoutError.
        async with asyncio.timeout(deadline.remaining()):
            await self._acquire(deadline)

    async def _acquire(self, deadline: Deadline | None) -> None:
        while True:
            max_wait = deadline.remaining() if deadline is not None else NO_DEADLINE_WAIT
            member = secrets.token_hex(8)
            args: list[int | str] = [self.limit, self._span_ms, int(max_wait * 1000), member]
            args.append("1" if self.background else "0")
            try:
                wait_ms, reserved, paused_ms = await self._guard.run(
                    "throttle",
                    lambda args=args: self._guard.throttle_script(  # type: ignore[misc]
                        keys=[self._log_key, self._pause_key], args=args
                    ),
                )
            except RedisUnavailable:
                await self._hold(deadline)
                await self._pace(self._share(), deadline)
                return
            if paused_ms > 0:
                super().pause(paused_ms / 1000)  # mirrored, for paused_for
            if reserved == 0 or (reserved < 0 and wait_ms > max_wait * 1000):
                # Waiting would outlive the caller; let the call fail fast instead.
                raise ThrottleWaitTooLong(wait_ms / 1000)
            if wait_ms > 0:
                await asyncio.sleep(wait_ms / 1000)
            if reserved > 0:
                return

    def _share(self) -> AsyncLimiter:
        """This process's share of the limit, for while Redis is unavailable."""
        processes = self._guard.processes
        if self._fallback is None or self._fallback[0] != processes:
            calls = max(1, self.limit // processes)
            self._fallback = (processes, AsyncLimiter(calls, self.window))
        return self._fallback[1]

    def pause(self, seconds: float) -> None:
        super().pause(seconds)
        ms = max(1, round(min(seconds, MAX_PAUSE_SECONDS) * 1000))
        self._guard.spawn(
            "pause", lambda: self._guard.pause_script(keys=[self._pause_key], args=[ms])
        )

    def resume(self) -> None:
        had_pause = self.paused_for > 0
        super().resume()
        if had_pause:  # only a success after a pause needs to tell the other processes
            self._guard.spawn("resume", lambda: self._guard.redis.delete(self._pause_key))


class SharedBudget(RetryBudget):
    """The account's retry budget in Redis, decided on the last value Redis gave."""

    def __init__(self, key: str, guard: RedisGuard) -> None:
        super().__init__()
        self._guard = guard
        (self._key,) = redis_keys(key, "budget")

    def try_spend(self, error: UpstreamError) -> bool:
        if not super().try_spend(error):
            return False
        self._send(-self.cost_of(error))
        return True

    def refund(self) -> None:
        super().refund()
        self._send(self.success_refund)

    def _send(self, delta: float) -> None:
        args = [self.capacity, delta, BUDGET_TTL_MS]

        async def update() -> None:
            _, tokens = await self._guard.budget_script(keys=[self._key], args=args)
            self.tokens = float(tokens)  # what every process has left

        self._guard.spawn("budget", update)


class SharedRegistry(ThrottleRegistry):
    """Per-account throttles and budgets in Redis, for every client of this process."""

    def __init__(
        self, guard: RedisGuard, *, background: bool = False, daily: DailyCalls | None = None
    ) -> None:
        super().__init__(burst_share=SMOOTH_BURST_SHARE if background else 1, daily=daily)
        self.guard = guard
        #: The sync's registry: its throttles take only what the cards leave.
        self.background = background

    def new_throttle(self, key: str, limit: int, window: float) -> Throttle:
        return SharedThrottle(key, limit, window, self.guard, background=self.background)

    def count_call(self, credential: str) -> None:
        """Counted here at once, and in Redis for every process (two days' expiry)."""
        super().count_call(credential)
        day, _ = utc_day()
        (key,) = redis_keys(credential, f"day:{day}")

        async def count() -> None:
            async with self.guard.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, DAY_KEY_SECONDS)
                counted, _ = await pipe.execute()
            self.daily.seen(credential, int(counted))

        self.guard.spawn("daily", count)

    def new_budget(self, key: str) -> RetryBudget:
        return SharedBudget(key, self.guard)


def connect(url: str, *, timeout: float) -> Redis:
    """A client that fails fast: short timeouts, no retries of its own."""
    client: Redis = Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )
    return client
