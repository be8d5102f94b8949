"""The in-process queue: what runs without Redis. A restart loses what waits in it
(docs/configuration.md says so); Freshdesk's retries and the nightly reconciliation
are then what mends the loss."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Mapping

from .base import MAX_TRIES, Handler, Job, Later, QueueFull, backoff

logger = logging.getLogger(__name__)


class LocalQueue:
    """Jobs in memory, worked by ``concurrency`` tasks; one job of a key at a time."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int = 4,
        max_pending: int = 10_000,
        max_tries: int = MAX_TRIES,
    ) -> None:
        self.handlers = dict(handlers)
        self.concurrency, self.max_pending, self.max_tries = concurrency, max_pending, max_tries
        self._ready: asyncio.Queue[Job] = asyncio.Queue()
        #: Keys with a job not yet started (or waiting to try again): another of them is
        #: folded into it.
        self._waiting: set[str] = set()
        #: Jobs waiting out a Retry-After or a backoff, by their timer.
        self._deferred: dict[asyncio.TimerHandle, Job] = {}
        #: Keys with a job running; a job of one of them taken meanwhile is parked until
        #: it ends (never holding a worker while it waits), at most one per key.
        self._active: set[str] = set()
        self._parked: dict[str, Job] = {}
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        #: Jobs given up after their last try, and jobs done (for tests and metrics).
        self.given_up = 0
        self.done = 0

    async def submit(self, job: Job) -> bool:
        if job.name in self._waiting:
            return False
        if await self.pending() >= self.max_pending:
            raise QueueFull
        self._waiting.add(job.name)
        if job.delay > 0:
            self._defer(job, job.delay)
        else:
            self._put(job)
        return True

    def _put(self, job: Job) -> None:
        self._idle.clear()
        self._ready.put_nowait(job)

    async def pending(self) -> int:
        return self._ready.qsize() + len(self._deferred) + len(self._parked)

    async def run(self) -> None:
        workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()

    async def _work(self) -> None:
        while not self._closed:
            job = await self._ready.get()
            if job.name in self._active:
                # The key's other job runs: this one comes after it, and folds events
                # meanwhile (still "waiting"); one parked job of a key is that work.
                self._parked.setdefault(job.name, job)
                continue
            self._waiting.discard(job.name)
            self._active.add(job.name)
            self._running += 1
            try:
                await self._one(job)
            finally:
                self._running -= 1
                self._active.discard(job.name)
                if (after := self._parked.pop(job.name, None)) is not None:
                    self._put(after)
                self._settle()

    async def _one(self, job: Job) -> None:
        handler = self.handlers[job.kind]
        try:
            await handler(job)
            self.done += 1
        except Later as later:
            self._again(job, later.seconds)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a handler's bug must not stop the worker
            # Types only: an exception's message may hold a record's values.
            logger.error("job %s failed (%s), try %d", job.kind, type(exc).__name__, job.attempt)
            self._again(job, backoff(job.attempt))

    def _again(self, job: Job, seconds: float) -> None:
        if job.attempt >= self.max_tries:
            self.given_up += 1
            logger.error("job %s given up after %d tries", job.kind, job.attempt)
            return
        # Waiting to try again, it is the key's waiting job: events meanwhile fold into it.
        self._waiting.add(job.name)
        self._defer(dataclasses.replace(job, attempt=job.attempt + 1), seconds)

    def _defer(self, job: Job, seconds: float) -> None:
        loop = asyncio.get_running_loop()

        def due() -> None:
            self._deferred.pop(handle, None)
            self._put(job)

        handle = loop.call_later(seconds, due)
        self._deferred[handle] = job

    def hurry(self) -> None:
        """Make every deferred job due now: a test's way past a Retry-After, without
        waiting it out."""
        for handle, job in list(self._deferred.items()):
            handle.cancel()
            del self._deferred[handle]
            self._put(job)

    def _settle(self) -> None:
        if self._running == 0 and self._ready.empty():
            self._idle.set()

    async def drain(self) -> None:
        while True:
            await self._idle.wait()
            await asyncio.sleep(0)  # let a worker pick up what was put meanwhile
            if self._idle.is_set():
                return

    async def aclose(self) -> None:
        self._closed = True
        for handle in self._deferred:
            handle.cancel()
        self._deferred.clear()
        self._parked.clear()
        with contextlib.suppress(Exception):
            self._idle.set()
