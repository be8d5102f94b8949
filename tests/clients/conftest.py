"""What the clients' Redis tests share: guards on their own Redis clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.redis import Guards
from upsales_freshdesk.clients.redis_guard import RedisGuard, connect


@pytest.fixture
async def guards(redis_url: str) -> AsyncIterator[Guards]:
    """Guards on their own clients, as separate processes would have."""
    made: list[RedisGuard] = []

    def make(url: str = redis_url, **options: object) -> RedisGuard:
        # A loaded test machine must not look like a Redis outage: the tests of the
        # fallback give their own short timeout, or point at a closed port.
        options.setdefault("timeout", 2.0)
        guard = RedisGuard(connect(url, timeout=2.0), **options)  # type: ignore[arg-type]
        made.append(guard)
        return guard

    yield make
    for guard in made:
        await guard.aclose()
