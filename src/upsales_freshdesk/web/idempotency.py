"""One click does one thing once: idempotency keys for every write.

Each write names two keys:

- the **request key**: the app's ``idempotency_key`` (one per click), or one derived from
  what the request asks (the ticket, the requester, the action). A repeat of the same
  key within the window answers the first result, without calling an upstream again.
- the **resource key**: what the write touches (a Freshdesk contact, an email about to be
  created, a ticket about to be logged). Writes to the same resource run one at a time,
  so two different clicks cannot race each other into a duplicate.

Only definitive answers are remembered: a success, or a refusal that would repeat
(``changed``, ``mismatch``, ``rejected``). A rate-limited or failed write is not: its
repeat runs again, and the action itself looks up what may have arrived first.

Keys are hashed together with the account (Freshdesk host and a hash of the Upsales
token), so one tenant's key never meets another's. Answers hold ids and messages only.

A request key the app chose (``idempotency_key``) names one request: the answer is kept
with a fingerprint of the body that asked it (:func:`fingerprint`, the body without its
key). The same key with a different body within the window is refused with 422 and does
nothing (:func:`run_once`; as the IETF draft "The Idempotency-Key HTTP Header Field"
has it): replaying the first answer would tell the agent that a click was done which was
not. A derived key needs no fingerprint: it is made from what the request asks.

:class:`LocalOnce` serialises within one process. With ``UFD_REDIS_URL`` set, the Redis
store (``web/redis_once.py``) does the same across workers and replicas, and never falls back
to :class:`LocalOnce`: while Redis cannot guarantee the lock, a write is refused with 503
``writes_paused`` (nothing done, safe to try again).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

#: Remember answers this long (seconds); a later repeat runs again (and finds the work done).
WINDOW_SECONDS = 600.0
MAX_REMEMBERED = 10_000


@dataclass(frozen=True, slots=True)
class Answer:
    """An action's HTTP answer, as remembered for repeats."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False
    #: The fingerprint of the body that asked it (:func:`fingerprint`); a store keeps it
    #: with the answer, and gives it back with a replay.
    fingerprint: str | None = None

    @property
    def definitive(self) -> bool:
        return self.status < 500 and self.status != 429


def scoped(*parts: object) -> str:
    """A key from its parts, hashed (no id or token is kept in the clear)."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def fingerprint(body: Mapping[str, Any]) -> str:
    """A request body's fingerprint: its canonical JSON (keys sorted), hashed."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class Once(Protocol):
    async def run(
        self, request_key: str, resource_key: str, call: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        """``call``'s answer, or the remembered answer of an earlier ``request_key``."""


class LocalOnce:
    """Per-process: a lock per resource, and a bounded, expiring memory of answers."""

    def __init__(
        self,
        window: float = WINDOW_SECONDS,
        capacity: int = MAX_REMEMBERED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window, self.capacity, self.clock = window, capacity, clock
        self._answers: OrderedDict[str, tuple[float, Answer]] = OrderedDict()
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def remembered(self, request_key: str) -> Answer | None:
        entry = self._answers.get(request_key)
        if entry is None:
            return None
        expires, answer = entry
        if expires <= self.clock():
            del self._answers[request_key]
            return None
        return replace(answer, replayed=True)

    def remember(self, request_key: str, answer: Answer) -> None:
        self._answers[request_key] = (self.clock() + self.window, answer)
        self._answers.move_to_end(request_key)
        while len(self._answers) > self.capacity:
            self._answers.popitem(last=False)

    async def run(
        self, request_key: str, resource_key: str, call: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        lock, users = self._locks.get(resource_key, (asyncio.Lock(), 0))
        self._locks[resource_key] = (lock, users + 1)
        try:
            async with lock:
                if (earlier := self.remembered(request_key)) is not None:
                    return earlier
                answer = await call()
                if answer.definitive:
                    self.remember(request_key, answer)
                return answer
        finally:
            lock, users = self._locks[resource_key]
            if users <= 1:
                del self._locks[resource_key]  # no lock outlives its last waiter
            else:
                self._locks[resource_key] = (lock, users - 1)


async def run_once(
    once: Once,
    request_key: str,
    resource_key: str,
    call: Callable[[], Awaitable[Answer]],
    *,
    fingerprint: str | None,
    reused: Callable[[], Answer],
) -> Answer:
    """``once.run``, with the body's ``fingerprint`` kept with the answer: a replay asked
    by another body gets ``reused()`` (the 422) instead of the first answer.

    Any :class:`Once` store can use it: it needs only to keep :attr:`Answer.fingerprint`
    with a remembered answer and give it back. A replay without one (a store that does not
    keep it) is given as before, so the check never refuses what it cannot compare.
    """

    async def stamped() -> Answer:
        return replace(await call(), fingerprint=fingerprint)

    answer = await once.run(request_key, resource_key, stamped)
    earlier = answer.fingerprint
    if answer.replayed and None not in (fingerprint, earlier) and earlier != fingerprint:
        return reused()
    return answer
