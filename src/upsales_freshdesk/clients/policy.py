"""Retry policy, retry budget and client-side throttling: the one place they live.

Call sites never loop, sleep or count on their own. The HTTP core asks
:class:`RetryPolicy` whether and when to try again, spends from :class:`RetryBudget`
for every retry, and waits on the account's :class:`Throttle` before every attempt.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from aiolimiter import AsyncLimiter

from .errors import ConnectionFailedError, RateLimitedError, UpstreamError, UpstreamTimeoutError

Clock = Callable[[], float]
T = TypeVar("T")


class ThrottleWaitTooLong(Exception):
    """The account is paused for longer than the caller's deadline allows."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"paused for {seconds:.1f}s")
        self.seconds = seconds


@dataclass(frozen=True, slots=True)
class Deadline:
    """An absolute point in (monotonic) time by which a call must be done."""

    at: float
    clock: Clock = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock())

    def sooner(self, seconds: float) -> Deadline:
        """This deadline, or one ``seconds`` from now if that comes first."""
        return self if self.remaining() <= seconds else Deadline.after(seconds, self.clock)


@dataclass(slots=True)
class RetryBudget:
    """A token bucket for retries, after the AWS SDKs' *standard* retry mode.

    Every retry spends tokens (a timeout spends more), and every success refunds one.
    When the bucket is empty, failures are returned at once instead of retried, so an
    upstream that is down does not get a retry storm from us.
    """

    capacity: float = 500.0
    retry_cost: float = 5.0
    timeout_cost: float = 10.0
    success_refund: float = 1.0
    tokens: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def cost_of(self, error: UpstreamError) -> float:
        if isinstance(error, UpstreamTimeoutError):
            return self.timeout_cost
        return self.retry_cost

    def try_spend(self, error: UpstreamError) -> bool:
        cost = self.cost_of(error)
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def refund(self) -> None:
        self.tokens = min(self.capacity, self.tokens + self.success_refund)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to retry, and how long to wait first.

    Only idempotent calls are retried, and only on connection failures, timeouts,
    429 and 5xx. Waits are "full jitter" exponential backoff, except that a server's
    ``Retry-After`` (or Upsales' ``X-RateLimit-Reset``) is honoured, up to a cap.
    A retry that could not finish before the caller's deadline is not attempted.
    """

    max_attempts: int = 4
    backoff_base: float = 0.25
    backoff_max: float = 4.0
    retry_after_max: float = 30.0
    #: Below this much time left, starting another attempt is pointless.
    min_attempt_time: float = 0.05
    rng: random.Random = field(default_factory=random.Random, compare=False)
    #: How to wait between attempts (tests pass one that records instead of sleeping).
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)

    def should_retry(self, error: UpstreamError, attempt: int, *, idempotent: bool) -> bool:
        if attempt >= self.max_attempts:
            return False
        if not error.retryable:
            return False
        if error.retry_after is not None and error.retry_after > self.retry_after_max:
            return False  # the server asks for longer than we would wait: report it now
        # A non-idempotent call may be retried only when it surely was not carried out:
        # the connection never opened, or the server refused it with 429 (both vendors
        # reject a rate-limited call whole).
        if idempotent or isinstance(error, RateLimitedError):
            return True
        return isinstance(error, ConnectionFailedError) and not error.sent

    def delay(self, error: UpstreamError, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        backoff = self.rng.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))
        if error.retry_after is not None:
            return max(min(error.retry_after, self.retry_after_max), backoff)
        return backoff

    def fits(self, delay: float, deadline: Deadline) -> bool:
        return deadline.remaining() > delay + self.min_attempt_time


#: A smoothing registry's throttles hold this share of the window's limit (1/10).
SMOOTH_BURST_SHARE = 10
#: The longest one rate-limit answer can hold an account before the next call probes.
MAX_PAUSE_SECONDS = 30.0
#: Per-account state kept at most (least recently used first out): traffic with many
#: distinct credentials cannot grow the process without bound.
MAX_ACCOUNTS = 10_000
#: Credentials that have not worked yet keep their state (an Upsales token's throttle, a
#: probe lock, a refusal) in tables of this size apart from the working keys' state: a
#: flood of wrong keys pushes out only other untried keys' entries.
MAX_PROBATION = 1_000
#: On a shared account (a Freshdesk helpdesk), the probes of untried keys in flight plus
#: the probes refused within the window stay under this part of the plan: wrong keys can
#: take at most that much of the account's window, while a crowd of working keys (after
#: a restart, every key is untried) passes as fast as its probes are answered.
PROBATION_SHARE = 0.1
#: ... and never fewer than this many a window (a few replicas start at once).
PROBATION_MIN = 5
#: A probe waits at most this long for the gate; past that it is answered rate-limited
#: at once, so a flood of wrong keys cannot hold connections open to their deadlines.
PROBATION_MAX_WAIT = 1.0
#: How often a probe waiting at a full gate looks again (a rare path: no timer per call).
GATE_POLL_SECONDS = 0.02
#: A credential the upstream refused (401) is answered as refused, without a call, for
#: this long: a wrong key costs the account one call, not one per card.
REFUSED_SECONDS = 60.0

UPSALES_LIMIT = 200
UPSALES_WINDOW_SECONDS = 10.0
#: Upsales' API terms bill a key's calls above this many a day.
UPSALES_DAILY_CALLS = 99_999


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


def account_key(service: str, secret_or_name: str) -> str:
    """A stable key for per-account state that does not hold the secret itself."""
    digest = hashlib.sha256(f"{service}\0{secret_or_name}".encode()).hexdigest()[:16]
    return f"{service}:{digest}"


class Bounded(OrderedDict[str, T]):
    """A dict that forgets its least recently used entries past ``capacity``."""

    def __init__(self, capacity: int = MAX_ACCOUNTS) -> None:
        super().__init__()
        self.capacity = capacity

    def use(self, key: str, make: Callable[[], T], keep: Callable[[T], bool] = bool) -> T:
        found = self.get(key)
        if found is None or not keep(found):
            found = self[key] = make()
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)
        return found


class DailyCapReached(Exception):
    """The credential made its day's calls (:attr:`DailyCalls.cap`)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the day's calls are made; {seconds:.0f}s to the next day")
        self.seconds = seconds


def utc_day(now: float | None = None) -> tuple[str, float]:
    """Today (UTC) as ``YYYYMMDD``, and the seconds left of it."""
    now = time.time() if now is None else now
    return time.strftime("%Y%m%d", time.gmtime(now)), 86_400 - now % 86_400


@dataclass(slots=True)
class DayCount:
    """One credential's calls on one day (``YYYYMMDD``, UTC)."""

    day: str
    calls: int = 0


class DailyCalls:
    """Calls per credential per day (UTC), for a vendor that bills above a daily count.

    ``cap``: calls past it are refused before they are sent (the sync sets it; the card
    only when the operator chooses). :meth:`counts` feeds ``/metrics`` and ``/healthz``.
    """

    def __init__(self, cap: int | None = None, capacity: int = MAX_ACCOUNTS) -> None:
        self.cap = cap
        self._counts: Bounded[DayCount] = Bounded(capacity)

    def _today(self, key: str) -> DayCount:
        day, _ = utc_day()
        return self._counts.use(key, lambda: DayCount(day), keep=lambda c: c.day == day)

    def today(self, key: str) -> int:
        return self._today(key).calls

    def add(self, key: str) -> int:
        count = self._today(key)
        count.calls += 1
        return count.calls

    def seen(self, key: str, calls: int, day: str) -> None:
        """What every process has counted on ``day`` (from Redis): never lower than this
        one's, and a count of another day (an answer that came after midnight) is not
        today's."""
        count = self._today(key)
        if count.day == day:
            count.calls = max(count.calls, calls)

    def check(self, key: str) -> None:
        if self.cap is not None and self.today(key) >= self.cap:
            raise DailyCapReached(utc_day()[1])

    def counts(self) -> dict[str, int]:
        day, _ = utc_day()
        return {k: c.calls for k, c in self._counts.items() if c.day == day}


class CredentialRefused(Exception):
    """The upstream refused this credential a moment ago: answered without a call."""


class ThrottleRegistry:
    """Per-account throttles and retry budgets, shared by every client of a process.

    **One window per upstream account.** Every call of an account waits on the account's
    throttle, whichever key made it and whether that key has worked yet: a Freshdesk
    helpdesk's throttle is its host's (Freshdesk limits the account, all keys together),
    and an Upsales token's is its own (Upsales limits each key). With Redis the throttle
    lives under the same key in every process, so the upstream never sees two windows.

    **Wrong keys cannot starve working ones.** A credential is on probation until a call
    with it succeeds (:meth:`Slot.confirm`):

    - one call at a time probes it (:meth:`Slot.turn`); the other calls with it wait for
      the verdict instead of each spending a call;
    - on a shared account, probes also pass the account's :class:`ProbeGate`: probes in
      flight plus probes refused within the window stay under :data:`PROBATION_SHARE` of
      the plan, so wrong keys take at most that part of the window, and the rest stays
      the working keys'; a crowd of working keys passes as fast as it is answered;
    - a refused credential (401) is remembered for :data:`REFUSED_SECONDS`, and its calls
      are answered as refused without reaching the upstream;
    - untried credentials of an account (for Upsales: all untried tokens) share one retry
      budget, and their state is kept in tables of :data:`MAX_PROBATION` apart from the
      working keys', so a flood of wrong keys pushes out only other untried keys' state.
    """

    def __init__(
        self,
        capacity: int = MAX_ACCOUNTS,
        *,
        burst_share: int = 1,
        daily: DailyCalls | None = None,
    ) -> None:
        #: 1: a throttle's bucket holds the window's whole limit; 10: a tenth (smooth).
        self.burst_share = burst_share
        #: Upsales calls per token per day (Upsales bills above :data:`UPSALES_DAILY_CALLS`).
        self.daily = daily or DailyCalls()
        self._throttles: Bounded[Throttle] = Bounded(capacity)
        self._budgets: Bounded[RetryBudget] = Bounded(capacity)
        self._gates: Bounded[ProbeGate] = Bounded(capacity)
        self._verified: Bounded[bool] = Bounded(capacity)
        probation = min(capacity, MAX_PROBATION)
        #: Untried Upsales tokens' own throttles, until their first success.
        self._probation: Bounded[Throttle] = Bounded(probation)
        self._probes: Bounded[tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = Bounded(probation)
        self._refused: Bounded[float] = Bounded(probation)

    def throttle(self, key: str, limit: int, window: float, *, own: bool = False) -> Throttle:
        """The throttle under ``key``; ``own``: an untried credential's own account's."""
        if own and key in self._throttles:
            own = False  # promoted: it has worked
        return (self._probation if own else self._throttles).use(
            key,
            lambda: self.new_throttle(key, limit, window),
            keep=lambda t: (t.limit, t.window) == (limit, window),
        )

    def budget(self, key: str) -> RetryBudget:
        return self._budgets.use(key, lambda: self.new_budget(key))

    def new_throttle(self, key: str, limit: int, window: float) -> Throttle:
        return Throttle(limit, window, burst=max(1, limit // self.burst_share))

    def new_budget(self, key: str) -> RetryBudget:
        return RetryBudget()

    def gate(self, key: str, limit: int, window: float) -> ProbeGate:
        """The probe gate of a shared account (see :class:`ProbeGate`)."""
        return self._gates.use(
            key,
            lambda: self.new_gate(key, limit, window),
            keep=lambda g: (g.limit, g.window) == (limit, window),
        )

    def new_gate(self, key: str, limit: int, window: float) -> ProbeGate:
        return ProbeGate(limit, window)

    def slot(self, service: str, account: str, secret: str, limit: int, window: float) -> Slot:
        """Where the calls of one credential wait and spend (see the class docstring).
        An empty ``account``: the credential is its own account."""
        return Slot(
            self,
            account_key(service, f"{account}\0{secret}"),
            account_key(service, account),
            limit,
            window,
            alone=not account,
            counted=service == "upsales",
        )

    def count_call(self, credential: str) -> None:
        """One call of a credential whose calls are counted per day is being sent."""
        self.daily.add(credential)

    async def load_daily(self, credential: str) -> None:
        """Learn what other processes counted today for ``credential`` (before a run)."""

    async def daily_counts(self) -> dict[str, int]:
        """Today's calls per counted credential, as far as this process can know."""
        return self.daily.counts()

    def verified(self, credential: str) -> bool:
        return credential in self._verified

    def verify(self, credential: str) -> None:
        self._verified.use(credential, lambda: True)
        self._refused.pop(credential, None)
        # The same throttle object (and Redis key) goes on: only its table changes.
        own = self._probation.pop(credential, None)
        if own is not None and credential not in self._throttles:
            self._throttles.use(credential, lambda: own)

    def probe_lock(self, credential: str) -> asyncio.Lock:
        """The lock one call of an untried credential probes under (per event loop)."""
        loop = asyncio.get_running_loop()
        _, lock = self._probes.use(
            credential, lambda: (loop, asyncio.Lock()), keep=lambda held: held[0] is loop
        )
        return lock

    def refused(self, credential: str) -> bool:
        until = self._refused.get(credential)
        return until is not None and time.monotonic() < until

    def refuse(self, credential: str) -> None:
        self._verified.pop(credential, None)
        until = time.monotonic() + REFUSED_SECONDS
        self._refused.use(credential, lambda: until, keep=lambda _: False)


@dataclass(slots=True)
class Slot:
    """One credential's view of the registry (see :class:`ThrottleRegistry`)."""

    registry: ThrottleRegistry
    credential: str
    account: str  # for a credential that is its own account: its service's untried ones
    limit: int
    window: float
    alone: bool = False
    #: Its calls count per day (Upsales).
    counted: bool = False

    @property
    def verified(self) -> bool:
        return self.registry.verified(self.credential)

    @property
    def throttle(self) -> Throttle:
        """The account's throttle: the one window every call of the account spends."""
        if self.alone:
            own = not self.verified
            return self.registry.throttle(self.credential, self.limit, self.window, own=own)
        return self.registry.throttle(self.account, self.limit, self.window)

    @property
    def gate(self) -> ProbeGate:
        """The shared account's probe gate: untried keys' part of its window."""
        share = max(PROBATION_MIN, math.floor(self.limit * PROBATION_SHARE))
        limit = max(1, min(self.limit // 2, share))
        return self.registry.gate(f"{self.account}:probation", limit, self.window)

    @property
    def budget(self) -> RetryBudget:
        if self.verified:
            return self.registry.budget(self.credential)
        return self.registry.budget(f"{self.account}:probation")

    @asynccontextmanager
    async def turn(self, deadline: Deadline) -> AsyncIterator[Throttle]:
        """Wait for this call's turn in the account's window; gives the throttle it took.

        A working credential only waits for the pace. An untried one waits for its probe
        lock: the first call probes, the others learn its verdict (a refused credential
        raises :class:`CredentialRefused` without a call).
        """
        if self.counted:
            self.registry.daily.check(self.credential)
        if self.verified:
            throttle = self.throttle
            await throttle.acquire(deadline)
            self._sending()
            yield throttle
            return
        lock = self.registry.probe_lock(self.credential)
        async with asyncio.timeout(deadline.remaining()):
            await lock.acquire()
        held, gate, ticket = True, None, None
        try:
            if self.registry.refused(self.credential):
                raise CredentialRefused
            if self.verified:  # another call proved it while this one waited
                lock.release()
                held = False
            elif not self.alone:
                entering = self.gate
                ticket = await entering.enter(deadline, PROBATION_MAX_WAIT)
                gate = entering  # left in the finally below, once entered
            throttle = self.throttle
            await throttle.acquire(deadline)
            self._sending()
            yield throttle  # the probe holds the lock until its answer is read
        finally:
            if held:
                lock.release()
            if gate is not None:
                gate.leave(ticket, refused=self.registry.refused(self.credential))

    def _sending(self) -> None:
        if self.counted:
            self.registry.count_call(self.credential)

    def confirm(self) -> None:
        """A call with this credential succeeded: it is real, and gets its own state."""
        if not self.registry.verified(self.credential):
            self.registry.verify(self.credential)

    def refuse(self) -> None:
        """The upstream refused this credential (401): remember it for a while."""
        self.registry.refuse(self.credential)


#: The process-wide registry used when a client is not given one.
DEFAULT_REGISTRY = ThrottleRegistry()
