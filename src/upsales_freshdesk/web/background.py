"""Work of the service's own accord, in one job queue (arq on ``UFD_REDIS_URL``, else in
this process): tickets onto the Upsales timeline, and Upsales' pushes into Freshdesk.
Jobs use the server's own credentials (``UFD_SYNC_*``) and spend from the background
budgets: a share of each plan, and with Redis only what the cards leave."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter
from arq.connections import ArqRedis
from redis.exceptions import RedisError

from ..clients import RetryPolicy, plan_limit
from ..jobs import Handler, Job, JobQueue, LocalQueue
from ..jobs.redis import RedisQueue, arq_pool
from ..push.config import PushSettings
from ..push.handler import KIND as CONTACT
from ..push.handler import contact_handler
from ..push.links import IdLinks, LocalIdLinks, RedisIdLinks
from ..push.process import ContactPusher
from ..push.process import Outcome as PushOutcome
from ..rules.contact_link import LinkField
from ..rules.fields import FieldRule
from ..rules.later import JobClients
from ..settings import Settings, StartupError, secret_problem
from ..sync.fired import Fired, LocalFired, RedisFired, account_of
from ..timeline.config import TimelineSettings
from ..timeline.handler import KIND as TICKET
from ..timeline.handler import lag_seconds, ticket_handler
from ..timeline.links import Links, LocalLinks, RedisLinks
from ..timeline.process import Outcome as TicketOutcome
from ..timeline.process import TicketLogger
from .deps import Credentials, Upstreams, make_clients

#: Longest a shared lock of a job is held (a creation's).
JOB_LOCK_SECONDS = 60
#: Freshdesk calls of a job, at most: a ticket's read and its requester's; a contact's
#: read and its write.
CALLS_PER_JOB = 2
#: Jobs are patient, but a 429 with a long Retry-After ends the try: the queue keeps the
#: job and tries again then, holding no worker meanwhile.
JOB_POLICY = RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_max=5.0, retry_after_max=10.0)


@dataclass(frozen=True, slots=True)
class Background:
    queue: JobQueue
    #: The Freshdesk host of the server's account (its tickets, its contacts).
    host: str
    #: The server's Upsales account, as its key's hash (the pokes' job keys).
    account: str
    timeline: TimelineSettings | None = None
    links: Links | None = None
    push: PushSettings | None = None
    #: The pushes' clients (server credentials, background budgets).
    push_clients: Callable[[], JobClients] | None = None
    #: When each Upsales trigger last called (``triggers status`` reads it from Redis).
    fired: Fired = field(default_factory=LocalFired)


def check_background(
    settings: Settings,
    timeline: TimelineSettings,
    push: PushSettings,
    creds: Credentials | None,
) -> None:
    """What the timeline and the pushes need when on: their secrets and the server's own
    credentials (events are handled after their webhook has answered)."""
    if timeline.enabled and settings.webhook_secret is None:
        raise StartupError("UFD_TIMELINE_ENABLED needs UFD_WEBHOOK_SECRET (the rule's header)")
    if push.enabled:
        secret = push.secret.get_secret_value() if push.secret else None
        if secret is None:
            raise StartupError("UFD_PUSH_ENABLED needs UFD_UPSALES_WEBHOOK_SECRET")
        if (problem := secret_problem("UFD_UPSALES_WEBHOOK_SECRET", secret)) is not None:
            raise StartupError(problem)
    if (timeline.enabled or push.enabled) and creds is None:
        raise StartupError(
            "UFD_TIMELINE_ENABLED and UFD_PUSH_ENABLED need the server's own credentials "
            "(UFD_SYNC_FRESHDESK_DOMAIN, UFD_SYNC_FRESHDESK_API_KEY, UFD_SYNC_UPSALES_TOKEN) "
            "and UFD_WEBHOOK_SECRET: events are handled after the webhook has answered"
        )


def redis_locks(pool: ArqRedis) -> Callable[[str], AbstractAsyncContextManager[object]]:
    """A lock by name shared by every process (redis-py's lock); Redis failing fails the
    job, which the queue tries again."""

    @asynccontextmanager
    async def hold(name: str) -> AsyncIterator[object]:
        lock = pool.lock(f"ufd:lock:{name}", timeout=JOB_LOCK_SECONDS, blocking_timeout=30)
        if not await lock.acquire():
            raise TimeoutError("lock")
        try:
            yield lock
        finally:
            with contextlib.suppress(RedisError):
                await lock.release()

    return hold


@asynccontextmanager
async def open_background(
    settings: Settings,
    timeline: TimelineSettings,
    push: PushSettings,
    upstreams: Upstreams,
    creds: Credentials | None,
) -> AsyncIterator[Background | None]:
    if not (timeline.enabled or push.enabled) or creds is None:
        yield None
        return
    server = creds
    metrics = upstreams.metrics

    def observe(outcome: TicketOutcome | PushOutcome | None, job: Job) -> None:
        metrics.jobs.labels(job.kind, outcome.status if outcome else "later").inc()
        if outcome is not None:
            metrics.job_lag.labels(job.kind).observe(lag_seconds(job))

    def share(fraction: float) -> float | None:
        """With Redis, the jobs' throttles are their own share in background mode. In
        process they are the cards' own throttles, whole (a throttle of another limit
        under the same account would replace the cards'), and :func:`paced` keeps the
        jobs to their share."""
        return fraction if pool is not None else None

    def paced(handler: Handler, fraction: float) -> Handler:
        """Without Redis: jobs start no faster than their share of the Freshdesk plan
        allows at :data:`CALLS_PER_JOB` calls each."""
        per_window = plan_limit(settings.freshdesk_plan) * fraction / CALLS_PER_JOB
        limiter = AsyncLimiter(max(1, math.floor(per_window)), settings.freshdesk_window_seconds)

        async def run(job: Job) -> None:
            await limiter.acquire()
            await handler(job)

        return run

    pool = None
    if settings.redis_url is not None:
        url = settings.redis_url.get_secret_value()
        pool = arq_pool(url, timeout=settings.redis_timeout_seconds)
    handlers: dict[str, Handler] = {}
    links: Links | None = None
    push_clients: Callable[[], JobClients] | None = None
    if timeline.enabled:
        links = LocalLinks() if pool is None else RedisLinks(pool)
        ticket_logger = TicketLogger(
            timeline,
            links,
            activity_type=settings.log_activity_type,
            link=LinkField.of(settings.link_field),
            creating=None if pool is None else redis_locks(pool),
        )

        def ticket_clients(host: str) -> JobClients | None:
            if host != server.host:
                return None
            made = make_clients(
                settings, upstreams, server, background=share(timeline.share), policy=JOB_POLICY
            )
            return JobClients(made.freshdesk, made.upsales)

        handler = ticket_handler(ticket_logger, ticket_clients, observe)
        handlers[TICKET] = handler if pool is not None else paced(handler, timeline.share)
    account = account_of(server.upsales_token)
    if push.enabled:
        ids: IdLinks = LocalIdLinks() if pool is None else RedisIdLinks(pool, account)
        rule = FieldRule.of(settings.field_mapping)
        pusher = ContactPusher(
            rule, ids, link=LinkField.of(settings.link_field), create_missing=push.create_missing
        )

        def push_made() -> JobClients:
            made = make_clients(
                settings, upstreams, server, background=share(push.share), policy=JOB_POLICY
            )
            return JobClients(made.freshdesk, made.upsales)

        push_clients = push_made
        handler = contact_handler(pusher, push_made, observe)
        handlers[CONTACT] = handler if pool is not None else paced(handler, push.share)
    concurrency = max(timeline.concurrency, 1)
    queue: JobQueue = (
        LocalQueue(handlers, concurrency=concurrency, max_pending=timeline.max_pending)
        if pool is None
        else RedisQueue(pool, handlers, concurrency=concurrency, max_pending=timeline.max_pending)
    )
    worker = asyncio.create_task(queue.run())
    try:
        yield Background(
            queue,
            server.host,
            account,
            timeline if timeline.enabled else None,
            links,
            push if push.enabled else None,
            push_clients,
            LocalFired() if pool is None else RedisFired(pool),
        )
    finally:
        await queue.aclose()
        worker.cancel()
        with contextlib.suppress(BaseException):
            await worker
        if pool is not None:
            await pool.aclose()
