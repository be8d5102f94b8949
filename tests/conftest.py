"""Shared fixtures: both emulators in-process, clients wired to them, and the backend
with both emulators behind it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
import redis

from tests.support.emulated import FD_BASE, US_BASE
from tests.support.redis import REDIS_SERVER, redis_on
from tests.support.sleeps import RecordingSleep
from upsales_freshdesk.clients import FreshdeskClient, RetryPolicy, ThrottleRegistry, UpsalesClient
from upsales_freshdesk.emulators.freshdesk.app import (
    DEFAULT_KEY,
    FreshdeskEmulator,
    create_freshdesk_emulator,
)
from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.emulators.upsales.app import (
    DEFAULT_TOKEN,
    UpsalesEmulator,
    create_upsales_emulator,
)

if TYPE_CHECKING:
    from tests.support.service import Service


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def policy(sleeps: RecordingSleep) -> RetryPolicy:
    return RetryPolicy(backoff_base=0.01, backoff_max=0.05, sleep=sleeps)


@pytest.fixture
def registry() -> ThrottleRegistry:
    return ThrottleRegistry()


@pytest.fixture
def fd_emu() -> FreshdeskEmulator:
    return create_freshdesk_emulator()


@pytest.fixture
def us_emu() -> UpsalesEmulator:
    return create_upsales_emulator()


@pytest.fixture
async def fd(
    fd_emu: FreshdeskEmulator, policy: RetryPolicy, registry: ThrottleRegistry
) -> AsyncIterator[FreshdeskClient]:
    client = FreshdeskClient(
        "demo",
        DEFAULT_KEY,
        plan="pro",
        base_url=FD_BASE,
        transport=httpx.ASGITransport(app=fd_emu),
        policy=policy,
        registry=registry,
    )
    async with client:
        yield client


@pytest.fixture
async def us(
    us_emu: UpsalesEmulator, policy: RetryPolicy, registry: ThrottleRegistry
) -> AsyncIterator[UpsalesClient]:
    client = UpsalesClient(
        DEFAULT_TOKEN,
        base_url=US_BASE,
        transport=httpx.ASGITransport(app=us_emu),
        policy=policy,
        registry=registry,
    )
    async with client:
        yield client


@pytest.fixture
async def fd_raw(fd_emu: FreshdeskEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client on the Freshdesk emulator, for wire-level checks."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fd_emu),
        base_url="http://testserver",
        auth=(DEFAULT_KEY, "X"),
    ) as c:
        yield c


@pytest.fixture
async def us_raw(us_emu: UpsalesEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=us_emu),
        base_url="http://testserver",
        cookies={"token": DEFAULT_TOKEN},
    ) as c:
        yield c


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """Debian's ``redis-server`` on a free loopback port, no persistence; its URL.

    Skipped when it is not installed, unless ``CI`` is set (``.ci/run`` installs it).
    """
    if not REDIS_SERVER.exists():
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    with redis_on(port):
        yield f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The test Redis, emptied for this test."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    return redis_server


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    """The backend in-process with both emulators behind it (``tests/support/service.py``),
    imported here so that suites without it never load the app."""
    from tests.support.service import running

    async with running() as s:
        yield s
