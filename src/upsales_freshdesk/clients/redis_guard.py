"""Redis as a helper, never a dependency: the guard every Redis call of a process runs in.

Every call has a short timeout, and after a failure :class:`RedisGuard` answers
:class:`RedisUnavailable` for ``cooldown`` seconds without asking Redis, so that its
callers use the in-process objects (the same classes as without Redis) meanwhile. The
guard also counts the live processes (a heartbeat), so that each knows its share of a
plan for while Redis fails.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, NoReturn, Protocol, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .policy import Clock
from .redis_scripts import (
    BUDGET_LUA,
    GATE_LEAVE_LUA,
    GATE_LUA,
    HEARTBEAT_LUA,
    PAUSE_LUA,
    SCRIPTS,
    THROTTLE_LUA,
)

T = TypeVar("T")

#: How long to use the local objects after Redis failed, before trying it again.
COOLDOWN_SECONDS = 5.0
#: Connecting and loading the scripts at start-up may take this long.
WARM_UP_SECONDS = 1.0
#: How often a process tells Redis it is alive; one silent for three beats is not counted.
HEARTBEAT_SECONDS = 10.0
#: The processes assumed to share a plan when Redis failed before any was counted and the
#: operator set none (``UFD_PROCESSES``): with Redis configured, there are at least two.
ASSUMED_PROCESSES = 2


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
