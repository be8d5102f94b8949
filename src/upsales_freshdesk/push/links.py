"""Which Freshdesk contact follows which Upsales contact: two ids, never contact data."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

MAX_LOCAL = 100_000
TTL_SECONDS = 90 * 86_400


class IdLinks(Protocol):
    async def get(self, upsales_id: int) -> int | None: ...
    async def put(self, upsales_id: int, freshdesk_id: int) -> None: ...


class LocalIdLinks:
    def __init__(self, capacity: int = MAX_LOCAL) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[int, int] = OrderedDict()

    async def get(self, upsales_id: int) -> int | None:
        return self._ids.get(upsales_id)

    async def put(self, upsales_id: int, freshdesk_id: int) -> None:
        self._ids[upsales_id] = freshdesk_id
        self._ids.move_to_end(upsales_id)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)


class RedisIdLinks:
    """Shared by every process; Redis failing is a missing link (a search), never an error."""

    def __init__(self, redis: Redis, scope: str) -> None:
        self.redis, self.prefix = redis, f"ufd:push:{scope}:"

    async def get(self, upsales_id: int) -> int | None:
        try:
            raw = await self.redis.get(f"{self.prefix}{upsales_id}")
        except RedisError:
            return None
        try:
            return int(raw) if raw is not None else None
        except ValueError:
            return None

    async def put(self, upsales_id: int, freshdesk_id: int) -> None:
        with contextlib.suppress(RedisError):
            await self.redis.set(f"{self.prefix}{upsales_id}", freshdesk_id, ex=TTL_SECONDS)
