"""The timeline on Redis (arq): several processes, one activity per ticket, and a
restart loses nothing that was accepted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.support.faults import outage
from tests.support.replicas import SHARED_REDIS_TIMEOUT
from tests.support.service import Service, running, settle
from tests.support.service import redis_queue as queue
from tests.timeline.test_ticket_events import SECRET, SERVER, activities, change_ticket
from upsales_freshdesk.timeline.config import TimelineSettings


@asynccontextmanager
async def on_redis(redis_url: str, **options: Any) -> AsyncIterator[Service]:
    async with running(
        webhook_secret=SECRET["X-Webhook-Secret"],
        webhook_credentials=SERVER,
        timeline=TimelineSettings(enabled=True, **options),
        redis_url=redis_url,
        redis_timeout_seconds=SHARED_REDIS_TIMEOUT,
    ) as service:
        yield service


async def event(service: Service, ticket_id: int) -> int:
    resp = await service.http.post(
        "/v1/webhooks/freshdesk/ticket-event", json={"ticket_id": ticket_id}, headers=SECRET
    )
    return resp.status_code


async def test_ten_identical_events_at_once_make_one_activity(redis_url: str) -> None:
    async with on_redis(redis_url) as service:
        codes = await asyncio.gather(*(event(service, 1) for _ in range(10)))
        assert set(codes) == {202}
        await settle(service)
        assert len(await activities(service, 1)) == 1
        assert service.us.stats.by_route.get("POST /api/v2/activities") == 1


async def test_updates_land_in_place_and_the_link_is_shared(redis_url: str) -> None:
    async with on_redis(redis_url) as service:
        await event(service, 1)
        await settle(service)
        change_ticket(service, 1, status=4)
        await event(service, 1)
        await settle(service)
        (activity,) = await activities(service, 1)
        assert "Status: Resolved" in activity["notes"]
        # The update found the activity through the link in Redis, without a search: the
        # two searches are the creation's (the contact's activities, then by marker).
        assert service.us.stats.by_route.get("GET /api/v2/activities", 0) == 2


async def test_a_restart_loses_nothing_that_was_accepted(redis_url: str) -> None:
    async with on_redis(redis_url) as first:
        first.us.faults.set(outage(503))  # the job fails and waits in Redis
        assert await event(first, 1) == 202
        await settle(first)
        assert await queue(first).pending() == 1
        store = first.us.store, first.fd.store
    async with on_redis(redis_url) as second:
        # The same upstreams' data, as a restarted process would meet them.
        second.us.store.tables = store[0].tables
        second.fd.store.tickets = store[1].tickets
        assert await queue(second).pending() == 1
        # Make the deferred job due now rather than after its backoff.
        pool = queue(second).pool
        for job_id in await pool.zrange("ufd:jobs", 0, -1):
            await pool.zadd("ufd:jobs", {job_id: 1})  # due since 1 ms after 1970 (0 is "none")
        await settle(second)
        assert len(await activities(second, 1)) == 1
