"""What every job queue is: jobs keyed for coalescing, handlers, and "do it later"."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

#: A job's arguments: ids and names of records, never their contents.
Args = Mapping[str, str | int]

#: Tries of one job before it is given up (logged with its ids). A refused key waits 5
#: minutes a try and a failure up to half an hour: about 3.5 days to 3 weeks, so an
#: operator who fixes a key or an upstream that comes back finds the work still there.
MAX_TRIES = 1000
#: How long a job lives in Redis (arq's expiry), long enough for its tries.
EXPIRES_SECONDS = 21 * 86_400
#: Longest pause between two tries of a failing job.
MAX_BACKOFF_SECONDS = 1800.0


@dataclass(frozen=True, slots=True)
class Job:
    """One piece of work. ``kind`` names its handler; jobs of one ``kind`` and ``key``
    are the same work: while one waits, another is folded into it."""

    kind: str
    key: str
    args: Args = field(default_factory=dict)
    #: When the event that asked for it arrived (``time.time()``), for the lag's metric.
    submitted_at: float = field(default_factory=time.time)
    #: Which try this is (1 for the first).
    attempt: int = 1
    #: Seconds to wait before the first try: events for the key within it fold into one
    #: job (ten edits in two seconds make one write).
    delay: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.key}"


class Later(Exception):
    """Raised by a handler: do this job again after ``seconds`` (a 429's Retry-After, an
    upstream that is down). The job is kept, not forgotten."""

    def __init__(self, seconds: float, reason: str = "later") -> None:
        super().__init__(reason)
        self.seconds, self.reason = max(0.0, seconds), reason


class QueueFull(Exception):
    """More jobs wait than the queue holds: the caller is told to come back (429)."""


class QueueUnavailable(Exception):
    """The queue's store (Redis) did not take the job: the caller retries (503)."""


Handler = Callable[[Job], Awaitable[None]]


def backoff(attempt: int) -> float:
    """Seconds before try ``attempt + 1`` of a job that failed unexpectedly."""
    return float(min(MAX_BACKOFF_SECONDS, 2 ** min(attempt, 16)))


class JobQueue(Protocol):
    """Where webhooks put work and the process' workers take it."""

    async def submit(self, job: Job) -> bool:
        """Queue ``job``: True, or False when a job of its key was waiting already (the
        waiting one does the work). :class:`QueueFull` or :class:`QueueUnavailable` when
        it was not taken."""
        ...

    async def pending(self) -> int:
        """Jobs waiting, due or deferred."""
        ...

    async def run(self) -> None:
        """Work the queue until :meth:`aclose` (a task of the process' lifespan)."""
        ...

    async def drain(self) -> None:
        """Until no job is due and none runs (tests, benchmarks); the caller bounds it.
        Jobs deferred to later (a Retry-After) still wait: :meth:`pending` counts them."""
        ...

    async def aclose(self) -> None: ...
