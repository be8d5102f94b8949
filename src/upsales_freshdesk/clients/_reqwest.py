"""The wire for real upstreams: pyreqwest (Rust's reqwest and hyper under Python).

The HTTP work (pooling, writing, parsing, decompressing) runs in the library's own
threads, so the event loop's thread spends about half the CPU per call that aiohttp's
did (``bench/transport.py``). With fifty cards at once every card waits behind that
thread, so this is what brings the burst near the critical path (``bench/card.py``).

As :class:`~._wire.AiohttpWire` did: no cookie jar (one pool serves many tenants), no
redirects, no proxy from the environment, decompression inside the size cap, and the
same five failures.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from pyreqwest.client import Client, ClientBuilder
from pyreqwest.exceptions import (
    BodyDecodeError,
    ConnectError,
    ConnectTimeoutError,
    DetailedPyreqwestError,
    PyreqwestError,
    ReadError,
    RequestTimeoutError,
)
from pyreqwest.request import RequestBuilder
from pyreqwest.response import Response

from ._wire import (
    Params,
    RawAnswer,
    WireLost,
    WireRefused,
    WireSettings,
    WireTimeout,
    WireTruncated,
    _Closing,
    declared_length,
    out_of_time,
    read_capped,
)

USER_AGENT = "upsales-freshdesk"
#: A pooled connection idle this long is closed (as aiohttp's keep-alive of 30 s).
IDLE_SECONDS = 30
#: After a call ended by its time left, closing waits this long. pyreqwest finishes
#: dropping a cut-off connect in its own thread a moment later; if the interpreter is
#: already finalising then (a CLI that exits at once), the process aborts ("Fatal
#: Python error: PyGILState_Release"), about one run in two in a test. 10 ms sufficed.
LINGER_SECONDS = 0.1


class ReqwestWire(_Closing):
    """Real upstreams. The client is made on first use."""

    def __init__(self, settings: WireSettings) -> None:
        self.settings = settings
        self._client: Client | None = None
        self._cut_short = False  # a call was ended by its time left

    def _made(self) -> Client:
        if self._client is None:
            s = self.settings
            self._client = (
                ClientBuilder()
                .max_connections(s.max_connections)
                .connect_timeout(timedelta(seconds=s.connect_timeout))
                .read_timeout(timedelta(seconds=s.read_timeout))
                .pool_idle_timeout(timedelta(seconds=IDLE_SECONDS))
                .follow_redirects(False)
                .default_cookie_store(False)
                .no_proxy()
                .gzip(True)
                .deflate(True)
                .brotli(False)  # only what aiohttp's wire offered: gzip and deflate
                .zstd(False)
                .user_agent(USER_AGENT)
                .build()
            )
        return self._client

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
        if params:
            # Encoded here (form encoding, as the builder's ``query`` does): that costs
            # the event loop's thread a quarter of what ``query`` did.
            url += ("&" if "?" in url else "?") + urlencode(params)
        builder = (
            self._made()
            .request(method, url)
            .headers(dict(headers))
            # The head alone, before any of the body: a declared length over the cap is
            # refused at once, not after up to 64 KiB (or a stall) has been read.
            .streamed_read_buffer_limit(0)
        )
        if time_left is not None:
            # Kept by reqwest from connecting to the body's last byte, off the event loop:
            # an ``asyncio.timeout`` per call cost the loop's thread about 7 % of a card.
            builder = builder.timeout(timedelta(seconds=time_left))
        if json_body is not None:
            builder = builder.header("Content-Type", "application/json")
            builder = builder.body_bytes(json.dumps(json_body).encode())
        try:
            return await _sent(builder, cap)
        except WireTimeout:  # connecting, the head or the body outlasted the time left
            self._cut_short = True
            raise

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
            if self._cut_short:
                await asyncio.sleep(LINGER_SECONDS)


async def _sent(builder: RequestBuilder, cap: int) -> RawAnswer:
    """The exchange, its failures told apart as the core's five."""
    try:
        async with builder.build_streamed() as resp:
            return await _read(resp, cap)
    except ConnectTimeoutError:  # also when a sent request's head never came: not "refused"
        raise WireTimeout from None
    except ConnectError as exc:
        # pyreqwest says "connect error" also for a connection closed after the request
        # went out: only hyper's connect stage means it surely did not arrive.
        raise (WireRefused if _never_sent(exc) else WireLost) from None
    except RequestTimeoutError:
        raise WireTimeout from None
    except (ReadError, BodyDecodeError):  # the head came, the body broke off
        raise WireTruncated from None
    except (PyreqwestError, OSError):
        raise WireLost from None


#: hyper's error for a failure while connecting (refused, DNS), before anything was sent.
CONNECT_STAGE = "client error (Connect)"


def _never_sent(exc: DetailedPyreqwestError) -> bool:
    causes = exc.details.get("causes") or []
    return any(cause.get("message") == CONNECT_STAGE for cause in causes)


def _headers(resp: Response) -> dict[str, str]:
    """Lower-case names. A repeated header keeps its last value (as aiohttp's wire did),
    except ``Link``, whose values are joined; a value that is not text is left out (it
    would not decode, and nothing here reads one)."""
    try:
        pairs = list(resp.headers.items())  # one pass; fails whole on a value not text
    except ValueError:
        pairs = _text_pairs(resp)
    headers: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key == "link" and key in headers:
            headers[key] += ", " + value
        else:
            headers[key] = value
    return headers


def _text_pairs(resp: Response) -> list[tuple[str, str]]:
    """The headers name by name, leaving out a name with a value that is not text."""
    pairs: list[tuple[str, str]] = []
    for name in dict.fromkeys(resp.headers.keys()):
        try:
            pairs += [(name, value) for value in resp.headers.getall(name)]
        except ValueError:
            continue
    return pairs


async def _read(resp: Response, cap: int) -> RawAnswer:
    headers = _headers(resp)
    declared = declared_length(headers.get("content-length"))
    try:
        body = await read_capped(_chunks(resp), cap, declared)
    except RequestTimeoutError:
        raise WireTimeout from None
    except PyreqwestError:
        raise WireTruncated from None
    return RawAnswer(resp.status, headers, body)


async def _chunks(resp: Response) -> AsyncIterator[bytes]:
    reader = resp.body_reader
    while (chunk := await reader.read_chunk()) is not None:
        yield bytes(chunk)
