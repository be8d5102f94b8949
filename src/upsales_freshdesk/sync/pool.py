"""Concurrent writes, and the checkpoint they leave behind.

:func:`run_pool` keeps a bounded number of contacts in hand at once, taken in id order;
the Freshdesk client's throttle paces the calls they make, so the rate budget is the only
limit once enough writes are in flight. :class:`DonePrefix` says how far the checkpoint
may move: to the highest id such that every id of the run at or below it is done, however
out of order the writes finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")


class DonePrefix:
    """The contiguous done prefix of a run's ids (ascending), as ids finish in any order."""

    def __init__(self, ids: Sequence[int]) -> None:
        self.ids = ids
        self._next = 0  # ids[:_next] are all done
        self._done: set[int] = set()  # done ids at or after ids[_next]

    @property
    def checkpoint(self) -> int | None:
        """The highest id with every earlier id of the run done (``None``: none yet)."""
        return self.ids[self._next - 1] if self._next else None

    def mark(self, upsales_id: int) -> None:
        self._done.add(upsales_id)
        while self._next < len(self.ids) and self.ids[self._next] in self._done:
            self._done.discard(self.ids[self._next])
            self._next += 1


async def run_pool(items: Iterable[T], work: Callable[[T], Awaitable[None]], size: int) -> None:
    """``work`` on every item, at most ``size`` at a time, started in the items' order.

    The first error cancels the work still in flight and is raised as it is (not in an
    exception group); cancelling the caller cancels every worker too.
    """
    source = iter(items)

    async def worker() -> None:
        for item in source:  # one iterator: each item is taken by exactly one worker
            await work(item)

    tasks = [asyncio.create_task(worker()) for _ in range(max(1, size))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error
