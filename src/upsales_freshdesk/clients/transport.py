"""How a call's bytes reach an upstream and come back.

- :class:`AiohttpWire` for real upstreams: aiohttp's connection pool, with no cookie
  jar (one pool serves many tenants), no redirects, no proxy or certificates from the
  environment, and decompression inside the size cap.
- :class:`HttpxWire` for anything given as an ``httpx`` transport: the emulators
  in-process (``httpx.ASGITransport``: the demo, tests) and other fakes.

Both answer the same :class:`RawAnswer`, read only up to a size cap, and fail with the
same five exceptions, so the core has one path. Why aiohttp and not httpx's own pool
for real upstreams: ``docs/performance.md`` (``bench/transport.py``).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Protocol, Self
from urllib.parse import urlencode

import aiohttp
import httpx
import yarl

Params = Mapping[str, str | int] | Sequence[tuple[str, str | int]]
CHUNK = 64 * 1024
LINK_RE = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";,]+)"?')
USER_AGENT = "upsales-freshdesk"
#: A pooled connection idle this long is closed.
IDLE_SECONDS = 30.0
#: Only what the core decodes inside its size cap (the libraries would also offer brotli
#: or zstd when those packages happen to be installed).
ACCEPT_ENCODING = "gzip, deflate"
DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING}


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
        the call fails as :class:`WireTimeout`, and with none left it is not sent at all."""
        ...

    async def aclose(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...


@dataclass(frozen=True, slots=True)
class WireSettings:
    connect_timeout: float
    read_timeout: float
    max_connections: int


class _Closing:
    """What both wires share: the call's preparation (time left, query, body), then the
    library's own send, which maps its errors to the wire's."""

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
        _out_of_time(time_left)
        content, sent = _body(json_body, headers)
        return await self._send(method, _with_query(url, params), sent, content, cap, time_left)

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
        cap: int,
        time_left: float | None,
    ) -> RawAnswer:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class AiohttpWire(_Closing):
    """Real upstreams. The session is made in the running loop on first use."""

    def __init__(self, settings: WireSettings) -> None:
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            s = self.settings
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=s.max_connections, keepalive_timeout=IDLE_SECONDS
                ),
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=s.connect_timeout, sock_read=s.read_timeout
                ),
                headers=DEFAULT_HEADERS,
                cookie_jar=aiohttp.DummyCookieJar(),  # never carry one tenant's cookies
                trust_env=False,
            )
        return self._session

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
        cap: int,
        time_left: float | None,
    ) -> RawAnswer:
        try:
            async with (
                asyncio.timeout(time_left),
                self._client().request(
                    # as encoded here: yarl would otherwise decode a query's %3A and %40
                    method,
                    yarl.URL(url, encoded=True),
                    headers=headers,
                    data=content,
                    allow_redirects=False,
                ) as resp,
            ):
                return await self._read(resp, cap)
        except aiohttp.ClientPayloadError:  # the head came, the body broke off
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
        body = await _read_capped(resp.content.iter_chunked(CHUNK), cap, resp.content_length)
        return RawAnswer(resp.status, _headers(resp.headers.items()), body)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class HttpxWire(_Closing):
    """Any ``httpx`` transport: the emulators in-process, and other fakes."""

    def __init__(self, settings: WireSettings, transport: httpx.AsyncBaseTransport) -> None:
        self._client = httpx.AsyncClient(
            headers=DEFAULT_HEADERS,
            cookies=_no_cookies(),
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=False,
            transport=transport,
            trust_env=False,
        )

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
        cap: int,
        time_left: float | None,
    ) -> RawAnswer:
        try:
            async with (
                asyncio.timeout(time_left),
                self._client.stream(method, url, headers=headers, content=content) as resp,
            ):
                return await self._read(resp, cap)
        except (httpx.TimeoutException, TimeoutError):
            raise WireTimeout from None
        except (httpx.ConnectError, ConnectionRefusedError):
            raise WireRefused from None
        except (httpx.TransportError, OSError):
            raise WireLost from None

    @staticmethod
    async def _read(resp: httpx.Response, cap: int) -> RawAnswer:
        headers = _headers(resp.headers.multi_items())
        declared = _declared_length(headers.get("content-length"))
        try:
            body = await _read_capped(resp.aiter_bytes(), cap, declared)
        except httpx.TimeoutException:
            raise WireTimeout from None
        except (httpx.TransportError, httpx.DecodingError, OSError):
            raise WireTruncated from None
        encoded = headers.get("content-encoding", "identity") != "identity"
        if declared is not None and not encoded and len(body) < declared:
            raise WireTruncated  # a fake's stream can end short without an error
        return RawAnswer(resp.status_code, headers, body)

    async def aclose(self) -> None:
        await self._client.aclose()


def new_wire(settings: WireSettings, transport: httpx.AsyncBaseTransport | None = None) -> Wire:
    """aiohttp's pool for real upstreams; ``transport`` (a fake) when given."""
    if transport is not None:
        return HttpxWire(settings, transport)
    return AiohttpWire(settings)


def _out_of_time(time_left: float | None) -> None:
    """No time left: the call fails before it is sent (``asyncio.timeout(0)`` would let a
    call to an in-process fake that never yields through)."""
    if time_left is not None and time_left <= 0:
        raise WireTimeout


def _with_query(url: str, params: Params | None) -> str:
    """``params`` after any query ``url`` has (a next page's): httpx's ``params=`` would
    replace that query, so both wires encode it here, the same way."""
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(params)


def _body(json_body: Any, headers: Mapping[str, str]) -> tuple[bytes | None, dict[str, str]]:
    sent = dict(headers)
    if json_body is None:
        return None, sent
    sent["Content-Type"] = "application/json"
    return json.dumps(json_body).encode(), sent


def _no_cookies() -> CookieJar:
    """A jar that keeps nothing: a cookie one tenant's answer sets never goes out with
    another's call (the clients send their own ``Cookie`` header)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


async def _read_capped(chunks: AsyncIterable[bytes], cap: int, declared: int | None) -> bytes:
    """A body, decoded, refused (:class:`WireTooLarge`) when its declared length passes
    ``cap``, before any of it is read, or as soon as what was read does: a decompression
    bomb stops at the cap."""
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


def _headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-case names. A repeated header keeps its last value, except ``Link``, whose
    values are joined (a page's relations may come in several)."""
    headers: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key == "link" and key in headers:
            headers[key] += ", " + value
        else:
            headers[key] = value
    return headers


def _declared_length(value: str | None) -> int | None:
    """A ``Content-Length`` header's value, or None when absent or not a number."""
    return int(value) if value and value.isdigit() else None
