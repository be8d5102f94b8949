"""The pieces of a concurrent run: the checkpoint's done prefix, the pool and the ETA."""

from __future__ import annotations

import asyncio

import pytest

from upsales_freshdesk.sync.pool import DonePrefix, run_pool
from upsales_freshdesk.sync.progress import Pace


def test_the_checkpoint_moves_only_over_a_contiguous_done_prefix() -> None:
    prefix = DonePrefix([3, 5, 8, 13, 21])
    assert prefix.checkpoint is None
    for done, expected in ((5, None), (8, None), (3, 8), (21, 8), (13, 21)):
        prefix.mark(done)
        assert prefix.checkpoint == expected


async def test_the_pool_bounds_the_work_in_flight_and_starts_in_order() -> None:
    started: list[int] = []
    flight = {"now": 0, "most": 0}
    gate = asyncio.Event()

    async def work(item: int) -> None:
        started.append(item)
        flight["now"] += 1
        flight["most"] = max(flight["most"], flight["now"])
        if len(started) == 4:
            gate.set()
        await gate.wait()
        flight["now"] -= 1

    await run_pool(range(10), work, 4)
    assert started == list(range(10))
    assert flight["most"] == 4


async def test_the_first_error_cancels_the_work_in_flight_and_is_raised_as_is() -> None:
    cancelled: list[int] = []

    async def work(item: int) -> None:
        if item == 3:
            raise KeyError(item)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(item)
            raise

    with pytest.raises(KeyError):
        await run_pool(range(10), work, 4)
    assert sorted(cancelled) == [0, 1, 2]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_eta_counts_only_the_writes_left() -> None:
    clock = Clock()
    pace = Pace(240, 60.0, writes=10, clock=clock)  # 10 writes among any number of contacts
    assert pace.eta() is None  # no pace yet
    for _ in range(5):
        pace.write_started()
        clock.now += 0.2
        pace.write_done()
    assert pace.eta() == pytest.approx(1.0)  # 5 left at the measured 5 a second


def test_beyond_the_bucket_the_eta_follows_the_plans_rate() -> None:
    clock = Clock()
    pace = Pace(240, 60.0, writes=1240, spent=4, clock=clock)
    for _ in range(100):  # a burst: 100 writes in 1 s, far above 4 a second
        pace.write_started()
    clock.now += 1.0
    for _ in range(100):
        pace.write_done()
    # 1140 writes left; the bucket has 240 - (104 - 4) calls to spare; then 4 a second.
    assert pace.eta() == pytest.approx((1140 - 140) / 4)


def test_a_write_skipped_after_all_leaves_the_plan() -> None:
    pace = Pace(240, 60.0, writes=2, clock=Clock())
    pace.not_written()
    pace.write_started()
    pace.write_done()
    assert pace.eta() == 0


def test_the_eta_knows_the_bulk_throttle_holds_a_tenth() -> None:
    """A bulk run's throttle holds a tenth of its limit: after that burst, the rest goes
    at the plan's rate, and the ETA must not take the burst's pace for the run's."""
    clock = Clock()
    pace = Pace(240, 60.0, writes=700, burst=24, clock=clock)
    for _ in range(24):  # the burst: 24 writes in 0.2 s
        pace.write_started()
    clock.now += 0.2
    for _ in range(24):
        pace.write_done()
    # 676 left; the bucket is empty (24 - 0.8 leaked back): 676 - 0.8 at 4 a second.
    assert pace.eta() == pytest.approx((676 - 0.8) / 4)
    assert Pace(240, 60.0, writes=1, burst=24).capacity == 24
