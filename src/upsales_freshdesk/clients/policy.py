"""Retry policy, retry budget and client-side throttling: the one place they live.

Call sites never loop, sleep or count on their own. The HTTP core asks
:class:`RetryPolicy` whether and when to try again, spends from :class:`RetryBudget`
for every retry, and waits on the account's :class:`Throttle` before every attempt.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
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
#: Credentials that are their own account (an Upsales token) and have not worked yet keep
#: a probation throttle of their own, in a table of this size apart from the working
#: keys' state: a flood of wrong keys pushes out only other untried keys' throttles.
MAX_PROBATION = 1_000

UPSALES_LIMIT = 200
UPSALES_WINDOW_SECONDS = 10.0


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
        while (pause := self.paused_for) > 0:
            if deadline is not None and pause >= deadline.remaining():
                # Waiting would outlive the caller; let the call fail fast instead.
                raise ThrottleWaitTooLong(pause)
            await asyncio.sleep(pause)
        if deadline is None or self._limiter.has_capacity():
            await self._limiter.acquire()  # at once
            return
        # A wait for the pace: it ends at the caller's deadline (as TimeoutError). Only
        # here: a timer per call costs the event loop more than the calls that wait.
        async with asyncio.timeout(deadline.remaining()):
            await self._limiter.acquire()

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


class ThrottleRegistry:
    """Per-account throttles and retry budgets, shared by every client of a process.

    State is bounded (:data:`MAX_ACCOUNTS`, least recently used out). A credential gets
    state of its own only once a call with it has succeeded (:meth:`Slot.confirm`); until
    then it is on probation, so traffic with a wrong key spends neither a working key's
    budget nor its place in the table:

    - a credential of a known account (a Freshdesk key, by its helpdesk) shares its
      account's probation throttle, as the upstream limits the account;
    - a credential that is its own account (an Upsales token: Upsales limits each key on
      its own) has a probation throttle of its own, in a separate table of
      :data:`MAX_PROBATION`, so one tenant's 429 never holds another tenant's first card.

    The untried credentials of an account (for Upsales: all untried tokens) share one
    probation retry budget: an upstream that is down gets no more retries from a crowd of
    new keys than from one.
    """

    def __init__(self, capacity: int = MAX_ACCOUNTS, *, burst_share: int = 1) -> None:
        #: 1: a throttle's bucket holds the window's whole limit; 10: a tenth (smooth).
        self.burst_share = burst_share
        self._throttles: Bounded[Throttle] = Bounded(capacity)
        self._budgets: Bounded[RetryBudget] = Bounded(capacity)
        self._verified: Bounded[bool] = Bounded(capacity)
        self._probation: Bounded[Throttle] = Bounded(min(capacity, MAX_PROBATION))

    def throttle(self, key: str, limit: int, window: float, *, own: bool = False) -> Throttle:
        """The throttle under ``key``; ``own``: a credential's own probation throttle."""
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
        )

    def verified(self, credential: str) -> bool:
        return credential in self._verified

    def verify(self, credential: str) -> None:
        self._verified.use(credential, lambda: True)


@dataclass(slots=True)
class Slot:
    """One credential's view of the registry: its own state once verified; before, its
    account's probation budget, and its account's probation throttle or (``alone``: the
    credential is its own account) a probation throttle of its own."""

    registry: ThrottleRegistry
    credential: str
    account: str  # for a credential that is its own account: its service's untried ones
    limit: int
    window: float
    alone: bool = False

    @property
    def throttle(self) -> Throttle:
        if self.registry.verified(self.credential):
            return self.registry.throttle(self.credential, self.limit, self.window)
        if self.alone:
            key = f"{self.credential}:probation"
            return self.registry.throttle(key, self.limit, self.window, own=True)
        return self.registry.throttle(f"{self.account}:probation", self.limit, self.window)

    @property
    def budget(self) -> RetryBudget:
        if self.registry.verified(self.credential):
            return self.registry.budget(self.credential)
        return self.registry.budget(f"{self.account}:probation")

    def confirm(self) -> None:
        """A call with this credential succeeded: it is real, and gets its own state."""
        if not self.registry.verified(self.credential):
            self.registry.verify(self.credential)


#: The process-wide registry used when a client is not given one.
DEFAULT_REGISTRY = ThrottleRegistry()
