"""Several app instances in front of the same two emulators and one Redis, as replicas
would be, and the create request the replica tests send."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import redis

from tests.support.service import EMULATED, Service
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import create_freshdesk_emulator
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales.app import create_upsales_emulator
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.web.app import create_app
from upsales_freshdesk.web.redis_once import EPOCH_KEY, LOCK_SLACK_SECONDS

EMAIL = SCENARIOS["not_found"].email
CREATE = "/v1/actions/create-upsales"
#: A short card deadline, so the lock's TTL (and so the quarantine) is short.
DEADLINE = 1.0
LOCK_SECONDS = math.ceil(DEADLINE + LOCK_SLACK_SECONDS)
#: Redis's timeout where a working Redis is shared, not where its failure is tested.
SHARED_REDIS_TIMEOUT = 2.0


@asynccontextmanager
async def replicas(
    count: int, *, fresh: bool = False, latency_ms: float = 30, **settings: Any
) -> AsyncIterator[list[Service]]:
    """``count`` apps (as on separate replicas) in front of the same two emulators.

    Their Redis has been used before (it holds the epoch), unless ``fresh``."""
    # What replicas share is under test here, not a slow Redis: a loaded CI machine can
    # take longer than the production default (0.2 s) to open ten connections at once.
    settings.setdefault("redis_timeout_seconds", SHARED_REDIS_TIMEOUT)
    if not fresh:
        with redis.Redis.from_url(settings["redis_url"]) as client:
            client.set(EPOCH_KEY, "earlier")
    fd, us = create_freshdesk_emulator(), create_upsales_emulator()
    us.faults.set(Faults(latency_ms=latency_ms))  # a real race window between the replicas
    config = Settings(freshdesk_base_url=EMULATED, upsales_base_url=EMULATED, **settings)
    async with AsyncExitStack() as stack:
        services = []
        for _ in range(count):
            transports = {
                "freshdesk": httpx.ASGITransport(app=fd),
                "upsales": httpx.ASGITransport(app=us),
            }
            app = create_app(config, transports=transports)  # type: ignore[arg-type]
            await stack.enter_async_context(app.router.lifespan_context(app))
            http = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s")
            )
            services.append(Service(http, fd, us, app))
        yield services


def create_body() -> dict[str, Any]:
    return {
        "email": EMAIL,
        "name": "Nils Ek",
        "title": "Lagerchef",
        "account": {"id": 26},
        "idempotency_key": "click-1-abcdef",
    }
