"""The wire for real upstreams (aiohttp), against a real socket: what it must not do for
one tenant on behalf of another, and how its failures are told apart."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.served import serving
from upsales_freshdesk.clients.transport import (
    AiohttpWire,
    WireLost,
    WireRefused,
    WireSettings,
    WireTimeout,
    WireTooLarge,
    WireTruncated,
)
from upsales_freshdesk.web.launch import free_port

SETTINGS = WireSettings(connect_timeout=2.0, read_timeout=0.5, max_connections=10)
seen: list[dict[str, Any]] = []


async def app(scope: Any, receive: Any, send: Any) -> None:
    """Answers by path; notes what each request carried."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = {k.decode(): v.decode() for k, v in scope["headers"]}
    seen.append({"path": scope["path"], "query": scope["query_string"], "headers": headers})
    path = scope["path"]
    if path == "/slow":
        await asyncio.sleep(2)
    if path == "/drip":  # a byte every 0.1 s for 3 s: each well inside the read timeout
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(30):
            await send({"type": "http.response.body", "body": b"x", "more_body": True})
            await asyncio.sleep(0.1)
        await send({"type": "http.response.body", "body": b""})
        return
    status, extra, answer = 200, [], json.dumps({"body": body.decode()}).encode()
    if path == "/redirect":
        status, extra = 302, [(b"location", b"http://169.254.169.254/latest")]
    elif path == "/cookie":
        extra = [(b"set-cookie", b"session=tenant-a; Path=/")]
    elif path == "/big":
        answer = b"x" * 5000
    elif path == "/link":
        extra = [
            (b"link", b'<https://x.example/api/v2/contacts?page=1>; rel="prev"'),
            (b"X-Request-Id", b"first"),
            (b"link", b'<https://x.example/api/v2/contacts?page=2>; rel="next"'),
            (b"X-Request-Id", b"last"),
        ]
    await send({"type": "http.response.start", "status": status, "headers": extra})
    await send({"type": "http.response.body", "body": answer})


@pytest.fixture
async def base() -> AsyncIterator[str]:
    seen.clear()
    async with serving(app) as url:
        yield url


async def _get(wire: AiohttpWire, url: str, cap: int = 1 << 20, **kw: Any) -> Any:
    return await wire.exchange(
        kw.pop("method", "GET"),
        url,
        params=kw.pop("params", None),
        headers=kw.pop("headers", {"Accept": "application/json"}),
        json_body=kw.pop("json_body", None),
        cap=cap,
        time_left=kw.pop("time_left", None),
    )


async def test_a_redirect_is_answered_not_followed(base: str) -> None:
    async with AiohttpWire(SETTINGS) as wire:
        answer = await _get(wire, f"{base}/redirect")
    assert answer.status == 302
    assert [s["path"] for s in seen] == ["/redirect"]  # nothing went to the metadata address


async def test_no_cookie_is_carried_to_the_next_call(base: str) -> None:
    async with AiohttpWire(SETTINGS) as wire:
        await _get(wire, f"{base}/cookie")
        await _get(wire, f"{base}/after")
    assert "cookie" not in seen[1]["headers"]


