"""Delivery of the triggers' web requests: after the write is answered, once each, with
faults on request.

Upsales documents neither a retry nor a timeout for a trigger's ``SendWebRequest``. The
emulator sends each request once: a receiver must not count on a second try (the nightly
sync repairs what a lost call missed). It gives up on an answer after 30 s, the time
Upsales gives an app to answer its requests (help centre "App callback": "You got 30
seconds before the request times out"). A failure (an answer outside 2xx, no answer, a
timeout) is recorded, never retried.

The mechanics, the request, the sender and the faults are the emulators' shared outbox
(:mod:`..delivery`), so one test receiver serves both emulators: a sender is any
``async (WebhookRequest) -> status``, ``httpx_sender(client)`` one through an
``httpx.AsyncClient`` (an ASGI app in-process, or the network). The faults make
at-least-once and out-of-order delivery visible: a delay, duplicates, drops (a share,
drawn from the outbox's seeded random generator) and reordering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..delivery import BaseDelivery, BaseOutbox, WebhookFaults, WebhookRequest, httpx_sender

__all__ = ["Delivery", "TriggerOutbox", "WebhookFaults", "WebhookRequest", "httpx_sender"]

#: Seconds before the emulator gives up on an answer (see the module's docstring).
DEFAULT_TIMEOUT = 30.0


@dataclass(slots=True, kw_only=True)
class Delivery(BaseDelivery):
    """One web request of one trigger for one write, and what became of it: ``pending``,
    ``sending``, then ``delivered``, ``failed`` or ``dropped`` (no retry, no rate limit)."""

    trigger_id: int
    event: str
    entity: str
    record_id: int

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


class TriggerOutbox(BaseOutbox[Delivery]):
    """Every delivery since the last clear, in ``deliveries``, and the ones in flight.

    Each request is sent once (no retry schedule); the faults' shares are drawn afresh
    from ``seed`` whenever the faults are set, so the same seed drops the same calls.
    """

    def __init__(self, *, seed: int = 0) -> None:
        super().__init__(timeout=DEFAULT_TIMEOUT, seed=seed)

    def stage(
        self, *, trigger_id: int, event: str, entity: str, record_id: int, request: WebhookRequest
    ) -> Delivery:
        """Record a delivery; it is sent once :meth:`start` is called with it."""
        return self._record(
            Delivery(
                id=self._next_id(),
                trigger_id=trigger_id,
                event=event,
                entity=entity,
                record_id=record_id,
                request=request,
            )
        )
