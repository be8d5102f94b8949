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
- Delivery is at least once and unordered (API-FACTS.md); the faults below make that
  visible on demand: a delay, duplicates, drops and reordering.

The outbox never sends inline: the emulator's routes hand it the deliveries once the
write has been answered (:meth:`Outbox.start`), and :meth:`Outbox.drain` waits for all
of them. The sender is injectable (an ``httpx.AsyncClient`` on an ASGI app in tests, a
real URL in the demo), and so is the sleep between retries.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..ratelimit import WindowLimiter

#: Waits before the three retries (article "Receiving webhook failure emails").
RETRY_DELAYS: tuple[float, ...] = (300.0, 1800.0, 3600.0)
#: A call put off by the rate limit for longer than this is dropped (article above).
MAX_POSTPONED_SECONDS = 24 * 3600.0
#: Freshdesk documents no timeout for a webhook call; the emulator gives up after this.
DEFAULT_TIMEOUT = 30.0

State = Literal["pending", "sending", "retrying", "postponed", "delivered", "failed", "dropped"]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


#: Sends one request and answers its HTTP status; raises on a transport failure.
Sender = Callable[[WebhookRequest], Awaitable[int]]


def httpx_sender(client: httpx.AsyncClient) -> Sender:
    """A sender through ``client`` (an ASGI app in-process, or the network)."""

    async def send(req: WebhookRequest) -> int:
        resp = await client.request(req.method, req.url, headers=req.headers, content=req.body)
        return resp.status_code

    return send


@dataclass(slots=True)
class Attempt:
    status: int | None
    #: The exception's class name on a transport failure (never its text: it may hold
    #: the URL or a header).
    error: str | None = None


@dataclass(slots=True)
class Delivery:
    """One webhook call of one rule for one event, and what became of it."""

    id: int
    rule_id: int
    automation_type_id: int
    ticket_id: int
    triggered_event: str
    request: WebhookRequest
    state: State = "pending"
    attempts: list[Attempt] = field(default_factory=list)
    #: Freshdesk emails the admins when all retries fail or the call is dropped.
    admin_notified: bool = False
    #: Set on the copy a ``duplicate`` fault sends.
    duplicate_of: int | None = None

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


class WebhookFaults(BaseModel):
    """What goes wrong with outgoing webhooks. An empty object clears every fault."""

    model_config = ConfigDict(extra="forbid")
    #: Time from the write's answer to the first attempt.
    delay_ms: float = Field(default=0, ge=0, le=600_000)
    jitter_ms: float = Field(default=0, ge=0, le=600_000)
    #: Share of deliveries (0..1) sent twice, as an at-least-once sender may.
    duplicate: float = Field(default=0, ge=0, le=1)
    #: Share of deliveries (0..1) lost for good, as Freshdesk drops a webhook put off
    #: for more than 24 hours.
    drop: float = Field(default=0, ge=0, le=1)
    #: Hold deliveries until this many are waiting, then send them newest first
    #: (``drain`` sends what is held). 0 or 1: in order.
    reorder: int = Field(default=0, ge=0, le=1000)
    #: Apply only to webhook URLs matching this regular expression (default: all).
    match: str | None = None
    #: Apply only to the next N matching deliveries, then clear.
    times: int | None = Field(default=None, ge=1)

    @field_validator("match")
    @classmethod
    def _match(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value


class Outbox:
    """Every delivery since the last reset, in ``deliveries``, and the ones in flight."""

    def __init__(self, *, rng: random.Random | None = None) -> None:
        self.sender: Sender | None = None
        self.sleep: Sleep = asyncio.sleep
        self.retry_delays: tuple[float, ...] = RETRY_DELAYS
        self.timeout = DEFAULT_TIMEOUT
        #: The account's API limiter, which webhook calls spend from (set by the app).
        self.limiter: WindowLimiter | None = None
        self.deliveries: list[Delivery] = []
        self.faults = WebhookFaults()
        self._rng = rng or random.Random()
        self._times_left: int | None = None
        self._held: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    # -- control ---------------------------------------------------------------------

    def set_faults(self, faults: WebhookFaults) -> None:
        self.faults = faults
        self._times_left = faults.times

    def clear(self) -> None:
        """Forget every delivery and fault; calls in flight are cancelled."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        self._held.clear()
        self.deliveries.clear()
        self.set_faults(WebhookFaults())

    async def drain(self) -> None:
        """Wait until every delivery started so far is delivered, failed or dropped."""
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

    # -- firing ----------------------------------------------------------------------

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
        delivery = Delivery(
            id=len(self.deliveries) + 1,
            rule_id=rule_id,
            automation_type_id=automation_type_id,
            ticket_id=ticket_id,
            triggered_event=triggered_event,
            request=request,
        )
        self.deliveries.append(delivery)
        return delivery

    async def start(self, deliveries: list[Delivery]) -> None:
        """Send ``deliveries`` in the background (after the write was answered)."""
        for delivery in deliveries:
            if delivery.state != "pending":
                continue  # cleared by a reset in between
            self._dispatch(delivery)

    def _dispatch(self, delivery: Delivery) -> None:
        f = self.faults
        if not self._applies(delivery.request.url):
            self._launch(delivery, 0.0)
            return
        if f.drop and self._rng.random() < f.drop:
            delivery.state, delivery.admin_notified = "dropped", True
            return
        copies = [delivery]
        if f.duplicate and self._rng.random() < f.duplicate:
            twin = self.stage(
                rule_id=delivery.rule_id,
                automation_type_id=delivery.automation_type_id,
                ticket_id=delivery.ticket_id,
                triggered_event=delivery.triggered_event,
                request=delivery.request,
            )
            twin.duplicate_of = delivery.id
            copies.append(twin)
        delay = (f.delay_ms + self._rng.uniform(0, f.jitter_ms)) / 1000
        for copy in copies:
            if f.reorder > 1:
                self._held.append(copy)
            else:
                self._launch(copy, delay)
        if f.reorder > 1 and len(self._held) >= f.reorder:
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
        for attempt in range(len(self.retry_delays) + 1):
            if attempt:
                delivery.state = "retrying"
                await self.sleep(self.retry_delays[attempt - 1])
            if not await self._admitted(delivery):
                return
            delivery.state = "sending"
            result = await self._send(delivery.request)
            delivery.attempts.append(result)
            if result.status is not None and 200 <= result.status < 300:
                delivery.state = "delivered"
                return
        delivery.state, delivery.admin_notified = "failed", True

    async def _admitted(self, delivery: Delivery) -> bool:
        """Spend one call from the account's limit, waiting for the next window if none
        is left; False (and the delivery dropped) after 24 hours of waiting."""
        waited = 0.0
        while self.limiter is not None:
            decision = self.limiter.take("account")
            if decision.allowed:
                return True
            if waited >= MAX_POSTPONED_SECONDS:
                delivery.state, delivery.admin_notified = "dropped", True
                return False
            delivery.state = "postponed"
            pause = max(1.0, float(decision.reset_in))
            await self.sleep(pause)
            waited += pause
        return True

    async def _send(self, request: WebhookRequest) -> Attempt:
        sender = self.sender or self._default_sender()
        try:
            status = await asyncio.wait_for(sender(request), self.timeout)
        except Exception as exc:  # any failure to get an answer is a failed attempt
            return Attempt(None, type(exc).__name__)
        return Attempt(status)

    def _default_sender(self) -> Sender:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        return httpx_sender(self._client)
