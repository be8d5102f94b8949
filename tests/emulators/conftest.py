"""The Freshdesk emulator with its webhooks delivered in-process to a recording receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.sleeps import RecordingSleep
from upsales_freshdesk.emulators.freshdesk.app import (
    DEFAULT_KEY,
    FreshdeskEmulator,
    create_freshdesk_emulator,
)
from upsales_freshdesk.emulators.freshdesk.webhooks import httpx_sender


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook endpoint: records each call, answers the scripted statuses in turn
    (then 200)."""

    calls: list[Call] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.calls.append(
                Call(request.method, request.url.path, dict(request.headers), await request.body())
            )
            status = self.statuses.pop(0) if self.statuses else 200
            return JSONResponse({"ok": status < 300}, status_code=status)

        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", hook, methods=methods)])


@dataclass
class Hooked:
    emu: FreshdeskEmulator
    api: httpx.AsyncClient
    receiver: Receiver
    sleeps: RecordingSleep


@pytest.fixture
async def hooked() -> AsyncIterator[Hooked]:
    """The emulator, a client of its API, and its webhooks going to a receiver."""
    emu = create_freshdesk_emulator(domain="acme")
    receiver, sleeps = Receiver(), RecordingSleep()
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.app())) as out,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=emu), base_url="http://t", auth=(DEFAULT_KEY, "X")
        ) as api,
    ):
        emu.store.webhooks.sender = httpx_sender(out)
        emu.store.webhooks.sleep = sleeps
        yield Hooked(emu, api, receiver, sleeps)
        emu.store.webhooks.clear()
