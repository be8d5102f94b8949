"""The daily count of calls per credential, as an object."""

from __future__ import annotations

import pytest

from upsales_freshdesk.clients.daily import DailyCalls, utc_day


def test_daily_calls_count_per_key_and_day_and_stop_at_the_cap() -> None:
    daily = DailyCalls(cap=3)
    for _ in range(3):
        daily.add("a")
    daily.add("b")
    assert daily.counts() == {"a": 3, "b": 1}
    with pytest.raises(Exception, match="day's calls"):
        daily.check("a")
    daily.check("b")
    today = utc_day()[0]
    daily.seen("b", 2, today)  # another process counted more
    daily.seen("b", 1, today)  # never lower
    daily.seen("b", 90_000, "19700101")  # another day's count is not today's
    assert daily.today("b") == 2
