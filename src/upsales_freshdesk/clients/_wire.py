"""The wire under the HTTP core: how bytes reach an upstream and come back.

- :class:`~._reqwest.ReqwestWire` for real upstreams (what :func:`new_wire` makes):
  pyreqwest, whose HTTP work runs off the event loop's thread.
- :class:`AiohttpWire`, the wire real upstreams used before: aiohttp's sockets, no cookie
  jar (one pool serves many tenants), no redirects, decompression inside the size cap.
  ``bench/transport.py`` measures it beside the others.
- :class:`HttpxWire` for anything given as an ``httpx`` transport: the emulators
  in-process (``httpx.ASGITransport``) and other fakes.

``bench/transport.py``: at 50 calls at once, aiohttp costs about a quarter of the CPU of
httpx over aiohttp and a twentieth of plain httpx, all of it on the event loop's thread;
pyreqwest costs a little more in all but two thirds of aiohttp's on that thread. Every
wire answers the same :class:`RawAnswer` and fails with the same five exceptions, so the
core has one path.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Self

import aiohttp
import httpx

Params = Mapping[str, str | int] | Sequence[tuple[str, str | int]]
CHUNK = 64 * 1024
LINK_RE = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";,]+)"?')


class WireRefused(Exception):
    """The connection never opened: the request surely did not reach the server."""


class WireLost(Exception):
    """The connection broke after the request was sent: it may have arrived."""


class WireTimeout(Exception):
    """No (complete) answer in time."""


class WireTruncated(Exception):
    """The answer ended before its body did."""


class WireTooLarge(Exception):
    """The answer is over the size cap (declared, or as it was read)."""


@dataclass(frozen=True, slots=True)
class RawAnswer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def links(self) -> dict[str, dict[str, str]]:
        """The ``Link`` header by relation: ``{"next": {"url": ...}}``."""
        raw = self.headers.get("link", "")
        return {rel: {"url": url, "rel": rel} for url, rel in LINK_RE.findall(raw)}


class Wire(Protocol):
    """One upstream's pool; ``async with`` closes it."""

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        params: Params | None,
        headers: Mapping[str, str],
        json_body: Any,
        cap: int,
        time_left: float | None = None,
    ) -> RawAnswer:
        """One call. ``time_left``: the seconds the whole exchange may take, head and body
        (the call's deadline), beside the wire's own connect and read timeouts; past it
        the call fails as :class:`WireTimeout`."""
        ...

    async def aclose(self) -> None: ...

    async def __aenter__(self) -> Wire: ...

    async def __aexit__(self, *exc: object) -> None: ...


class _Closing:
    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


@dataclass(frozen=True, slots=True)
class WireSettings:
    connect_timeout: float
    read_timeout: float
    max_connections: int


def out_of_time(time_left: float | None) -> None:
    """No time left: the call fails before it is sent (an ``asyncio.timeout(0)`` would
    let a call that never yields, to an in-process fake, through)."""
    if time_left is not None and time_left <= 0:
        raise WireTimeout


def declared_length(value: str | None) -> int | None:
    """A ``Content-Length`` header's value, or None when absent or not a number."""
    return int(value) if value and value.isdigit() else None


async def read_capped(chunks: AsyncIterable[bytes], cap: int, declared: int | None) -> bytes:
    """A body, decoded, refused (:class:`WireTooLarge`) when its declared length passes
    ``cap``, or as soon as what was read does: a decompression bomb stops at the cap."""
    if declared is not None and declared > cap:
        raise WireTooLarge
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise WireTooLarge
        parts.append(chunk)
    return b"".join(parts)


class AiohttpWire(_Closing):
    """Real upstreams. The session is made in the running loop on first use."""

    def __init__(self, settings: WireSettings) -> None:
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            s = self.settings
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=s.max_connections, keepalive_timeout=30),
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=s.connect_timeout, sock_read=s.read_timeout
                ),
                cookie_jar=aiohttp.DummyCookieJar(),  # never carry one tenant's cookies
                trust_env=False,
            )
        return self._session

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        params: Params | None,
        headers: Mapping[str, str],
        json_body: Any,
        cap: int,
        time_left: float | None = None,
    ) -> RawAnswer:
        out_of_time(time_left)
        data = None
        sent = dict(headers)
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        try:
            async with (
                asyncio.timeout(time_left),
                self._client().request(
                    method, url, params=params, headers=sent, data=data, allow_redirects=False
                ) as resp,
            ):
                return await self._read(resp, cap)
        except aiohttp.ClientPayloadError:
            raise WireTruncated from None
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise WireTimeout from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, TimeoutError):
                raise WireTimeout from None
            raise WireRefused from None
        except (aiohttp.ClientError, OSError):
            raise WireLost from None

    @staticmethod
    async def _read(resp: aiohttp.ClientResponse, cap: int) -> RawAnswer:
        body = await read_capped(resp.content.iter_chunked(CHUNK), cap, resp.content_length)
        headers = {k.lower(): v for k, v in resp.headers.items()}
        return RawAnswer(resp.status, headers, body)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class HttpxWire(_Closing):
    """Any ``httpx`` transport: the emulators in-process, and other fakes."""

    def __init__(self, settings: WireSettings, transport: httpx.AsyncBaseTransport) -> None:
        limits = httpx.Limits(max_connections=settings.max_connections)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            limits=limits,
            follow_redirects=False,
            transport=transport,
            trust_env=False,
        )

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        params: Params | None,
        headers: Mapping[str, str],
        json_body: Any,
        cap: int,
        time_left: float | None = None,
    ) -> RawAnswer:
        out_of_time(time_left)
        kwargs: dict[str, Any] = {"params": params, "headers": dict(headers)}
        if json_body is not None:
            kwargs["json"] = json_body
        try:
            async with (
                asyncio.timeout(time_left),
                self._client.stream(method, url, **kwargs) as resp,
            ):
                self._client.cookies.clear()  # as the real wire: no cookie jar
                return await self._read(resp, cap)
        except (httpx.TimeoutException, TimeoutError):
            raise WireTimeout from None
        except (httpx.ConnectError, ConnectionRefusedError):
            raise WireRefused from None
        except (httpx.TransportError, OSError):
            raise WireLost from None

    @staticmethod
    async def _read(resp: httpx.Response, cap: int) -> RawAnswer:
        headers = {k.lower(): v for k, v in resp.headers.items()}
        declared = declared_length(headers.get("content-length"))
        try:
            body = await read_capped(resp.aiter_bytes(), cap, declared)
        except (httpx.TransportError, OSError):
            raise WireTruncated from None
        encoded = headers.get("content-encoding", "identity") != "identity"
        if declared is not None and not encoded and len(body) < declared:
            raise WireTruncated
        return RawAnswer(resp.status_code, headers, body)

    async def aclose(self) -> None:
        await self._client.aclose()


def new_wire(settings: Any, transport: httpx.AsyncBaseTransport | None = None) -> Wire:
    """aiohttp sockets for real upstreams; ``transport`` (a fake) when given."""
    wire_settings = WireSettings(
        settings.connect_timeout, settings.read_timeout, settings.max_connections
    )
    if transport is not None:
        return HttpxWire(wire_settings, transport)
    from ._reqwest import ReqwestWire  # it builds on this module

    return ReqwestWire(wire_settings)
