"""A harness for the backend: the FastAPI app in-process, with both emulators behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from tests.support.emulated import EMULATED
from upsales_freshdesk.emulators.freshdesk import app as freshdesk
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales import app as upsales
from upsales_freshdesk.jobs import JobQueue, LocalQueue
from upsales_freshdesk.jobs.redis import RedisQueue
from upsales_freshdesk.push.config import PushSettings
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.timeline.config import TimelineSettings
from upsales_freshdesk.web.app import create_app
from upsales_freshdesk.web.deps import Credentials

QueueT = TypeVar("QueueT", bound=JobQueue)

HEADERS = {
    "X-Freshdesk-Domain": "demo.freshdesk.com",
    "X-Freshdesk-Api-Key": freshdesk.DEFAULT_KEY,
    "X-Upsales-Token": upsales.DEFAULT_TOKEN,
}


@dataclass
class Service:
    http: httpx.AsyncClient
    fd: freshdesk.FreshdeskEmulator
    us: upsales.UpsalesEmulator
    app: FastAPI

    def body(self, scenario: str, locale: str = "en", **extra: Any) -> dict[str, Any]:
        """The card request the app builds for a scenario's ticket (from the FDK data API)."""
        s = SCENARIOS[scenario]
        ticket = self.fd.store.tickets[s.ticket_id]
        requester = self.fd.store.contacts[ticket["requester_id"]]
        company = self.fd.store.companies.get(requester["company_id"])
        body: dict[str, Any] = {
            "ticket": {"id": ticket["id"], "subject": ticket["subject"]},
            "requester": {
                "id": requester["id"],
                "email": requester["email"],
                "name": requester["name"],
                "phone": requester["phone"],
                "mobile": requester["mobile"],
            },
            "locale": locale,
        }
        if company:
            body["company"] = {"id": company["id"], "name": company["name"]}
        return {**body, **extra}

    async def card(
        self, scenario: str, locale: str = "en", headers: dict[str, str] | None = None, **extra: Any
    ) -> httpx.Response:
        return await self.http.post(
            "/v1/card",
            json=self.body(scenario, locale, **extra),
            headers={**HEADERS, **(headers or {})},
        )

    async def edit_upsales(self, path: str, body: dict[str, Any], method: str = "PUT") -> Any:
        """Change Upsales data through its own API (as another user would)."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.us),
            base_url="http://upsales",
            cookies={"token": upsales.DEFAULT_TOKEN},
        ) as client:
            resp = await client.request(method, f"/api/v2/{path}", json=body)
            assert resp.status_code == 200, resp.text
        self.us.stats.reset()
        return resp.json()

    def upstream_calls(self) -> tuple[int, int]:
        return self.fd.stats.total, self.us.stats.total

    def pass_time(self, seconds: float) -> None:
        """Let ``seconds`` pass for the backend's throttles: a 429's pause that long ends."""
        for throttle in self.app.state.upstreams.registry._throttles.values():
            throttle._paused_until -= seconds


@asynccontextmanager
async def running(
    webhook_credentials: Credentials | None = None,
    timeline: TimelineSettings | None = None,
    push: PushSettings | None = None,
    **settings: Any,
) -> AsyncIterator[Service]:
    fd, us = freshdesk.create_freshdesk_emulator(), upsales.create_upsales_emulator()
    config = Settings(freshdesk_base_url=EMULATED, upsales_base_url=EMULATED, **settings)
    app = create_app(
        config,
        transports={
            "freshdesk": httpx.ASGITransport(app=fd),
            "upsales": httpx.ASGITransport(app=us),
        },
        webhook_credentials=webhook_credentials,
        timeline=timeline,
        push=push,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://service"
        ) as http,
    ):
        yield Service(http, fd, us, app)


def queue_of(service: Service, kind: type[QueueT]) -> QueueT:
    """The service's job queue, which the test expects to be a ``kind``."""
    queue = service.app.state.background.queue
    assert isinstance(queue, kind)
    return queue


def local_queue(service: Service) -> LocalQueue:
    return queue_of(service, LocalQueue)


def redis_queue(service: Service) -> RedisQueue:
    return queue_of(service, RedisQueue)


async def settle(service: Service) -> None:
    """Wait until every job the service accepted has run (30 s at the most)."""
    async with asyncio.timeout(30):
        await service.app.state.background.queue.drain()
