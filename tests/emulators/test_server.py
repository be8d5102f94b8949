"""The emulators on real sockets (uvicorn): faults that only a real connection shows."""

from __future__ import annotations

import asyncio
import base64
import socket
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest

from tests.support.faults import connection_reset, hanging
from tests.support.served import answered_while_the_loop_is_busy, serving
from upsales_freshdesk.clients import (
    ConnectionFailedError,
    Deadline,
    FreshdeskClient,
    MalformedResponseError,
    RetryPolicy,
    ThrottleRegistry,
    UpstreamTimeoutError,
)
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import FreshdeskEmulator
from upsales_freshdesk.emulators.server import ArrivalStampingProtocol, EmulatorConfig, build


@pytest.fixture
async def served() -> AsyncIterator[tuple[FreshdeskEmulator, str]]:
    freshdesk, _ = build(EmulatorConfig())
    async with serving(freshdesk) as url:
        yield freshdesk, f"{url}/api/v2/"
        freshdesk.faults.clear()  # lets any hung request go


def client(base: str, policy: RetryPolicy) -> FreshdeskClient:
    return FreshdeskClient(
        "demo", "demo-freshdesk-key", base_url=base, policy=policy, registry=ThrottleRegistry()
    )


#: Company 901's contacts in the seed-1 book, oldest-updated first (as Freshdesk lists).
COMPANY_901_CONTACTS = [43026449046, 43026449000, 43026449123, 43026449210]


async def test_a_real_round_trip(
    served: tuple[FreshdeskEmulator, str], policy: RetryPolicy
) -> None:
    emu, base = served
    async with client(base, policy) as c:
        ids = [x.id async for x in c.contacts.list(company_id=901, per_page=1)]
    assert ids == COMPANY_901_CONTACTS
    # One call per page of one contact; the last page has no "next" link.
    assert emu.stats.by_route == {"GET /api/v2/contacts": len(COMPANY_901_CONTACTS)}


@pytest.mark.parametrize(
    ("fault", "error", "reason"),
    [
        ({"reset": True}, ConnectionFailedError, None),
        ({"truncated": True}, MalformedResponseError, "truncated"),
        ({"malformed": True}, MalformedResponseError, "not_json"),
    ],
)
async def test_socket_level_faults(
    served: tuple[FreshdeskEmulator, str],
    policy: RetryPolicy,
    fault: dict[str, Any],
    error: type[Exception],
    reason: str | None,
) -> None:
    emu, base = served
    emu.faults.set(Faults.model_validate(fault))
    async with client(base, policy) as c:
        with pytest.raises(error) as err:
            await c.agents.me()
    assert getattr(err.value, "reason", None) == reason


async def test_hang_and_drip_end_at_the_deadline(
    served: tuple[FreshdeskEmulator, str], policy: RetryPolicy
) -> None:
    emu, base = served
    async with client(base, policy) as c:
        emu.faults.set(hanging(20))
        with pytest.raises(UpstreamTimeoutError):
            await c.agents.me(deadline=Deadline.after(0.3))
        emu.faults.set(Faults(drip={"chunk_bytes": 4, "interval_ms": 100}))
        with pytest.raises(UpstreamTimeoutError):
            await c.agents.me(deadline=Deadline.after(0.3))


def test_the_emulators_refuse_to_leave_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmulatorConfig(host="0.0.0.0")  # noqa: S104 - the point of the test


async def test_a_post_whose_connection_is_lost_is_not_sent_again(
    served: tuple[FreshdeskEmulator, str], policy: RetryPolicy
) -> None:
    """A reset after sending may mean the create arrived: one POST, and the error says so."""
    emu, base = served
    emu.faults.set(connection_reset())
    async with client(base, policy) as c:
        with pytest.raises(ConnectionFailedError) as err:
            await c.contacts.create({"name": "Once", "email": "once@example.com"})
    assert err.value.sent is True
    assert emu.stats.by_route == {"POST /api/v2/contacts": 1}


async def test_a_refused_connection_is_known_not_to_have_arrived(policy: RetryPolicy) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        async with client(f"http://127.0.0.1:{port}/api/v2/", policy) as c:
            with pytest.raises(ConnectionFailedError) as err:
                await c.contacts.create({"name": "Never", "email": "never@example.com"})
    assert err.value.sent is False


async def test_the_server_notes_when_each_request_arrived() -> None:
    """The emulators' own server stamps each request's arrival in the scope: the latency
    counts from there, not from when a busy event loop got to the request."""
    from upsales_freshdesk.emulators.faults import ARRIVED
    from upsales_freshdesk.emulators.server import ArrivalStampingProtocol

    seen: list[float] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(asyncio.get_running_loop().time() - scope[ARRIVED])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async with serving(app, http=ArrivalStampingProtocol) as url, httpx.AsyncClient() as http:
        for _ in range(2):  # a new connection, then a kept-alive one
            assert (await http.get(f"{url}/")).status_code == 204
    assert len(seen) == 2
    assert all(waited >= 0 for waited in seen)  # stamped before the app saw the request


async def test_the_latency_counts_from_the_noted_arrival() -> None:
    """A request that arrived a latency ago is answered at once; without a stamp (served
    in-process) the latency starts when the emulator takes the request."""
    from upsales_freshdesk.emulators.faults import ARRIVED

    freshdesk, _ = build(EmulatorConfig(latency_ms=30_000))
    auth = b"Basic " + base64.b64encode(b"demo-freshdesk-key:X")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/api/v2/contacts/{COMPANY_901_CONTACTS[0]}",
        "raw_path": b"",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"demo.freshdesk.com"), (b"authorization", auth)],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    arrived = {**scope, ARRIVED: asyncio.get_running_loop().time() - 30}
    await asyncio.wait_for(freshdesk(arrived, receive, send), 5)
    assert sent[0]["status"] == 200
    with pytest.raises(TimeoutError):  # no stamp: the 30 s start now
        await asyncio.wait_for(freshdesk(scope, receive, send), 0.2)


def test_an_emulated_answer_leaves_when_it_is_sent() -> None:
    """At its latency, not when the emulator's busy turn ends (fifty cards' calls share it)."""
    assert answered_while_the_loop_is_busy(ArrivalStampingProtocol)
