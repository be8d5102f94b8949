"""Which Freshdesk contact follows which Upsales contact: ids in Redis, shared by every
process. A read that fails makes the job come back later, never "no pair" (which could
make a duplicate); a write that fails is made again by the next push."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.jobs import Later
from upsales_freshdesk.push.links import TTL_SECONDS, RedisIdLinks


async def test_pairs_are_kept_by_id_and_outlive_a_process(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        await RedisIdLinks(client, "acct").put(7, 42)
        again = RedisIdLinks(client, "acct")  # another process, the same account
        assert await again.get(7) == 42
        assert await RedisIdLinks(client, "other").get(7) is None
        assert 0 < await client.ttl("ufd:push:acct:7") <= TTL_SECONDS
    finally:
        await client.aclose()


async def test_redis_failing_on_a_read_is_a_later_never_no_pair() -> None:
    client = Redis.from_url(
        f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5, socket_timeout=0.5
    )
    try:
        links = RedisIdLinks(client, "acct")
        with pytest.raises(Later):
            await links.get(7)
        await links.put(7, 42)  # lost, and said by nothing: the next push writes it
    finally:
        await client.aclose()
