"""The retry policy and the retry budget, and the deadline every call keeps.

Call sites never loop, sleep or count on their own. The HTTP core asks
:class:`RetryPolicy` whether and when to try again, and spends from :class:`RetryBudget`
for every retry; a retry that could not finish before the call's :class:`Deadline` is
not attempted.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .errors import ConnectionFailedError, RateLimitedError, UpstreamError, UpstreamTimeoutError

Clock = Callable[[], float]


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
