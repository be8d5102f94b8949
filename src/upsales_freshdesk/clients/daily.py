"""The calls each credential made today (UTC), for a vendor that bills above a daily count.

Upsales bills a key's calls above :data:`UPSALES_DAILY_CALLS` a day. :class:`DailyCalls`
counts every call of a counted credential as it is sent, refuses the calls past its cap
before they are sent, and feeds ``/metrics`` and ``/healthz``; with Redis, the count is
every process's (:class:`~.redis_budgets.SharedRegistry`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .accounts import MAX_ACCOUNTS, Bounded

#: Upsales' API terms bill a key's calls above this many a day.
UPSALES_DAILY_CALLS = 99_999


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
