"""Throttles and retry budgets shared by every worker and replica through Redis.

With ``UFD_REDIS_URL`` set, each account's throttle and retry budget live in Redis under
``ufd:{<account key>}:...`` (the hashed key of :func:`.accounts.account_key`; never a token
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
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, NoReturn, Protocol, TypeVar

from aiolimiter import AsyncLimiter
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .daily import DailyCalls, utc_day
from .errors import UpstreamError
from .policy import Clock, Deadline, RetryBudget
from .registry import ThrottleRegistry
from .throttle import (
    MAX_PAUSE_SECONDS,
    SMOOTH_BURST_SHARE,
    ProbeGate,
    Throttle,
    ThrottleWaitTooLong,
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

# ARGV[6]: the ages (ms) of calls this process made on its fallback share while Redis was
# unavailable; they are logged first, so the window holds them when Redis is back.
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
local i = 0
for age in string.gmatch(ARGV[6], '%d+') do
  i = i + 1
  redis.call('ZADD', KEYS[1], now - tonumber(age), ARGV[4] .. ':' .. i)
end
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

# A shared account's probe gate (see throttle.ProbeGate): KEYS[1] the probes in flight (each
# scored with the time it is given up), KEYS[2] the refused ones (scored when refused).
GATE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) + 1000 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 1000)
end
return 1
"""

