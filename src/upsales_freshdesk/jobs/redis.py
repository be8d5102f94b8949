"""The queue on Redis, through arq: jobs survive a restart of any process, and every
``serve`` process works the one queue. Jobs hold ids only (JSON, never pickle)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any

from arq.connections import ArqRedis, RedisSettings
from arq.worker import Retry, Worker, func
from redis.exceptions import LockError, RedisError

from .base import (
    EXPIRES_SECONDS,
    MAX_TRIES,
    Handler,
    Job,
    Later,
    QueueFull,
    QueueUnavailable,
    backoff,
)

logger = logging.getLogger(__name__)

QUEUE = "ufd:jobs"
#: A key with a job waiting (not started): another job of the key is folded into it. It
#: expires, so a job lost with its Redis key cannot block its key for good.
WAITING = "ufd:jobs:waiting:"
LOCK = "ufd:jobs:lock:"
#: How often a job found its key busy (a counter per job id), and job id -> when it last
#: did (a sorted set): a wait is no try, and :meth:`RedisQueue.drain` waits for such a job.
LOCK_WAITS = "ufd:jobs:lockwaits:"
LOCK_WAITING = "ufd:jobs:lockwaiting"
#: A job that found its key busy is tried again this much later.
LOCK_RETRY_SECONDS = 1.0
#: A job that met a Redis error before it started is tried again this much later.
REDIS_RETRY_SECONDS = 2.0
#: arq's own limit of tries, which counts the waits for a busy key too: never the one
#: that ends a job (``max_tries`` limits the job's own tries).
ARQ_TRIES = 1_000_000
#: Longest a job may run; its key's lock is held no longer.
JOB_TIMEOUT_SECONDS = 120
#: A handler's time: past it, the job is tried again later (arq's timeout, a little
#: longer, would drop it).
HANDLER_SECONDS = JOB_TIMEOUT_SECONDS - 10
WAITING_TTL_SECONDS = 3600
#: How often an idle worker looks for due jobs.
POLL_SECONDS = 0.05
#: Pause before a worker that lost Redis starts again.
RESTART_SECONDS = 1.0


def _dumps(value: dict[str, Any]) -> bytes:
    # ``default=str``: arq also records a given-up job's exception, which JSON cannot hold.
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def _loads(raw: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(raw)
    return loaded


def arq_pool(url: str, *, timeout: float) -> ArqRedis:
    """A lazy pool: nothing is connected until the first command, so a process starts
    while Redis is down (the queue refuses jobs with 503 until it is back)."""
    settings = RedisSettings.from_dsn(url)
    return ArqRedis(
        host=settings.host,
        port=settings.port,
        db=settings.database,
        username=settings.username,
        password=settings.password,
        ssl=settings.ssl,
        socket_timeout=max(timeout, 1.0),
        socket_connect_timeout=max(timeout, 1.0),
        job_serializer=_dumps,
        job_deserializer=_loads,
        default_queue_name=QUEUE,
        expires_extra_ms=EXPIRES_SECONDS * 1000,
    )


class RedisQueue:
    """An arq queue and an arq worker in this process."""

    def __init__(
        self,
        pool: ArqRedis,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int = 4,
        max_pending: int = 10_000,
        max_tries: int = MAX_TRIES,
    ) -> None:
        self.pool, self.handlers = pool, dict(handlers)
        self.concurrency, self.max_pending, self.max_tries = concurrency, max_pending, max_tries
        self._worker: Worker | None = None
        self._closed = False
        self._running = 0

    async def submit(self, job: Job) -> bool:
        """The key's flag holds the id of its waiting job: a flag whose job is gone (a
        submit cut off half-way, a job lost with its Redis key) is taken over, so no
        event is folded into a job that will never run."""
        waiting = WAITING + job.name
        job_id = f"{job.name}:{secrets.token_hex(8)}"
        try:
            if not await self.pool.set(waiting, job_id, nx=True, ex=WAITING_TTL_SECONDS):
                holder = await self.pool.get(waiting)
                if holder is not None and await self._queued(holder):
                    return False
                await self.pool.set(waiting, job_id, ex=WAITING_TTL_SECONDS)
        except RedisError as exc:
            raise QueueUnavailable from exc
        try:
            if await self.pending() >= self.max_pending:
                raise QueueFull
            queued = await self.pool.enqueue_job(
                "ufd_job",
                job.kind,
                job.key,
                dict(job.args),
                job.submitted_at,
                _job_id=job_id,
                _defer_by=job.delay or None,
            )
        except BaseException as exc:
            with contextlib.suppress(RedisError):
                await self.pool.delete(waiting)
            if isinstance(exc, RedisError):
                raise QueueUnavailable from exc
            raise
        return queued is not None

    async def _queued(self, job_id: bytes | str) -> bool:
        name = job_id.decode() if isinstance(job_id, bytes) else str(job_id)
        return await self.pool.zscore(QUEUE, name) is not None

    async def pending(self) -> int:
        try:
            return int(await self.pool.zcard(QUEUE))
        except RedisError as exc:
            raise QueueUnavailable from exc

    async def _run_job(
        self, ctx: dict[str, Any], kind: str, key: str, args: dict[str, Any], submitted_at: float
    ) -> None:
        """Never raises but :class:`Retry`: anything else would make arq drop the job.

        arq's try count holds the waits for the job's busy key too; the job's own tries
        (``attempt``, its backoff) do not, and :attr:`max_tries` limits those."""
        job_try = int(ctx.get("job_try", 1))
        job_id = str(ctx.get("job_id", ""))
        name = Job(kind, key, args).name
        waiting, waits = WAITING + name, LOCK_WAITS + job_id
        lock = self.pool.lock(LOCK + name, timeout=JOB_TIMEOUT_SECONDS)
        held = False
        try:
            try:
                held = bool(await lock.acquire(blocking=False))
                if not held:
                    await self._wait_for_key(job_id, waits)
                waited = await self._started(job_id, waiting, waits)
            except RedisError:
                raise Retry(defer=REDIS_RETRY_SECONDS) from None
            job = Job(kind, key, args, submitted_at, max(1, job_try - waited))
            await self._handle(job, job_id, waiting, waits)
        finally:  # also when cancelled (a shutdown): the key is not blocked for a lock's TTL
            if held:
                with contextlib.suppress(RedisError, LockError):
                    await lock.release()

    async def _handle(self, job: Job, job_id: str, waiting: str, waits: str) -> None:
        self._running += 1
        try:
            # Within arq's own timeout, whose expiry would drop the job instead.
            async with asyncio.timeout(HANDLER_SECONDS):
                await self.handlers[job.kind](job)
        except Later as later:
            await self._again(job, job_id, waiting, waits, later.seconds)
        except Exception as exc:  # a handler's bug, or its time up: tried again later
            logger.error("job %s failed (%s), try %d", job.kind, type(exc).__name__, job.attempt)
            await self._again(job, job_id, waiting, waits, backoff(job.attempt))
        else:
            with contextlib.suppress(RedisError):
                await self.pool.delete(waits)
        finally:
            self._running -= 1

    async def _again(self, job: Job, job_id: str, waiting: str, waits: str, seconds: float) -> None:
        """Try the job again in ``seconds``, as the key's waiting job (events meanwhile
        fold into it); after its last try it is given up, and the key's next event makes
        a new job."""
        if job.attempt >= self.max_tries:
            logger.error("job %s given up after %d tries", job.kind, job.attempt)
            with contextlib.suppress(RedisError):
                if await self.pool.get(waiting) in (job_id.encode(), job_id):
                    await self.pool.delete(waiting)
                await self.pool.delete(waits)
            return
        with contextlib.suppress(RedisError):
            await self.pool.set(waiting, job_id, nx=True, ex=WAITING_TTL_SECONDS)
        raise Retry(defer=seconds)

    async def _wait_for_key(self, job_id: str, waits: str) -> None:
        """The key's other job runs: this one comes after it, holding no worker meanwhile.
        It stays the key's waiting job (events fold into it), its waits are counted apart
        from its tries, and :meth:`drain` knows it is coming."""
        now = time.time()
        async with self.pool.pipeline(transaction=True) as pipe:
            pipe.incr(waits)
            pipe.expire(waits, EXPIRES_SECONDS)
            pipe.zadd(LOCK_WAITING, {job_id: now})
            pipe.zremrangebyscore(LOCK_WAITING, 0, now - WAITING_TTL_SECONDS)
            await pipe.execute()
        raise Retry(defer=LOCK_RETRY_SECONDS)

    async def _started(self, job_id: str, waiting: str, waits: str) -> int:
        """The job holds its key: a later event makes a new job. Its waits so far."""
        if await self.pool.get(waiting) in (job_id.encode(), job_id):
            await self.pool.delete(waiting)
        await self.pool.zrem(LOCK_WAITING, job_id)
        return int(await self.pool.get(waits) or 0)

    def _new_worker(self) -> Worker:
        return Worker(
            [func(self._run_job, name="ufd_job", max_tries=ARQ_TRIES)],
            redis_pool=self.pool,
            queue_name=QUEUE,
            handle_signals=False,
            max_jobs=self.concurrency,
            job_timeout=JOB_TIMEOUT_SECONDS,
            keep_result=0,
            poll_delay=POLL_SECONDS,
            max_tries=ARQ_TRIES,
            log_results=False,
            job_serializer=_dumps,
            job_deserializer=_loads,
            expires_extra_ms=EXPIRES_SECONDS * 1000,
        )

    async def run(self) -> None:
        """arq's worker, started again when Redis fails under it."""
        while not self._closed:
            self._worker = self._new_worker()
            try:
                await self._worker.main()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                logger.warning("job worker lost Redis (%s); starting again", type(exc).__name__)
                for task in self._worker.tasks.values():  # the next worker takes their jobs
                    task.cancel()
                await asyncio.sleep(RESTART_SECONDS)

    async def drain(self) -> None:
        """Until nothing is due, running, or about to run after its key's other job."""
        while await self.due() or self._running or await self._key_waits():  # noqa: ASYNC110
            await asyncio.sleep(POLL_SECONDS)

    async def _key_waits(self) -> int:
        """Jobs that found their key busy within the last few seconds (a job lost with its
        process drops out of the count by itself)."""
        since = time.time() - 5 * LOCK_RETRY_SECONDS
        return int(await self.pool.zcount(LOCK_WAITING, since, "+inf"))

    async def due(self) -> int:
        """Jobs due now (arq scores a job by when it is due, in milliseconds)."""
        return int(await self.pool.zcount(QUEUE, 0, time.time() * 1000))

    async def aclose(self) -> None:
        """Stop taking jobs; the ones running are cancelled and, still in Redis, run again
        by the next worker once arq's in-progress mark expires. Their locks are released
        on the way out (briefly awaited). The pool is the caller's."""
        self._closed = True
        if self._worker is not None:
            tasks = list(self._worker.tasks.values())
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=2)
