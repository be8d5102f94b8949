"""Delivery of the automation rules' "Trigger webhook" calls: retries, rate limit, faults.

What Freshdesk documents, and what this outbox does:

- A failed call is retried 5 minutes after the failure, then 30 minutes later, then 60
  minutes after that; when all three retries fail, the account admins get a "webhook
  failure" email (Freshdesk support article "Receiving webhook failure emails",
  supportsandbox.freshdesk.com 11000000028141). Here: four attempts at most, and the
  delivery is marked ``admin_notified``. A failure is an answer outside 2xx, or no
  answer (a connection error, a timeout, a receiver that raised).
- Webhooks run only within the account's API rate limit; the ones over it are put off
  to the next window, and one put off for more than 24 hours is dropped, with an alert
  email to the admins (Freshdesk article "Handling and preventing webhook drops", a
  customer's copy at orangeone.freshdesk.com 26000052443; API-FACTS.md: "Webhook calls
  count against the account's rate limit").
- Delivery is at least once and unordered (API-FACTS.md); the outbox's faults
  (:class:`..delivery.WebhookFaults`) make that visible on demand: a delay, duplicates,
  drops and reordering.

The mechanics are the emulators' shared outbox (:mod:`..delivery`): the calls start
once the write has been answered (:meth:`Outbox.start`), :meth:`Outbox.drain` waits for
all of them, and the sender and the sleep between retries are injectable. This module
holds Freshdesk's rules above: the retry schedule, the rate limit and the admins' email.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

from ..delivery import (
    Attempt,
    BaseDelivery,
    BaseOutbox,
    Sender,
    Sleep,
    State,
    WebhookFaults,
    WebhookRequest,
    httpx_sender,
)
from ..ratelimit import WindowLimiter

# The shared request, sender and faults, under this emulator's name for its callers.
__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_POSTPONED_SECONDS",
    "RETRY_DELAYS",
    "Attempt",
    "Delivery",
    "Outbox",
    "Sender",
    "Sleep",
    "State",
    "WebhookFaults",
    "WebhookRequest",
    "httpx_sender",
]

#: Waits before the three retries (article "Receiving webhook failure emails").
RETRY_DELAYS: tuple[float, ...] = (300.0, 1800.0, 3600.0)
#: A call put off by the rate limit for longer than this is dropped (article above).
MAX_POSTPONED_SECONDS = 24 * 3600.0
#: Freshdesk documents no timeout for a webhook call; the emulator gives up after this.
DEFAULT_TIMEOUT = 30.0


@dataclass(slots=True, kw_only=True)
class Delivery(BaseDelivery):
    """One webhook call of one rule for one event, and what became of it."""

    rule_id: int
    automation_type_id: int
    ticket_id: int
    triggered_event: str
    #: Freshdesk emails the admins when all retries fail or the call is dropped.
    admin_notified: bool = False

    def give_up(self, state: Literal["failed", "dropped"]) -> None:
        self.state, self.admin_notified = state, True

    def summary(self) -> dict[str, Any]:
        """The delivery without its headers and body (they hold keys and personal data)."""
        return {
            "id": self.id,
            "rule_id": self.rule_id,
            "automation_type_id": self.automation_type_id,
            "ticket_id": self.ticket_id,
            "triggered_event": self.triggered_event,
            "method": self.request.method,
            "url": self.request.url.split("?")[0],
            "state": self.state,
            "attempts": [{"status": a.status, "error": a.error} for a in self.attempts],
            "admin_notified": self.admin_notified,
            "duplicate_of": self.duplicate_of,
        }


class Outbox(BaseOutbox[Delivery]):
    """Every delivery since the last reset, in ``deliveries``, and the ones in flight."""

    def __init__(self, *, rng: random.Random | None = None) -> None:
        super().__init__(timeout=DEFAULT_TIMEOUT, retry_delays=RETRY_DELAYS, rng=rng)
        #: The account's API limiter, which webhook calls spend from (set by the app).
        self.limiter: WindowLimiter | None = None

    def stage(
        self,
        *,
        rule_id: int,
        automation_type_id: int,
        ticket_id: int,
        triggered_event: str,
        request: WebhookRequest,
    ) -> Delivery:
        """Record a delivery; it is sent once :meth:`start` is called with it."""
        return self._record(
            Delivery(
                id=self._next_id(),
                rule_id=rule_id,
                automation_type_id=automation_type_id,
                ticket_id=ticket_id,
                triggered_event=triggered_event,
                request=request,
            )
        )

    async def _admitted(self, delivery: Delivery) -> bool:
        """Spend one call from the account's limit, waiting for the next window if none
        is left; False (and the delivery dropped) after 24 hours of waiting."""
        waited = 0.0
        while self.limiter is not None:
            decision = self.limiter.take("account")
            if decision.allowed:
                return True
            if waited >= MAX_POSTPONED_SECONDS:
                delivery.give_up("dropped")
                return False
            delivery.state = "postponed"
            pause = max(1.0, float(decision.reset_in))
            await self.sleep(pause)
            waited += pause
        return True
