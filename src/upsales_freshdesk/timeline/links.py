"""Which Upsales activity shows which ticket: ids and a time only, never contact data.
A lost link costs one search by the activity's marker, never a second activity."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

#: Links kept in memory without Redis (oldest dropped first).
MAX_LOCAL_LINKS = 100_000
#: A link in Redis expires when its ticket has not changed for this long.
LINK_TTL_SECONDS = 90 * 86_400
PREFIX = "ufd:timeline:"


@dataclass(frozen=True, slots=True)
class Link:
    activity_id: int
    #: The ticket's ``updated_at`` the activity shows.
    stamp: datetime
    #: A hash of what the activity shows (``shape.digest``): two changes within the
    #: second ``updated_at`` counts in are told apart by it.
    digest: str = ""

    def encode(self) -> str:
        return f"{self.activity_id} {int(self.stamp.timestamp())} {self.digest}".rstrip()

    @classmethod
    def decode(cls, raw: str) -> Link | None:
        try:
            activity, seconds, *digest = raw.split()
            stamp = datetime.fromtimestamp(int(seconds), UTC)
            return cls(int(activity), stamp, digest[0] if digest else "")
        except ValueError:
            return None


class Links(Protocol):
    async def get(self, host: str, ticket_id: int) -> Link | None: ...
    async def put(self, host: str, ticket_id: int, link: Link) -> None: ...


class LocalLinks:
    def __init__(self, capacity: int = MAX_LOCAL_LINKS) -> None:
        self.capacity = capacity
        self._links: OrderedDict[tuple[str, int], Link] = OrderedDict()

    async def get(self, host: str, ticket_id: int) -> Link | None:
        return self._links.get((host, ticket_id))

    def clear(self) -> None:
        """Forget every link (the demo's reset, where ticket and activity ids start over);
        each is found again by its activity's marker."""
        self._links.clear()

    async def put(self, host: str, ticket_id: int, link: Link) -> None:
        self._links[(host, ticket_id)] = link
        self._links.move_to_end((host, ticket_id))
        while len(self._links) > self.capacity:
            self._links.popitem(last=False)


class RedisLinks:
    """Shared by every process. Redis failing is a missing link, never an error."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def get(self, host: str, ticket_id: int) -> Link | None:
        try:
            raw = await self.redis.get(f"{PREFIX}{host}:{ticket_id}")
        except RedisError:
            return None
        if raw is None:
            return None
        return Link.decode(raw.decode() if isinstance(raw, bytes) else str(raw))

    async def put(self, host: str, ticket_id: int, link: Link) -> None:
        with contextlib.suppress(RedisError):
            await self.redis.set(f"{PREFIX}{host}:{ticket_id}", link.encode(), ex=LINK_TTL_SECONDS)
