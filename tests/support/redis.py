"""Redis for the tests of what is shared across processes: guards on their own clients,
and a wait for their background updates."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from upsales_freshdesk.clients.redis_guard import RedisGuard

#: Debian's redis-server (``.ci/run`` installs it).
REDIS_SERVER = Path("/usr/bin/redis-server")

#: The ``guards`` fixture (tests/clients/conftest.py): a guard per call, as separate
#: processes would have, closed after the test.
Guards = Callable[..., RedisGuard]


async def settle(*guards: RedisGuard) -> None:
    """Let background updates (pauses, budget spends) reach Redis."""
    for guard in guards:
        if guard._tasks:
            await asyncio.wait(set(guard._tasks))


@contextmanager
def redis_on(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of its own on ``port`` (loopback, no persistence), once it answers;
    stopped at the end."""
    proc = subprocess.Popen(
        [
            str(REDIS_SERVER),
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with redis.Redis(port=port) as client:
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)
