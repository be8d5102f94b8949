"""The queue on Redis (arq, real redis-server): one job of a key at a time; another
key's job runs meanwhile; the busy key's next job comes after the running one, folds the
events that arrive meanwhile, and does not count its waits as tries; ``drain`` waits
for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from upsales_freshdesk.jobs import Handler, Job
from upsales_freshdesk.jobs import redis as redis_queue
from upsales_freshdesk.jobs.redis import RedisQueue, arq_pool


@asynccontextmanager
async def working(
    redis_url: str, handle: Handler, max_tries: int = 10
) -> AsyncIterator[RedisQueue]:
    pool = arq_pool(redis_url, timeout=2.0)
    await pool.flushdb()
    queue = RedisQueue(pool, {"k": handle}, concurrency=2, max_tries=max_tries)
    worker = asyncio.create_task(queue.run())
    try:
        yield queue
    finally:
        await queue.aclose()
        worker.cancel()
        await pool.aclose()


async def until(condition: Callable[[], bool], seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the handlers have no event for it
            await asyncio.sleep(0.01)


class Hot:
    """A handler whose first run of the key "hot" holds it until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.ran: list[str] = []
        self.tries: list[int] = []
        self.running: dict[str, int] = {}
        self.most: dict[str, int] = {}

    async def __call__(self, job: Job) -> None:
        self.running[job.key] = self.running.get(job.key, 0) + 1
        self.most[job.key] = max(self.most.get(job.key, 0), self.running[job.key])
        try:
            if job.key == "hot" and "hot" not in self.ran:
                await self.release.wait()
            self.ran.append(job.key)
            self.tries.append(job.attempt)
        finally:
            self.running[job.key] -= 1


async def test_a_busy_keys_next_job_comes_after_it_others_run_meanwhile(redis_url: str) -> None:
    hot = Hot()
    async with working(redis_url, hot) as queue:
        assert await queue.submit(Job("k", "hot", {}))
        await until(lambda: bool(hot.running.get("hot")))
        assert await queue.submit(Job("k", "hot", {}))  # started: a new event, a new job
        await asyncio.sleep(0.3)  # the second worker takes it, and lets it wait
        assert await queue.submit(Job("k", "cold", {}))
        await until(lambda: "cold" in hot.ran)
        assert hot.ran == ["cold"]
        hot.release.set()
        async with asyncio.timeout(20):
            await queue.drain()  # waits for the job that waited for its key
        assert hot.ran == ["cold", "hot", "hot"]
        assert hot.most == {"hot": 1, "cold": 1}


async def test_events_fold_into_the_job_waiting_for_its_busy_key(redis_url: str) -> None:
    hot = Hot()
    async with working(redis_url, hot) as queue:
        assert await queue.submit(Job("k", "hot", {}))
        await until(lambda: bool(hot.running.get("hot")))
        accepted = []
        for _ in range(5):  # spaced past the waiting job's own retries
            accepted.append(await queue.submit(Job("k", "hot", {})))
            await asyncio.sleep(0.4)
        assert accepted == [True, False, False, False, False]
        hot.release.set()
        async with asyncio.timeout(20):
            await queue.drain()
        assert hot.ran == ["hot", "hot"]
        # Two seconds of waits for the key were no tries: its first run is its first try.
        assert hot.tries == [1, 1]


async def test_waits_for_a_busy_key_never_use_up_the_jobs_tries(redis_url: str) -> None:
    """Two tries allowed, three seconds of waits: the waiting job still runs, and the
    events folded into it meanwhile are not lost with it."""
    hot = Hot()
    async with working(redis_url, hot, max_tries=2) as queue:
        assert await queue.submit(Job("k", "hot", {}))
        await until(lambda: bool(hot.running.get("hot")))
        assert await queue.submit(Job("k", "hot", {}))
        await asyncio.sleep(3)
        assert not await queue.submit(Job("k", "hot", {}))  # folded into the waiting one
        hot.release.set()
        async with asyncio.timeout(20):
            await queue.drain()
        assert hot.ran == ["hot", "hot"]


async def test_a_handler_past_its_time_is_tried_again_not_dropped(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_queue, "HANDLER_SECONDS", 0.3)
    tries: list[int] = []

    async def slow_once(job: Job) -> None:
        tries.append(job.attempt)
        if len(tries) == 1:
            await asyncio.sleep(5)  # past its time: cut off, and tried again

    async with working(redis_url, slow_once) as queue:
        assert await queue.submit(Job("k", "slow", {}))
        await until(lambda: len(tries) == 2)
        assert tries == [1, 2]
        assert not await queue.pool.keys("ufd:jobs:lock:*")  # its key is free again