GATE_LEAVE_LUA = """
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
end
return 1
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


#: Loaded at warm-up, so the first calls of a busy process need no round trip to load them.
SCRIPTS = (THROTTLE_LUA, PAUSE_LUA, BUDGET_LUA, HEARTBEAT_LUA, GATE_LUA, GATE_LEAVE_LUA)


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
        self.gate_script = redis.register_script(GATE_LUA)
        self.gate_leave_script = redis.register_script(GATE_LEAVE_LUA)

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
                for script in (*SCRIPTS, *scripts):
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
        #: When this process's calls on its fallback share went (not in Redis' log yet).
        self._unlogged: deque[float] = deque()

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
            args += ["1" if self.background else "0", self._ages()]
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
                self._unlogged.append(time.monotonic())
                return
            self._unlogged.clear()  # logged by the script
            if paused_ms > 0:
                super().pause(paused_ms / 1000)  # mirrored, for paused_for
            if reserved == 0 or (reserved < 0 and wait_ms > max_wait * 1000):
                # Waiting would outlive the caller; let the call fail fast instead.
                raise ThrottleWaitTooLong(wait_ms / 1000)
            if wait_ms > 0:
                await asyncio.sleep(wait_ms / 1000)
            if reserved > 0:
                return

    def _ages(self) -> str:
        """The unlogged fallback calls still inside the window, as ages in ms."""
        now, span = time.monotonic(), self._span_ms / 1000
        while self._unlogged and now - self._unlogged[0] >= span:
            self._unlogged.popleft()
        return ",".join(str(round((now - t) * 1000)) for t in self._unlogged)

    def _share(self) -> AsyncLimiter:
        """This process's share of the limit, for while Redis is unavailable: a bucket of
        a tenth of the share, refilled so that the bucket and a window's refills hold no
        more than the share (a full bucket of the whole share, refilled at the share's
        rate, would let the processes send nearly twice the plan in one window)."""
        processes = self._guard.processes
        if self._fallback is None or self._fallback[0] != processes:
            calls = max(1, self.limit // processes)
            burst = max(1, calls // SMOOTH_BURST_SHARE)
            refills = max(1, calls - burst)
            limiter = AsyncLimiter(burst, self.window * burst / refills)
            self._fallback = (processes, limiter)
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


class SharedGate(ProbeGate):
    """A shared account's probe gate in Redis, for every process; the in-process one
    while Redis is unavailable."""

    def __init__(self, key: str, limit: int, window: float, guard: RedisGuard) -> None:
        super().__init__(limit, window)
        self._guard = guard
        self._keys = redis_keys(key, "probing", "refused")
        self._window_ms = round(window * 1000)

    async def _try_enter(self, deadline: Deadline) -> object | None:
        member = secrets.token_hex(8)
        # A probe that never leaves (its process died) is given up after its deadline.
        hold_ms = round((deadline.remaining() + 1.0) * 1000)
        args: list[str | int] = [self.limit, self._window_ms, hold_ms, member]
        try:
            entered = await self._guard.run(
                "gate", lambda: self._guard.gate_script(keys=self._keys, args=args)
            )
        except RedisUnavailable:
            return await super()._try_enter(deadline)
        return member if entered else None

    def leave(self, ticket: object, *, refused: bool) -> None:
        if not isinstance(ticket, str):
            super().leave(ticket, refused=refused)
            return
        args: list[str | int] = [ticket, "1" if refused else "0", self._window_ms]
        self._guard.spawn("gate", lambda: self._guard.gate_leave_script(keys=self._keys, args=args))


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
        #: Calls counted here that Redis has not taken yet, by day and credential.
        self._pending: dict[str, dict[str, int]] = {}
        #: The sync's registry: its throttles take only what the cards leave.
        self.background = background

    def new_throttle(self, key: str, limit: int, window: float) -> Throttle:
        return SharedThrottle(key, limit, window, self.guard, background=self.background)

    def new_budget(self, key: str) -> RetryBudget:
        return SharedBudget(key, self.guard)

    def new_gate(self, key: str, limit: int, window: float) -> ProbeGate:
        return SharedGate(key, limit, window, self.guard)

    def count_call(self, credential: str) -> None:
        """Counted here at once, and in Redis for every process (two days' expiry). A count
        Redis could not take waits for the next one (``INCRBY``), so none is lost."""
        super().count_call(credential)
        day, _ = utc_day()
        pending = self._pending.setdefault(day, {})
        pending[credential] = pending.get(credential, 0) + 1
        (key,) = redis_keys(credential, f"day:{day}")

        async def count() -> None:
            calls = pending.pop(credential, 0)
            if not calls:
                return  # an earlier task sent it
            try:
                async with self.guard.redis.pipeline(transaction=True) as pipe:
                    pipe.incrby(key, calls)
                    pipe.expire(key, DAY_KEY_SECONDS)
                    pipe.sadd(f"ufd:daily:{day}", credential)
                    pipe.expire(f"ufd:daily:{day}", DAY_KEY_SECONDS)
                    counted, *_ = await pipe.execute()
            except BaseException:
                pending[credential] = pending.get(credential, 0) + calls
                raise
            self.daily.seen(credential, int(counted), day)

        self.guard.spawn("daily", count)
        for old in [d for d in self._pending if d != day]:  # yesterday's, if Redis is back
            self._pending.pop(old)

    async def load_daily(self, credential: str) -> None:
        day, _ = utc_day()
        (key,) = redis_keys(credential, f"day:{day}")
        with suppress(RedisUnavailable):
            counted = await self.guard.run("daily", lambda: self.guard.redis.get(key))
            self.daily.seen(credential, int(counted or 0), day)

    async def daily_counts(self) -> dict[str, int]:
        """Every process's counts of today, from Redis (this process's while it fails)."""
        day, _ = utc_day()

        async def read() -> dict[str, int]:
            members = await self.guard.redis.smembers(f"ufd:daily:{day}")  # type: ignore[misc]
            keys = sorted(k.decode() for k in members)
            if not keys:
                return {}
            async with self.guard.redis.pipeline(transaction=False) as pipe:
                for credential in keys:
                    pipe.get(redis_keys(credential, f"day:{day}")[0])
                values = await pipe.execute()
            return {k: int(v or 0) for k, v in zip(keys, values, strict=True)}

        with suppress(RedisUnavailable):
            for credential, counted in (await self.guard.run("daily", read)).items():
                self.daily.seen(credential, counted, day)
        return self.daily.counts()


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
