"""Delivery of the emulators' outgoing calls: Freshdesk's automation webhooks and the
web requests of Upsales' triggers.

Both emulators call out the same way: a write stages calls while it is carried out, the
calls start once the write has been answered (never inline, so the answer does not wait
for a receiver), each in its own task, and every call is recorded with its attempts. What
differs is each vendor's rule, kept beside its source in the vendor's module:
:mod:`.freshdesk.webhooks` (retries at 5, 30 and 60 minutes, the account's rate limit,
the admins emailed) and :mod:`.upsales.outbox` (sent once). This module holds the
mechanics:

- :class:`WebhookRequest` and a :data:`Sender` (any ``async (WebhookRequest) ->
  status``; :func:`httpx_sender` wraps an ``httpx.AsyncClient``, on an ASGI app
  in-process or the network), so one test receiver serves both emulators;
- :class:`WebhookFaults`: a delay, duplicates, drops and reordering on demand, which make
  at-least-once and unordered delivery visible;
- :class:`BaseDelivery` and :class:`BaseOutbox`: one call and what became of it, and the
  log of calls since the last clear with the ones in flight (``drain`` waits for them);
- :func:`outbox_routes`: the ``/_emulator/webhooks...`` controls.

The sender and the sleep (between retries, and of a ``delay_ms``) are injectable, so
tests neither wait nor need a network.
"""

from __future__ import annotations

import asyncio
import random
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

import httpx
import pydantic
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .faults import Countdown, RegexText
from .responses import JSONResponse, invalid

#: A vendor's deliveries go through the states its rules use: ``retrying`` and
#: ``postponed`` only where the vendor retries or rate-limits its calls.
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


@dataclass(slots=True, kw_only=True)
class BaseDelivery(ABC):
    """One outgoing call and what became of it; a vendor's subclass adds what set it off."""

    id: int
    request: WebhookRequest
    state: State = "pending"
    attempts: list[Attempt] = field(default_factory=list)
    #: Set on the copy a ``duplicate`` fault sends.
    duplicate_of: int | None = None

    def give_up(self, state: Literal["failed", "dropped"]) -> None:
        """End the delivery unsent (``dropped``) or with every attempt failed."""
        self.state = state

    @abstractmethod
    def summary(self) -> dict[str, Any]:
        """What the controls list of the delivery: never headers or bodies, and no part
        of the URL the vendor's receivers keep a secret in."""


class WebhookFaults(BaseModel):
    """What goes wrong with outgoing calls. An empty object clears every fault."""

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
    #: Apply only to URLs matching this regular expression (default: all).
    match: RegexText | None = None
    #: Apply only to the next N matching deliveries, then clear.
    times: int | None = Field(default=None, ge=1)


D = TypeVar("D", bound=BaseDelivery)


class BaseOutbox(Generic[D]):
    """Every delivery since the last clear, in ``deliveries``, and the ones in flight.

    A vendor's outbox stages its own deliveries through :meth:`_record`, and may give a
    retry schedule (``retry_delays``: the waits before each retry; none, one attempt)
    and an admission rule (:meth:`_admitted`). With a ``seed``, the faults' shares are
    drawn afresh from it on every :meth:`set_faults`, so the same faults drop the same
    calls; without one, from ``rng`` (by default an unseeded generator).
    """

    def __init__(
        self,
        *,
        timeout: float,
        retry_delays: tuple[float, ...] = (),
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.sender: Sender | None = None
        self.sleep: Sleep = asyncio.sleep
        self.retry_delays = retry_delays
        self.timeout = timeout
        self.deliveries: list[D] = []
        self.faults = WebhookFaults()
        self._seed = seed
        self._rng = rng or random.Random(seed)
        self._times = Countdown()
        self._held: list[D] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    # -- control ---------------------------------------------------------------------

    def set_faults(self, faults: WebhookFaults) -> None:
        self.faults = faults
        self._times = Countdown(faults.times)
        if self._seed is not None:
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

    def _next_id(self) -> int:
        return len(self.deliveries) + 1

    def _record(self, delivery: D) -> D:
        """Log a staged delivery; it is sent once :meth:`start` is called with it."""
        self.deliveries.append(delivery)
        return delivery

    async def start(self, deliveries: list[D]) -> None:
        """Send ``deliveries`` in the background (after the write was answered)."""
        for delivery in deliveries:
            if delivery.state == "pending" and self._current(delivery):
                self._dispatch(delivery)

    def _current(self, delivery: D) -> bool:
        """Whether ``delivery`` is still this outbox's (not forgotten by a clear)."""
        index = delivery.id - 1
        return 0 <= index < len(self.deliveries) and self.deliveries[index] is delivery

    def _dispatch(self, delivery: D) -> None:
        f = self.faults
        if not self._applies(delivery.request.url):
            self._launch(delivery, 0.0)
            return
        if f.drop and self._rng.random() < f.drop:
            delivery.give_up("dropped")
            return
        copies = [delivery]
        if f.duplicate and self._rng.random() < f.duplicate:
            twin = replace(
                delivery, id=self._next_id(), state="pending", attempts=[], duplicate_of=delivery.id
            )
            copies.append(self._record(twin))
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
        return self._times.take()

    def _launch(self, delivery: D, delay: float) -> None:
        task = asyncio.get_running_loop().create_task(self._run(delivery, delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- sending ---------------------------------------------------------------------

    async def _run(self, delivery: D, delay: float) -> None:
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
        delivery.give_up("failed")

    async def _admitted(self, delivery: D) -> bool:
        """Whether the attempt may go out now; a vendor's outbox may make it wait, or
        give the delivery up (then False)."""
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


def outbox_routes(outbox: BaseOutbox[Any]) -> list[Route]:
    """The emulator's controls of its outgoing calls.

    | call | what it does |
    |---|---|
    | ``GET /_emulator/webhooks`` | every delivery since the last reset, as summarised |
    | ``POST /_emulator/webhooks/drain`` | wait for every delivery in flight, then list them |
    | ``GET/POST /_emulator/webhooks/faults`` | read or replace the faults (``{}`` clears them) |
    """

    async def deliveries(request: Request) -> Response:
        return JSONResponse([d.summary() for d in outbox.deliveries])

    async def drain(request: Request) -> Response:
        await outbox.drain()
        return await deliveries(request)

    async def get_faults(request: Request) -> Response:
        return JSONResponse(outbox.faults.model_dump(mode="json"))

    async def set_faults(request: Request) -> Response:
        try:
            faults = WebhookFaults.model_validate_json(await request.body() or b"{}")
        except pydantic.ValidationError as exc:
            return invalid(exc)
        outbox.set_faults(faults)
        return JSONResponse(faults.model_dump(mode="json"))

    return [
        Route("/_emulator/webhooks", deliveries, methods=["GET"]),
        Route("/_emulator/webhooks/drain", drain, methods=["POST"]),
        Route("/_emulator/webhooks/faults", get_faults, methods=["GET"]),
        Route("/_emulator/webhooks/faults", set_faults, methods=["POST"]),
    ]
