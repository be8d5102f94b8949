"""How ``serve`` runs uvicorn: uvicorn's own protocol classes and limits (connections at
once, keep-alive, header size), httptools where installed, on asyncio's event loop.

asyncio's loop sends a write to the socket at once; uvloop holds a small write until the
end of the loop's turn, so fifty cards finished in one busy turn all waited for the last
(docs/performance.md has the paired figures). Slow clients are the TLS proxy's to cut
off: ``deploy/Caddyfile`` sets Caddy's ``read_header`` and ``read_body`` timeouts
(docs/deploy.md), as uvicorn has no timeout for a request's headers; the service keeps
its own body size and time limits (``middleware/body_limit.py``) and its connection cap.
"""

from __future__ import annotations

import asyncio
from importlib.util import find_spec
from typing import Any

from ..settings import Settings

#: Request headers larger than this are refused by h11 (bytes).
MAX_HEADER_BYTES = 16 * 1024


def send_when_written(transport: asyncio.BaseTransport) -> None:
    """Each write goes to the socket at once: uvloop holds a write below the high-water
    mark until the end of the loop's turn. Only the emulators use it (they run on uvloop),
    so that an answer leaves at its latency. (uvloop's transports are not registered as
    ``asyncio.WriteTransport``: ask, not check.)"""
    limits = getattr(transport, "set_write_buffer_limits", None)
    if limits is not None:
        limits(high=0)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The server configuration ``serve`` passes to uvicorn."""
    return {
        "http": "httptools" if find_spec("httptools") else "h11",
        "loop": "asyncio",
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