async def test_a_proxy_in_the_environment_is_not_used(
    base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with AiohttpWire(SETTINGS) as wire:
        answer = await _get(wire, f"{base}/direct")
    assert answer.status == 200


async def test_query_headers_and_json_body_arrive_as_sent(base: str) -> None:
    async with AiohttpWire(SETTINGS) as wire:
        answer = await _get(
            wire,
            f"{base}/contacts",
            method="POST",
            params=[("email", "eq:astrid.lindqvist@nordvind.example"), ("limit", 10)],
            headers={"Accept": "application/json", "Cookie": "token=t1"},
            json_body={"name": "Åsa Öberg"},
        )
    got = seen[0]
    assert got["query"] == b"email=eq%3Aastrid.lindqvist%40nordvind.example&limit=10"
    assert got["headers"]["cookie"] == "token=t1"
    assert got["headers"]["content-type"] == "application/json"
    assert json.loads(json.loads(answer.body)["body"]) == {"name": "Åsa Öberg"}


async def test_headers_come_back_lower_case_with_the_link(base: str) -> None:
    async with AiohttpWire(SETTINGS) as wire:
        answer = await _get(wire, f"{base}/link")
    assert answer.links["next"]["url"] == "https://x.example/api/v2/contacts?page=2"
    assert answer.links["prev"]["url"] == "https://x.example/api/v2/contacts?page=1"
    assert answer.headers["x-request-id"] == "last"  # a repeated header keeps its last value


async def test_params_join_a_query_the_url_already_has(base: str) -> None:
    async with AiohttpWire(SETTINGS) as wire:
        await _get(wire, f"{base}/contacts?page=2", params={"per_page": 100, "q": "a b&c"})
    assert seen[0]["query"] == b"page=2&per_page=100&q=a+b%26c"


async def test_an_answer_over_the_cap_is_refused(base: str) -> None:
    async with AiohttpWire(SETTINGS) as wire:
        with pytest.raises(WireTooLarge):
            await _get(wire, f"{base}/big", cap=1000)
        assert (await _get(wire, f"{base}/big", cap=5000)).body == b"x" * 5000


async def test_a_silent_upstream_times_out(base: str) -> None:
    async with AiohttpWire(SETTINGS) as wire:
        with pytest.raises(WireTimeout):
            await _get(wire, f"{base}/slow")


async def test_a_drip_ends_at_the_time_left(base: str) -> None:
    """The call's deadline is kept by the wire, head and body: a body that trickles in
    (never silent for the read timeout) still ends at it."""
    async with AiohttpWire(SETTINGS) as wire:
        started = time.monotonic()
        with pytest.raises(WireTimeout):
            await _get(wire, f"{base}/drip", time_left=0.4)
        assert time.monotonic() - started < 2  # not the 3 s the body takes
        with pytest.raises(WireTimeout):
            await _get(wire, f"{base}/x", time_left=0)  # no time left: not sent at all
        assert (await _get(wire, f"{base}/x", time_left=5)).status == 200


ENDS_AFTER_CUT_CONNECTS = """
import asyncio, socket
from upsales_freshdesk.clients.transport import AiohttpWire, WireSettings, WireTimeout

async def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held = []
    for _ in range(4):  # a full backlog: a new connect hangs
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        held.append(s)
    for _ in range(3):
        async with AiohttpWire(WireSettings(5.0, 5.0, 10)) as wire:
            try:
                await wire.exchange("GET", f"http://127.0.0.1:{port}/x", params=None,
                                    headers={}, json_body=None, cap=1000, time_left=0.2)
            except WireTimeout:
                pass

asyncio.run(main())
"""


def test_a_process_that_ends_right_after_a_cut_connect_exits_cleanly() -> None:
    """A process that ends the moment a connect was cut off by the time left exits
    cleanly: nothing of the call runs on behind it (in a library's thread, say)."""
    for _ in range(6):
        done = subprocess.run(
            [sys.executable, "-c", ENDS_AFTER_CUT_CONNECTS], capture_output=True, timeout=30
        )
        assert done.returncode == 0, done.stderr.decode()[-500:]


async def test_a_closed_port_is_refused_and_known_not_sent() -> None:
    async with AiohttpWire(SETTINGS) as wire:
        with pytest.raises(WireRefused):
            await _get(wire, f"http://127.0.0.1:{free_port()}/x")


async def test_a_body_cut_short_is_truncated() -> None:
    """A server that declares 100 bytes, sends 10 and closes."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with AiohttpWire(SETTINGS) as wire:
            with pytest.raises(WireTruncated):
                await _get(wire, f"http://127.0.0.1:{port}/x")
    finally:
        server.close()
        await server.wait_closed()


async def _raw_server(answer: bytes, *, stall: bool = False) -> tuple[asyncio.Server, int]:
    """A server that reads one request's head and sends ``answer`` as it is."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        if stall:
            await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_connection_closed_after_the_request_is_lost_not_refused() -> None:
    """The request went out and the server hung up without an answer: it may have
    arrived, so it is not reported as never sent."""
    server, port = await _raw_server(b"")
    try:
        async with AiohttpWire(SETTINGS) as wire:
            with pytest.raises(WireLost):
                await _get(wire, f"http://127.0.0.1:{port}/x", method="POST", json_body={})
    finally:
        server.close()
        await server.wait_closed()


async def test_a_body_that_stalls_past_the_read_timeout_times_out() -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789"
    server, port = await _raw_server(head, stall=True)
    try:
        async with AiohttpWire(SETTINGS) as wire:
            started = time.monotonic()
            with pytest.raises(WireTimeout):  # silent for the read timeout: not truncated
                await _get(wire, f"http://127.0.0.1:{port}/x")
            assert time.monotonic() - started < 3
    finally:
        server.close()
        await server.wait_closed()


async def test_a_header_that_is_not_text_does_not_lose_a_created_answer() -> None:
    head = b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\nx-name: \xc5sa\r\nlink: <a>; rel=x\r\n"
    server, port = await _raw_server(head + b"link: <b>; rel=next\r\n\r\n{}")
    try:
        async with AiohttpWire(SETTINGS) as wire:
            answer = await _get(wire, f"http://127.0.0.1:{port}/x", method="POST", json_body={})
    finally:
        server.close()
        await server.wait_closed()
    assert (answer.status, answer.body) == (201, b"{}")
    assert answer.links["next"]["url"] == "b"  # both Link headers are read


async def test_a_declared_length_over_the_cap_is_refused_before_any_body() -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-length: 10000000000\r\n\r\n" + b"x" * 100
    server, port = await _raw_server(head, stall=True)
    try:
        async with AiohttpWire(SETTINGS) as wire:
            with pytest.raises(WireTooLarge):  # not a timeout while the body stalls
                await _get(wire, f"http://127.0.0.1:{port}/x", cap=1000)
    finally:
        server.close()
        await server.wait_closed()


async def test_only_gzip_and_deflate_are_offered(base: str) -> None:
    async with AiohttpWire(SETTINGS) as wire:
        await _get(wire, f"{base}/x")
    offered = {e.strip() for e in seen[0]["headers"]["accept-encoding"].split(",")}
    assert offered == {"gzip", "deflate"}
