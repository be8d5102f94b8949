"""How ``serve`` runs uvicorn: uvloop and httptools, a header read timeout, a
connection cap, small headers.

uvicorn has a keep-alive timeout but none for a client that sends its request headers
slowly, so fifty slow sockets could hold the server. The guarded protocols close a
connection whose request headers are not complete ``UFD_HEADER_TIMEOUT_SECONDS`` after
it opened (or after the previous answer). The body's own time limit is ``BodyLimit``'s.
httptools parses faster than h11 (``bench/card.py`` measures the CPU per card); the h11
protocol stays for platforms without httptools. Both send each answer when it is written
(``PromptWrites``).
"""

from __future__ import annotations

import asyncio
from importlib.util import find_spec
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..settings import Settings, get_settings

#: Request headers larger than this are refused by h11 (bytes).
MAX_HEADER_BYTES = 16 * 1024


def send_when_written(transport: asyncio.BaseTransport) -> None:
    """Each write goes to the socket at once: uvloop holds a write below the high-water
    mark until the end of the loop's turn, so fifty answers finished in one busy turn all
    waited for the last. What the socket cannot take is still buffered, and pauses the
    protocol. (uvloop's transports are not registered as ``asyncio.WriteTransport``: ask,
    not check.)"""
    limits = getattr(transport, "set_write_buffer_limits", None)
    if limits is not None:
        limits(high=0)


class HeaderDeadline:
    """A timer per connection: closed unless a request's headers complete in time.

    Mixed in before a uvicorn protocol; each protocol only says when its headers are
    complete (``_disarm``)."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = get_settings().header_timeout_seconds
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        # The next request on this connection gets the same deadline, unless its headers
        # are already in (pipelined): that request is being answered, not awaited.
        cycle = getattr(self, "cycle", None)
        if not self.transport.is_closing() and (cycle is None or cycle.response_complete):
            self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


class PromptWrites:
    """Mixed in before a uvicorn protocol: an answer leaves when it is written.

    uvloop holds a write below the transport's high-water mark until the end of the loop's
    current turn. Fifty cards that finish in one turn then all waited for the last one's
    rendering before any was sent (``bench/card.py``, 50 agents). With the mark at 0 each
    write goes to the socket at once; what the socket cannot take yet is buffered and
    pauses the protocol, which uvicorn's flow control already handles.

    The price: uvicorn writes an answer's head and its body separately, so an answer is two
    writes instead of one. A review measured about 230 -> 285-315 us of CPU per
    ``/healthz`` at saturation; per card it was within the noise (2.93 / 2.86 ms), as it is
    small beside a card's work. The asyncio fallback already wrote at once."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        send_when_written(transport)


class GuardedH11Protocol(PromptWrites, HeaderDeadline, H11Protocol):
    """uvicorn's h11 protocol, with a deadline for each request's headers."""

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a request's headers are complete
            self._disarm()


class GuardedHttpToolsProtocol(PromptWrites, HeaderDeadline, HttpToolsProtocol):
    """uvicorn's httptools protocol, with the same deadline for each request's headers."""

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The server configuration ``serve`` passes to uvicorn."""
    if find_spec("httptools") and find_spec("uvloop"):
        fast = {"http": "upsales_freshdesk.web.server:GuardedHttpToolsProtocol", "loop": "uvloop"}
    else:  # pragma: no cover - both ship as dependencies on Linux
        fast = {"http": "upsales_freshdesk.web.server:GuardedH11Protocol"}
    return {
        **fast,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
