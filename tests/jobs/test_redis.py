"""The queue on Redis (arq, real redis-server): one job of a key at a time; another
key's job runs meanwhile, and the busy key's next job comes back after the running one."""

from __future__ import annotations

import asyncio

from upsales_freshdesk.jobs import Job
from upsales_freshdesk.jobs.redis import RedisQueue, arq_pool


async def test_a_busy_keys_next_job_comes_after_it_others_run_meanwhile(redis_url: str) -> None:
    release = asyncio.Event()
    ran: list[str] = []
    running: dict[str, int] = {}
    most: dict[str, int] = {}

    async def handle(job: Job) -> None:
        running[job.key] = running.get(job.key, 0) + 1
        most[job.key] = max(most.get(job.key, 0), running[job.key])
        try:
            if job.key == "hot":
                await release.wait()
            ran.append(job.key)
        finally:
            running[job.key] -= 1

    pool = arq_pool(redis_url, timeout=2.0)
    await pool.flushdb()
    queue = RedisQueue(pool, {"k": handle}, concurrency=2)
    worker = asyncio.create_task(queue.run())
    try:
        assert await queue.submit(Job("k", "hot", {}))
        async with asyncio.timeout(10):
            while not running.get("hot"):  # noqa: ASYNC110 - arq has no event for it
                await asyncio.sleep(0.01)
        assert await queue.submit(Job("k", "hot", {}))  # started: a new event, a new job
        await asyncio.sleep(0.3)  # the second worker takes it, and lets it wait
        assert await queue.submit(Job("k", "cold", {}))
        async with asyncio.timeout(10):
            while "cold" not in ran:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        assert ran == ["cold"]
        release.set()
        async with asyncio.timeout(20):  # the parked job is due a second later
            while len(ran) < 3:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        assert ran == ["cold", "hot", "hot"]
        assert most == {"hot": 1, "cold": 1}
    finally:
        await queue.aclose()
        worker.cancel()
        await pool.aclose()
