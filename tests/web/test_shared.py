"""Two app instances on one Redis: one click does one thing once across replicas; and
Redis down is never an outage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.service import EMULATED, HEADERS, Service, running
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import create_freshdesk_emulator
from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales.app import create_upsales_emulator
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.web.app import create_app

EMAIL = SCENARIOS["not_found"].email


@asynccontextmanager
async def replicas(count: int, **settings: Any) -> AsyncIterator[list[Service]]:
    """``count`` apps (as on separate replicas) in front of the same two emulators."""
    fd, us = create_freshdesk_emulator(), create_upsales_emulator()
    us.faults.set(Faults(latency_ms=30))  # a real race window between the replicas
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


async def test_ten_creates_across_two_replicas_create_one_contact(redis_url: str) -> None:
    async with replicas(2, redis_url=redis_url) as (one, two):
        answers = await asyncio.gather(
            *(
                (one if i % 2 else two).http.post(
                    "/v1/actions/create-upsales", json=create_body(), headers=HEADERS
                )
                for i in range(10)
            )
        )
        assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
        assert len({a.json()["details"]["upsales_contact_id"] for a in answers}) == 1
        assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 9
        contacts = one.us.store.all("contacts")  # type: ignore[attr-defined]
        assert [(c.get("email") or "").lower() for c in contacts].count(EMAIL) == 1
        assert one.us.stats.by_route.get("POST /api/v2/contacts") == 1


async def test_a_replay_on_another_replica_answers_the_first_result(redis_url: str) -> None:
    async with replicas(2, redis_url=redis_url) as (one, two):
        first = await one.http.post(
            "/v1/actions/create-upsales", json=create_body(), headers=HEADERS
        )
        again = await two.http.post(
            "/v1/actions/create-upsales", json=create_body(), headers=HEADERS
        )
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("refused", [True, False], ids=["closed-port", "silent"])
async def test_cards_answer_when_redis_is_down(
    refused: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """A closed port, or one that never answers: cards still answer 200, and the
    fallback is counted (and logged once, without the URL)."""
    server = None
    if refused:
        port = free_port()
    else:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
    url = f"redis://:hunter2@127.0.0.1:{port}/0"
    async with running(redis_url=url) as service:
        for _ in range(3):
            resp = await service.card("found")
            assert resp.status_code == 200, resp.text
            assert resp.json()["status"] == "found"
            assert not resp.json().get("errors")
        write = await service.http.post(
            "/v1/actions/create-upsales", json=create_body(), headers=HEADERS
        )
        assert write.status_code == 200, write.text
        metrics = (await service.http.get("/metrics")).text
    if server is not None:
        server.close()
    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith("ufd_redis_fallbacks_total") and not line.endswith(" 0.0")
    ]
    assert any('operation="throttle"' in line for line in counted), metrics
    assert any('operation="once"' in line for line in counted), metrics
    logged = capsys.readouterr().out
    assert logged.count("redis_unavailable") == 1
    assert "hunter2" not in logged
