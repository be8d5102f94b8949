"""The in-process queue: one job of a key at a time, and a key that is busy never holds
a worker that another key's job could use."""

from __future__ import annotations

import asyncio

from upsales_freshdesk.jobs import Job, LocalQueue


async def test_a_busy_key_does_not_hold_a_worker_from_other_keys() -> None:
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

    queue = LocalQueue({"k": handle}, concurrency=2)
    worker = asyncio.create_task(queue.run())
    try:
        assert await queue.submit(Job("k", "hot", {}))
        await asyncio.sleep(0.01)  # started: a new event is a new job
        assert await queue.submit(Job("k", "hot", {}))
        await asyncio.sleep(0.01)  # taken by the second worker, which parks it
        assert not await queue.submit(Job("k", "hot", {}))  # folded into the parked one
        assert await queue.submit(Job("k", "cold", {}))
        async with asyncio.timeout(5):
            while "cold" not in ran:  # noqa: ASYNC110 - the queue has no event for it
                await asyncio.sleep(0.01)
        assert ran == ["cold"]
        assert await queue.pending() == 1
        release.set()
        async with asyncio.timeout(5):
            await queue.drain()
        assert ran == ["cold", "hot", "hot"]
        assert most == {"hot": 1, "cold": 1}
        assert queue.done == 3
    finally:
        await queue.aclose()
        worker.cancel()
