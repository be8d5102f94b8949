"""The demo's timeline (issue 29): Freshdesk's automation rules call the backend's
ticket-event webhook, and the backend keeps each ticket's one Upsales activity.

Everything runs as the product does, in one process: the backend is built with the
timeline on, its own webhook secret and the server's credentials (the demo's Freshdesk
account and keys); the Freshdesk emulator holds the two rules
``upsales-freshdesk timeline install`` makes (the same installer, through the emulator's
Automations API, at start and after each reset, since a reset forgets them); and the
emulator's "Trigger webhook" calls reach the backend's ASGI app through an httpx
``ASGITransport``, never the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette

from ..clients import Deadline, FreshdeskClient, ThrottleRegistry
from ..emulators.freshdesk.app import DEFAULT_DOMAIN, DEFAULT_KEY, FreshdeskEmulator
from ..emulators.freshdesk.webhooks import WebhookRequest, httpx_sender
from ..emulators.upsales.app import DEFAULT_TOKEN
from ..timeline.automation import install, webhook_url
from ..timeline.config import TimelineSettings
from ..timeline.links import LocalLinks
from ..web.background import Background
from ..web.deps import Credentials
from .platform import SERVICE_HOST

#: The helpdesk the emulator plays; ``{{ticket.url}}`` names it, and the backend logs
#: only its tickets.
FRESHDESK_HOST = f"{DEFAULT_DOMAIN}.freshdesk.com"
#: The header value the rules send and the backend expects (drawn by each demo process;
#: ``UFD_WEBHOOK_SECRET`` in a real service).
WEBHOOK_SECRET = secrets.token_urlsafe(32)
#: The server's own credentials: the timeline's jobs read and write with them.
CREDENTIALS = Credentials(FRESHDESK_HOST, DEFAULT_KEY, DEFAULT_TOKEN)
#: The backend's receiver, on the host name the installed app uses for the backend.
WEBHOOK_URL = webhook_url(f"https://{SERVICE_HOST}")
#: The emulators' APIs as the backend and the installer reach them: in-process (ASGI),
#: never a network.
EMULATED = "http://testserver/api/v2/"
#: How long a settle waits for the webhooks and the jobs before answering anyway (an
#: upstream made slow on the page's top bar makes each job take seconds).
SETTLE_SECONDS = 20.0
INSTALL_SECONDS = 10.0


def timeline_settings() -> TimelineSettings:
    """The timeline on, with the product's defaults; no ``.env`` read, as the demo's
    other settings."""
    return TimelineSettings(_env_file=None, enabled=True)


class DemoTimeline:
    """The timeline's parts in the demo: the rules, the webhooks' way to the backend,
    and a settle that waits for both (the page's signal that the Upsales side is current)."""

    def __init__(self, freshdesk: FreshdeskEmulator, backend: Starlette) -> None:
        self.freshdesk = freshdesk
        self.backend = backend
        self.outbox = freshdesk.store.webhooks

    def _jobs(self) -> Background | None:
        """The backend's job queue and the timeline's links, once its lifespan began."""
        jobs: Background | None = getattr(self.backend.state, "background", None)
        return jobs

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Within the backend's lifespan: webhooks go to the backend, the rules are in."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.backend), timeout=self.outbox.timeout
        ) as client:
            self.outbox.sender = httpx_sender(client)
            try:
                await self.install()
                yield
            finally:
                self.outbox.sender = _nowhere
                self.outbox.clear()  # the calls in flight end with the demo

    async def install(self) -> None:
        """Both rules, by the product's own installer (a rule already there is kept)."""
        client = FreshdeskClient(
            DEFAULT_DOMAIN,
            DEFAULT_KEY,
            base_url=EMULATED,
            transport=httpx.ASGITransport(app=self.freshdesk),
            registry=ThrottleRegistry(),
        )
        async with client:
            await install(
                client.automations,
                WEBHOOK_URL,
                WEBHOOK_SECRET,
                deadline=Deadline.after(INSTALL_SECONDS),
            )

    async def reset(self) -> None:
        """After the emulators were re-seeded: the rules again, and no ticket -> activity
        link left from before (ticket and activity ids start over)."""
        jobs = self._jobs()
        if jobs is not None and isinstance(jobs.links, LocalLinks):
            jobs.links.clear()
        await self.install()

    async def settle(self, ticket_id: int | None = None) -> dict[str, Any]:
        """Wait until the webhooks sent so far are delivered (or failed) and the backend's
        jobs are done, within :data:`SETTLE_SECONDS`; then what happened, for the page."""
        jobs = self._jobs()
        loop = asyncio.get_running_loop()
        until = loop.time() + SETTLE_SECONDS
        settled = await _within(self.outbox.drain(), until - loop.time())
        if settled and jobs is not None:
            settled = await _within(jobs.queue.drain(), until - loop.time())
        waiting = await jobs.queue.pending() if jobs is not None else 0
        return {
            "settled": settled,
            "waiting_jobs": waiting,
            "webhooks": [
                self._delivery(d.summary())
                for d in self.outbox.deliveries
                if ticket_id is None or d.ticket_id == ticket_id
            ],
        }

    def _delivery(self, summary: dict[str, Any]) -> dict[str, Any]:
        """A delivery as the page shows it: the rule's name, its state, its last status
        (never the URL's secret or the body)."""
        rule = self.freshdesk.store.automations.get(
            summary["automation_type_id"], summary["rule_id"]
        )
        attempts = summary["attempts"]
        return {
            "rule": rule["name"] if rule else None,
            "event": summary["triggered_event"],
            "state": summary["state"],
            "status": attempts[-1]["status"] if attempts else None,
        }


async def _within(work: Coroutine[Any, Any, None], seconds: float) -> bool:
    """Whether ``work`` finished within ``seconds``; left running if not (never cancelled:
    a cancelled drain would cancel the deliveries it waits for)."""
    task = asyncio.ensure_future(work)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), max(seconds, 0.0))
    return task.done()


async def _nowhere(request: WebhookRequest) -> int:
    """Once the demo stops: no webhook leaves the process (the default sender would use
    the network)."""
    raise httpx.ConnectError("the demo has stopped")
