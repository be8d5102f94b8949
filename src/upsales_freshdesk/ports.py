"""Loopback ports for the child processes of benchmarks, tests and the demo, and the
one socket setting the servers share."""

from __future__ import annotations

import asyncio
import socket

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A port that was free on ``host`` a moment ago."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def send_when_written(transport: asyncio.BaseTransport) -> None:
    """Each write goes to the socket at once: uvloop holds a write below the high-water
    mark until the end of the loop's turn, so fifty answers finished in one busy turn all
    waited for the last. What the socket cannot take is still buffered, and pauses the
    protocol. (uvloop's transports are not registered as ``asyncio.WriteTransport``: ask,
    not check.)"""
    limits = getattr(transport, "set_write_buffer_limits", None)
    if limits is not None:
        limits(high=0)
