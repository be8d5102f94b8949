"""Which Freshdesk contact follows which Upsales contact: two ids, never contact data."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..jobs import Later

#: A job that could not read its pair comes back this much later.
REDIS_RETRY_SECONDS = 5.0
MAX_LOCAL = 100_000
#: A pair is kept this long after its last push: it is what keeps a contact whose email
#: changed from being created again (``UFD_PUSH_CREATE_MISSING``).
TTL_SECONDS = 400 * 86_400


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
    """Shared by every process. Redis failing on a read makes the job wait and come back
    (taken for "no pair", it could make a duplicate); a lost write is made by the next
    push of the contact."""

    def __init__(self, redis: Redis, scope: str) -> None:
        self.redis, self.prefix = redis, f"ufd:push:{scope}:"

    async def get(self, upsales_id: int) -> int | None:
        try:
            raw = await self.redis.get(f"{self.prefix}{upsales_id}")
        except RedisError:
            raise Later(REDIS_RETRY_SECONDS, "redis") from None
        try:
            return int(raw) if raw is not None else None
        except ValueError:
            return None

    async def put(self, upsales_id: int, freshdesk_id: int) -> None:
        with contextlib.suppress(RedisError):
            await self.redis.set(f"{self.prefix}{upsales_id}", freshdesk_id, ex=TTL_SECONDS)
