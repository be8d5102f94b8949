"""Delivery of the triggers' web requests: after the write is answered, once each, with
faults on request.

Upsales documents neither a retry nor a timeout for a trigger's ``SendWebRequest``. The
emulator sends each request once: a receiver must not count on a second try (the nightly
sync repairs what a lost call missed). It gives up on an answer after 30 s, the time
Upsales gives an app to answer its requests (help centre "App callback": "You got 30
seconds before the request times out"). A failure (an answer outside 2xx, no answer, a
timeout) is recorded, never retried.

The request, the sender and the faults are the Freshdesk emulator's
(:mod:`..freshdesk.webhooks`), so one test receiver serves both emulators: a sender is
any ``async (WebhookRequest) -> status``, ``httpx_sender(client)`` one through an
``httpx.AsyncClient`` (an ASGI app in-process, or the network). The faults make
at-least-once and out-of-order delivery visible: a delay, duplicates, drops (a share,
drawn from the outbox's seeded random generator) and reordering.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from ..freshdesk.webhooks import Attempt, Sender, WebhookFaults, WebhookRequest, httpx_sender

__all__ = ["Delivery", "TriggerOutbox", "WebhookFaults", "WebhookRequest", "httpx_sender"]

#: Seconds before the emulator gives up on an answer (see the module's docstring).
DEFAULT_TIMEOUT = 30.0
State = Literal["pending", "sending", "delivered", "failed", "dropped"]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True)
class Delivery:
    """One web request of one trigger for one write, and what became of it."""

    id: int
    trigger_id: int
    event: str
    entity: str
    record_id: int
    request: WebhookRequest
    state: State = "pending"
    attempts: list[Attempt] = field(default_factory=list)
    #: Set on the copy a ``duplicate`` fault sends.
    duplicate_of: int | None = None

    def summary(self) -> dict[str, Any]:
        """The delivery without its URL's path, headers or body: the receiver's secret
        may be the path's last segment, and the body names a person's record."""
        parts = urlsplit(self.request.url)
        return {
            "id": self.id,
            "trigger_id": self.trigger_id,
            "event": self.event,
            "entity": self.entity,
            "record_id": self.record_id,
            "method": self.request.method,
            "host": parts.hostname or "",
            "state": self.state,
            "attempts": [{"status": a.status, "error": a.error} for a in self.attempts],
            "duplicate_of": self.duplicate_of,
        }


class TriggerOutbox:
    """Every delivery since the last clear, in ``deliveries``, and the ones in flight."""

    def __init__(self, *, seed: int = 0) -> None:
        self.sender: Sender | None = None
        self.sleep: Sleep = asyncio.sleep
        self.timeout = DEFAULT_TIMEOUT
        self.deliveries: list[Delivery] = []
        self.faults = WebhookFaults()
        self._seed = seed
        self._rng = random.Random(seed)
        self._times_left: int | None = None
        self._held: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    # -- control ---------------------------------------------------------------------

    def set_faults(self, faults: WebhookFaults) -> None:
        """Replace the faults; the shares are drawn afresh from the seed."""
        self.faults = faults
        self._times_left = faults.times
        self._rng = random.Random(self._seed)

    def clear(self) -> None:
        """Forget every delivery and fault; calls in flight are cancelled."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        self._held.clear()
        self.deliveries.clear()
        self.set_faults(WebhookFaults())

    async def drain(self) -> None:
        """Wait until every delivery staged so far is delivered, failed or dropped; held
        ones (``reorder``) are sent first, newest first."""
        while True:
            if self._held:
                held, self._held = self._held, []
                for delivery in reversed(held):
                    self._launch(delivery, 0.0)
            running = [t for t in self._tasks if not t.done()]
            if not running:
                return
            await asyncio.gather(*running, return_exceptions=True)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- staging and starting --------------------------------------------------------

    def stage(
        self, *, trigger_id: int, event: str, entity: str, record_id: int, request: WebhookRequest
    ) -> Delivery:
        """Record a delivery; it is sent once :meth:`start` is called with it."""
        delivery = Delivery(len(self.deliveries) + 1, trigger_id, event, entity, record_id, request)
        self.deliveries.append(delivery)
        return delivery

    async def start(self, deliveries: list[Delivery]) -> None:
        """Send ``deliveries`` in the background (after the write was answered)."""
        for delivery in deliveries:
            if delivery.state == "pending" and self._current(delivery):
                self._dispatch(delivery)

    def _current(self, delivery: Delivery) -> bool:
        """Whether ``delivery`` is still this outbox's (not forgotten by a clear)."""
        index = delivery.id - 1
        return 0 <= index < len(self.deliveries) and self.deliveries[index] is delivery

    def _dispatch(self, delivery: Delivery) -> None:
        f = self.faults
        if not self._applies(delivery.request.url):
            self._launch(delivery, 0.0)
            return
        if f.drop and self._rng.random() < f.drop:
            delivery.state = "dropped"
            return
        copies = [delivery]
        if f.duplicate and self._rng.random() < f.duplicate:
            twin = self.stage(
                trigger_id=delivery.trigger_id,
                event=delivery.event,
                entity=delivery.entity,
                record_id=delivery.record_id,
                request=delivery.request,
            )
            twin.duplicate_of = delivery.id
            copies.append(twin)
        delay = (f.delay_ms + self._rng.uniform(0, f.jitter_ms)) / 1000
        if f.reorder <= 1:
            for copy in copies:
                self._launch(copy, delay)
            return
        self._held.extend(copies)
        if len(self._held) >= f.reorder:
            held, self._held = self._held, []
            for copy in reversed(held):
                self._launch(copy, delay)

    def _applies(self, url: str) -> bool:
        f = self.faults
        if f == WebhookFaults():
            return False
        if f.match is not None and not re.search(f.match, url):
            return False
        if self._times_left is not None:
            if self._times_left <= 0:
                return False
            self._times_left -= 1
        return True

    def _launch(self, delivery: Delivery, delay: float) -> None:
        task = asyncio.get_running_loop().create_task(self._run(delivery, delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- sending ---------------------------------------------------------------------

    async def _run(self, delivery: Delivery, delay: float) -> None:
        if delay:
            await self.sleep(delay)
        delivery.state = "sending"
        sender = self.sender or self._default_sender()
        try:
            status = await asyncio.wait_for(sender(delivery.request), self.timeout)
        except Exception as exc:  # no answer at all is a failed call too
            delivery.attempts.append(Attempt(None, type(exc).__name__))
            delivery.state = "failed"
            return
        delivery.attempts.append(Attempt(status))
        delivery.state = "delivered" if 200 <= status < 300 else "failed"

    def _default_sender(self) -> Sender:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        return httpx_sender(self._client)
