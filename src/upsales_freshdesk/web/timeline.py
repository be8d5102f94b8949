"""The timeline's parts in the service: the job queue (arq on ``UFD_REDIS_URL``, else in
this process), the ticket -> activity links, and the job handler with the server's own
clients, which spend from the background budgets (agents first)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from ..clients import RetryPolicy
from ..jobs import Job, JobQueue, LocalQueue
from ..jobs.redis import RedisQueue, arq_pool
from ..settings import Settings, StartupError
from ..timeline.config import TimelineSettings
from ..timeline.handler import KIND, TicketClients, lag_seconds, ticket_handler
from ..timeline.links import Links, LocalLinks, RedisLinks
from ..timeline.process import Outcome, TicketLogger
from .deps import Credentials, Upstreams, make_clients

#: Jobs are patient, but a 429 with a long Retry-After ends the try: the queue keeps the
#: job and tries again then, holding no worker meanwhile.
JOB_POLICY = RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_max=5.0, retry_after_max=10.0)


@dataclass(frozen=True, slots=True)
class Timeline:
    settings: TimelineSettings
    queue: JobQueue
    links: Links
    #: The Freshdesk host whose tickets are logged (the server's own account).
    host: str


def check_timeline(
    settings: Settings, timeline: TimelineSettings, creds: Credentials | None
) -> None:
    """On, the timeline needs the webhook's secret and the server's own credentials."""
    if not timeline.enabled:
        return
    if settings.webhook_secret is None:
        raise StartupError("UFD_TIMELINE_ENABLED needs UFD_WEBHOOK_SECRET (the rule's header)")
    if creds is None:
        raise StartupError(
            "UFD_TIMELINE_ENABLED needs the server's own credentials (UFD_SYNC_FRESHDESK_DOMAIN, "
            "UFD_SYNC_FRESHDESK_API_KEY, UFD_SYNC_UPSALES_TOKEN): events are handled after "
            "the webhook has answered"
        )


@asynccontextmanager
async def open_timeline(
    settings: Settings,
    timeline: TimelineSettings,
    upstreams: Upstreams,
    creds: Credentials | None,
) -> AsyncIterator[Timeline | None]:
    if not timeline.enabled or creds is None:
        yield None
        return
    server = creds
    metrics = upstreams.metrics

    def clients_for(host: str) -> TicketClients | None:
        if host != server.host:
            return None
        made = make_clients(
            settings, upstreams, server, background=timeline.share, policy=JOB_POLICY
        )
        return TicketClients(made.freshdesk, made.upsales)

    def observe(outcome: Outcome | None, job: Job) -> None:
        metrics.jobs.labels(job.kind, outcome.status if outcome else "later").inc()
        if outcome is not None:
            metrics.job_lag.labels(job.kind).observe(lag_seconds(job))

    pool = None
    links: Links
    if settings.redis_url is None:
        links = LocalLinks()
    else:
        pool = arq_pool(
            settings.redis_url.get_secret_value(), timeout=settings.redis_timeout_seconds
        )
        links = RedisLinks(pool)
    ticket_logger = TicketLogger(timeline, links, activity_type=settings.log_activity_type)
    handlers = {KIND: ticket_handler(ticket_logger, clients_for, observe)}
    queue: JobQueue
    if pool is None:
        queue = LocalQueue(
            handlers, concurrency=timeline.concurrency, max_pending=timeline.max_pending
        )
    else:
        queue = RedisQueue(
            pool, handlers, concurrency=timeline.concurrency, max_pending=timeline.max_pending
        )
    worker = asyncio.create_task(queue.run())
    try:
        yield Timeline(timeline, queue, links, server.host)
    finally:
        await queue.aclose()
        worker.cancel()
        with contextlib.suppress(BaseException):
            await worker
        if pool is not None:
            await pool.aclose()
