"""When the service last took a call of each of our Upsales triggers: what
``triggers status`` shows, since Upsales' API keeps no such time for a trigger (no field
of ``/api/v2/triggers`` in the live recording holds one).

The receiver marks the time of every authenticated call by its trigger's event, per
Upsales account (its key's hash). Nothing of the record is kept: an event name and a
time. With Redis (``UFD_REDIS_URL``) every process and the command line share the
times; without it they live in the serving process, and ``/metrics`` shows them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from babel.dates import format_timedelta
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..clients.accounts import account_key
from .triggers import SPECS

EVENTS = frozenset(spec.event for spec in SPECS)
PREFIX = "ufd:triggers:fired:"
#: A time is kept this long after the trigger's last call.
TTL_SECONDS = 90 * 86_400


def account_of(upsales_token: str) -> str:
    """The Upsales account as keys name it: its key's hash (never the key), the same
    as the pokes' job keys."""
    return account_key("upsales", upsales_token).rsplit(":", 1)[-1]


class Fired(Protocol):
    async def mark(self, account: str, event: str, at: float | None = None) -> None: ...
    async def last(self, account: str, events: Sequence[str]) -> dict[str, float | None]: ...


def known(event: str | None) -> str | None:
    """``event`` when it is one of our triggers' events, else None (nothing is kept of
    what a caller made up)."""
    return event if event in EVENTS else None


class LocalFired:
    def __init__(self) -> None:
        self._at: dict[tuple[str, str], float] = {}

    async def mark(self, account: str, event: str, at: float | None = None) -> None:
        if known(event) is not None:
            self._at[(account, event)] = time.time() if at is None else at

    async def last(self, account: str, events: Sequence[str]) -> dict[str, float | None]:
        return {e: self._at.get((account, e)) for e in events}


class RedisFired:
    """Shared by every process; Redis failing loses a mark (the next call makes it),
    and a read raises :class:`redis.exceptions.RedisError` for the caller to report."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def mark(self, account: str, event: str, at: float | None = None) -> None:
        if known(event) is None:
            return
        stamp = f"{time.time() if at is None else at:.3f}"
        with contextlib.suppress(RedisError):
            await self.redis.set(f"{PREFIX}{account}:{event}", stamp, ex=TTL_SECONDS)

    async def last(self, account: str, events: Sequence[str]) -> dict[str, float | None]:
        values = await self.redis.mget([f"{PREFIX}{account}:{e}" for e in events])
        return {e: _float(v) for e, v in zip(events, values, strict=True)}


def _float(raw: object) -> float | None:
    if isinstance(raw, bytes):
        raw = raw.decode()
    try:
        return float(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def said(at: float | None, now: float | None = None) -> str:
    """A time as ``triggers status`` says it: UTC, and how long ago."""
    if at is None:
        return "no call taken in the last 90 days"
    now = time.time() if now is None else now
    moment = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    ago = format_timedelta(timedelta(seconds=-max(0.0, now - at)), add_direction=True, locale="en")
    return f"last call taken {moment} ({ago})"
