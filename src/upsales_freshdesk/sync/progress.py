"""How long a run has left, from what it has done so far.

Most contacts of a run need no write (unchanged, skipped), and those take no time: the
time left is the time of the writes left. They go at the pace measured so far (bound by
latency, with several in flight) while the throttle's bucket has calls to spare, then at
the sync's share of the plan, whichever is slower::

    left = max(writes_left / measured_pace, (writes_not_started - calls_to_spare) / rate)

The bucket is modelled as the throttle keeps it: ``burst`` calls (a bulk run's throttle
holds a tenth of its limit), refilled at ``limit / window`` a second, full at the start
less the list pages the run has read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Progress:
    """What the progress callback gets after each contact."""

    done: int
    total: int
    #: Seconds left (``None`` until there is a pace to go by).
    eta: float | None
    writes_done: int = 0
    writes_planned: int = 0


class Pace:
    """The measured pace of a run's writes, within the throttle's budget."""

    def __init__(
        self,
        limit: int,
        window: float,
        writes: int,
        *,
        burst: int | None = None,
        spent: int = 0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.rate, self.planned = limit / window, writes
        self.capacity = min(limit, burst or limit)
        self.clock = clock
        self.started = self.done = 0
        self.first: float | None = None  # when the first write started
        self._level, self._at = float(min(spent, self.capacity)), clock()

    def _leak(self) -> float:
        now = self.clock()
        self._level = max(0.0, self._level - (now - self._at) * self.rate)
        self._at = now
        return now

    def write_started(self) -> None:
        now = self._leak()
        self._level = min(float(self.capacity), self._level + 1)
        self.started += 1
        if self.first is None:
            self.first = now

    def write_done(self) -> None:
        self.done += 1

    def not_written(self) -> None:
        """A planned write that turned out not to be needed (skipped after all)."""
        self.planned = max(self.done, self.planned - 1)

    def eta(self) -> float | None:
        now = self._leak()
        left = max(0, self.planned - self.done)
        if left == 0:
            return 0.0
        spare = self.capacity - self._level
        by_rate = max(0.0, (self.planned - self.started - spare) / self.rate)
        if self.first is None or self.done == 0 or now <= self.first:
            return by_rate or None
        measured = self.done / (now - self.first)
        return max(left / measured, by_rate)
