"""The throttles, probe gates, retry budgets and daily counts every process shares in Redis.

With ``UFD_REDIS_URL`` set, each account's throttle and retry budget live in Redis under
``ufd:{<account key>}:...`` (the hashed key of :func:`.accounts.account_key`; never a
token or a domain), so four replicas of four workers pace themselves as one client would.

- The throttle is a sliding log of *reservations*: one Lua script, atomic in Redis,
  gives each call the earliest time at which it keeps the account under ``limit`` calls
  in any ``window`` (plus a small margin for network jitter), and the call sleeps until
  then. Calls are served in order; nobody polls. A 429's ``Retry-After`` (and a pause
  from ``X-RateLimit-Remaining``) is a key with an expiry that every process honours.
- The retry budget is a token bucket kept in Redis by a Lua script. The HTTP core asks
  it synchronously, so each process decides on the last value Redis told it and sends
  the spend (or refund) in the background: the budget is shared, a little late.

The scripts are in :mod:`.redis_scripts`. Redis is a helper, never a dependency: while
:class:`~.redis_guard.RedisGuard` finds it unavailable, each class here falls back on
its in-process parent (:mod:`.throttle`, :mod:`.policy`, :mod:`.registry`).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from contextlib import suppress

from aiolimiter import AsyncLimiter

from .daily import DailyCalls, utc_day
from .errors import UpstreamError
from .policy import Deadline, RetryBudget
from .redis_guard import RedisGuard, RedisUnavailable
from .registry import ThrottleRegistry
from .throttle import (
    MAX_PAUSE_SECONDS,
    SMOOTH_BURST_SHARE,
    ProbeGate,
    Throttle,
    ThrottleWaitTooLong,
)

#: The longest a call may reserve ahead when it has no deadline.
NO_DEADLINE_WAIT = 600.0
#: Idle retry budgets vanish from Redis after this long (a missing one is full).
BUDGET_TTL_MS = 3_600_000
#: A day's call count stays in Redis this long (into the next day, whatever the zone).
DAY_KEY_SECONDS = 2 * 86_400


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
