"""Client-side throttling of one upstream account: the pace, the pauses, the probe gate.

The HTTP core waits on the account's :class:`Throttle` before every attempt, so the
upstream sees one client that keeps to the plan, and a 429 holds the whole account, not
just the call that got it. On a shared account, :class:`ProbeGate` bounds the part of
the window that untried keys may spend. Which throttle and gate a call waits on is the
registry's (:mod:`.registry`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Mapping

from aiolimiter import AsyncLimiter

from .policy import Clock, Deadline

#: A smoothing registry's throttles hold this share of the window's limit (1/10).
SMOOTH_BURST_SHARE = 10
#: The longest one rate-limit answer can hold an account before the next call probes.
MAX_PAUSE_SECONDS = 30.0
#: How often a probe waiting at a full gate looks again (a rare path: no timer per call).
GATE_POLL_SECONDS = 0.02

#: Upsales limits each key (token) to this many calls a window of this many seconds.
UPSALES_LIMIT = 200
UPSALES_WINDOW_SECONDS = 10.0


class ThrottleWaitTooLong(Exception):
    """The account is paused for longer than the caller's deadline allows."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"paused for {seconds:.1f}s")
        self.seconds = seconds


class Throttle:
    """Client-side rate limit for one upstream account.

    It paces calls to ``limit`` per ``window`` seconds, and reads the upstream's
    rate-limit headers after every answer: as ``X-RateLimit-Remaining`` nears zero it
    holds new calls until the window resets, and a 429's wait holds every call to
    that account, not just the one that got it.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        reserve: int | None = None,
        clock: Clock = time.monotonic,
        burst: int | None = None,
    ) -> None:
        if limit <= 0 or window <= 0:
            raise ValueError("limit and window must be positive")
        self.limit = limit
        self.window = window
        #: When the upstream says fewer than this many calls are left, slow down.
        self.reserve = reserve if reserve is not None else max(1, limit // 20)
        # A bucket of ``burst`` calls refilled at limit/window. The card keeps the full
        # limit as its burst (agents come in bursts, and the upstream allows them); a bulk
        # run takes a tenth (SMOOTH_BURST_SHARE), so that a full bucket at the start plus a
        # window of refills cannot spend nearly twice its share in the first window.
        #: Calls the bucket holds: what can go at once before the pace is the limit's.
        self.burst = burst = min(limit, max(1, burst or limit))
        self._limiter = AsyncLimiter(burst, window * burst / limit)
        self._clock = clock
        self._paused_until = 0.0

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self, deadline: Deadline | None = None) -> None:
        await self._hold(deadline)
        await self._pace(self._limiter, deadline)

    async def acquire_soon(self, deadline: Deadline, within: float) -> None:
        """:meth:`acquire`, or :class:`ThrottleWaitTooLong` when the turn is not ``within``
        seconds away (a gate that must not hold callers up to their deadline)."""
        try:
            await self.acquire(deadline.sooner(within))
        except TimeoutError:
            raise ThrottleWaitTooLong(within) from None

    async def _hold(self, deadline: Deadline | None) -> None:
        """Wait out a pause of the account (a 429's wait)."""
        while (pause := self.paused_for) > 0:
            if deadline is not None and pause >= deadline.remaining():
                # Waiting would outlive the caller; let the call fail fast instead.
                raise ThrottleWaitTooLong(pause)
            await asyncio.sleep(pause)

    @staticmethod
    async def _pace(limiter: AsyncLimiter, deadline: Deadline | None) -> None:
        if deadline is None or limiter.has_capacity():
            await limiter.acquire()  # at once
            return
        # A wait for the pace: it ends at the caller's deadline (as TimeoutError). Only
        # here: a timer per call costs the event loop more than the calls that wait.
        async with asyncio.timeout(deadline.remaining()):
            await limiter.acquire()

    def pause(self, seconds: float) -> None:
        """Hold every call to the account. One answer pauses it for at most
        :data:`MAX_PAUSE_SECONDS` (a ``Reset: 3600`` must not silence it for an hour); the
        next call after that probes, and a success ends the pause at once."""
        seconds = min(max(0.0, seconds), MAX_PAUSE_SECONDS)
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def resume(self) -> None:
        """A call succeeded: the upstream serves the account again."""
        self._paused_until = 0.0

    def observe(self, headers: Mapping[str, str], *, reset_seconds: float | None = None) -> None:
        """Read ``X-RateLimit-Remaining`` (and the reset, where known) from an answer."""
        remaining = _int_header(headers, "x-ratelimit-remaining")
        # The limit the server reports wins over the one configured (a plan set too high).
        total = _int_header(headers, "x-ratelimit-total") or _int_header(
            headers, "x-ratelimit-limit"
        )
        limit = total if total and total > 0 else self.limit
        reserve = min(self.reserve, max(1, limit // 20))
        if remaining is None or remaining > reserve:
            return
        if reset_seconds is None or reset_seconds <= 0:
            # Freshdesk sends no reset time: spread what is left over the window.
            reset_seconds = self.window / max(1, limit) * (reserve - remaining + 1)
        self.pause(min(reset_seconds, self.window))


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


class ProbeGate:
    """How many of a shared account's untried keys may be probed: the probes in flight
    plus the probes refused within the last ``window`` stay under ``limit``. A probe
    that was answered well leaves no trace, so working keys pass as fast as they are
    answered; refusals are what fill the gate."""

    def __init__(self, limit: int, window: float, clock: Clock = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._in_flight = 0
        self._refusals: deque[float] = deque()

    def _taken(self) -> int:
        cutoff = self._clock() - self.window
        while self._refusals and self._refusals[0] <= cutoff:
            self._refusals.popleft()
        return self._in_flight + len(self._refusals)

    async def enter(self, deadline: Deadline, within: float) -> object:
        """Wait for room at most ``within`` seconds (and never past ``deadline``), else
        :class:`ThrottleWaitTooLong`. Gives a ticket for :meth:`leave`."""
        give_up = self._clock() + min(within, deadline.remaining())
        while (ticket := await self._try_enter(deadline)) is None:
            if self._clock() + GATE_POLL_SECONDS > give_up:
                raise ThrottleWaitTooLong(within)
            await asyncio.sleep(GATE_POLL_SECONDS)
        return ticket

    async def _try_enter(self, deadline: Deadline) -> object | None:
        """A ticket when there is room, else None."""
        if self._taken() >= self.limit:
            return None
        self._in_flight += 1
        return LOCAL_TICKET

    def leave(self, ticket: object, *, refused: bool) -> None:
        """The probe was answered (or failed); ``refused``: a 401, which stays counted."""
        self._in_flight = max(0, self._in_flight - 1)
        if refused:
            self._refusals.append(self._clock())


#: The ticket of a probe that entered an in-process gate.
LOCAL_TICKET = object()
