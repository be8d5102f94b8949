"""The Upsales emulator with its triggers' web requests delivered in-process to a
recording receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.sleeps import RecordingSleep
from upsales_freshdesk.emulators.upsales.app import (
    DEFAULT_TOKEN,
    UpsalesEmulator,
    create_upsales_emulator,
)
from upsales_freshdesk.emulators.upsales.outbox import httpx_sender

HOOK = "https://ufd.example.com/v1/webhooks/upsales/hook-secret-0123456789abcdefghijklmnop"


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records each call; answers the scripted statuses in turn, then 202."""

    calls: list[Call] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            self.calls.append(Call(request.method, request.url.path, dict(request.headers), body))
            status = self.statuses.pop(0) if self.statuses else 202
            return JSONResponse({"ok": status < 300}, status_code=status)

        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", hook, methods=methods)])


@dataclass
class Hooked:
    emu: UpsalesEmulator
    api: httpx.AsyncClient
    receiver: Receiver
    sleeps: RecordingSleep

    async def trigger(self, events: list[str], body: str, **extra: Any) -> dict[str, Any]:
        """A trigger with one ``SendWebRequest`` to :data:`HOOK`, through the API."""
        props = {"URL": HOOK, "Method": "POST", "ContentType": "application/json", "Body": body}
        props.update(extra.pop("props", {}))
        sent = {
            "name": extra.pop("name", "test trigger"),
            "events": events,
            "actions": [
                {
                    "alias": "SendWebRequest",
                    "properties": [{"name": k, "value": v} for k, v in props.items()],
                }
            ],
            **extra,
        }
        resp = await self.api.post("/api/v2/triggers", json=sent)
        assert resp.status_code == 200, resp.text
        made: dict[str, Any] = resp.json()["data"]
        return made


@pytest.fixture
async def hooked() -> AsyncIterator[Hooked]:
    """The emulator, a client of its API, and its triggers' calls going to a receiver."""
    emu = create_upsales_emulator()
    receiver, sleeps = Receiver(), RecordingSleep()
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.app())) as out,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=emu),
            base_url="http://testserver",
            cookies={"token": DEFAULT_TOKEN},
        ) as api,
    ):
        emu.store.webhooks.sender = httpx_sender(out)
        emu.store.webhooks.sleep = sleeps
        yield Hooked(emu, api, receiver, sleeps)
        emu.store.webhooks.clear()
