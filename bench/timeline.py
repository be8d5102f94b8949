"""Tickets to the Upsales timeline under load: 1,000 ticket events within one minute.

The service (timeline on, its queue on Redis through arq) and both emulators run in this
process; each emulator answers every call after ``--latency-ms`` (100 ms), and Freshdesk
keeps the enterprise plan (700 calls a minute). ``--tickets`` tickets each get a creation
event and then updates (a status change, a new ``updated_at``) until ``--events`` events
were sent, spread evenly over ``--seconds``. Every event arrives as Freshdesk's
automation webhook would send it.

Printed, each next to its goal: the events accepted and the tickets whose activity shows
their newest state (none lost), the calls made against the fewest that state changes
need, the lag from an event to the activity showing its state (p50, p95), and the 429s
the emulators answered (the plan kept).

    .venv/bin/python bench/timeline.py [--events 1000] [--tickets 250] [--seconds 60]

``redis-server`` must be installed (``apt-get install redis-server``).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from harness import pass_through, print_figures
from scaleout import redis_server

from upsales_freshdesk.clients.upsales.models import Activity
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator
from upsales_freshdesk.rules.logged import timeline_stamp
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.timeline.config import TimelineSettings
from upsales_freshdesk.web.app import create_app
from upsales_freshdesk.web.deps import Credentials

HOST = "demo.freshdesk.com"
WEBHOOK_SECRET = "bench-webhook-secret-0123456789abcdef"  # noqa: S105 - in-process only
EMULATED = "http://testserver/api/v2/"  # in-process emulators (httpx.ASGITransport)
FIRST_ID = 10_000


@dataclass
class Writes:
    """ASGI wrapper of the Upsales emulator: when each activity write showed which state."""

    app: Any
    shown: dict[int, list[tuple[float, str]]] = field(default_factory=dict)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            await self.app(scope, receive, send)
            return
        body, status = await pass_through(self.app, scope, receive, send, read_body=True)
        if "/activities" in scope["path"] and status == 200:
            self._record(body)

    def _record(self, body: bytes) -> None:
        data = json.loads(body or b"{}")
        description = data.get("description") or ""
        stamp = timeline_stamp(Activity(id=0, notes=data.get("notes")))
        if stamp is not None and "#" in description:
            ticket = int(description.split("#", 1)[1].split("]", 1)[0])
            self.shown.setdefault(ticket, []).append((time.monotonic(), stamp.isoformat()))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


async def run(args: argparse.Namespace, redis_url: str) -> None:
    fd = create_freshdesk_emulator(plan="enterprise")
    us = create_upsales_emulator()
    delay = Faults(latency_ms=args.latency_ms)
    fd.faults.set(delay)
    us.faults.set(delay)
    writes = Writes(us)
    template = fd.store.tickets[SCENARIOS["found"].ticket_id]
    start = datetime.now(UTC) - timedelta(hours=1)
    for n in range(args.tickets):
        ticket = copy.deepcopy(template)
        ticket.update(id=FIRST_ID + n, subject=f"Bench ticket {n}", status=2)
        ticket["created_at"] = ticket["updated_at"] = iso(start)
        fd.store.tickets[FIRST_ID + n] = ticket
    app = create_app(
        Settings(
            freshdesk_base_url=EMULATED,
            upsales_base_url=EMULATED,
            freshdesk_plan="enterprise",
            webhook_secret=WEBHOOK_SECRET,
            redis_url=redis_url,
        ),
        transports={
            "freshdesk": httpx.ASGITransport(app=fd),
            "upsales": httpx.ASGITransport(app=writes),
        },
        webhook_credentials=Credentials(HOST, DEFAULT_KEY, DEFAULT_TOKEN),
        timeline=TimelineSettings(enabled=True, concurrency=args.concurrency),
    )
    # Event i is for ticket i % tickets: every ticket's creation first, then updates.
    sent: list[tuple[int, str, float]] = []
    statuses: list[int] = []
    states: dict[int, set[str]] = {}
    gap = args.seconds / args.events
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ufd") as http,
    ):
        began = time.monotonic()

        async def one(i: int) -> None:
            await asyncio.sleep(max(0.0, began + i * gap - time.monotonic()))
            tid = FIRST_ID + i % args.tickets
            ticket = fd.store.tickets[tid]
            if i >= args.tickets:  # an update: the agent's change lands first
                ticket["status"] = 3 if ticket["status"] == 2 else 4 if ticket["status"] == 3 else 2
                moment = datetime.fromisoformat(ticket["updated_at"].replace("Z", "+00:00"))
                ticket["updated_at"] = iso(moment + timedelta(seconds=1))
            stamp = ticket["updated_at"].replace("Z", "+00:00")
            states.setdefault(tid, set()).add(stamp)
            at = time.monotonic()
            resp = await http.post(
                "/v1/webhooks/freshdesk/ticket-event",
                json={"ticket_id": tid, "ticket_url": f"https://{HOST}/a/tickets/{tid}"},
                headers={"X-Webhook-Secret": WEBHOOK_SECRET},
            )
            statuses.append(resp.status_code)
            sent.append((tid, stamp, at))

        await asyncio.gather(*(one(i) for i in range(args.events)))
        async with asyncio.timeout(args.seconds * 10):
            await app.state.background.queue.drain()
        elapsed = time.monotonic() - began
    report(args, fd, us, writes, sent, statuses, states, elapsed)


def report(
    args: argparse.Namespace,
    fd: Any,
    us: Any,
    writes: Writes,
    sent: list[tuple[int, str, float]],
    statuses: list[int],
    states: dict[int, set[str]],
    elapsed: float,
) -> None:
    newest = {tid: max(s) for tid, s in states.items()}
    shown_last = {tid: max(s for _, s in w) for tid, w in writes.shown.items()}
    current = sum(shown_last.get(tid) == stamp for tid, stamp in newest.items())
    lags = []
    for tid, stamp, at in sent:
        later = [t for t, s in writes.shown.get(tid, []) if s >= stamp and t >= at]
        if later:
            lags.append(min(later) - at)
    distinct = sum(len(s) for s in states.values())
    # The fewest calls: a Freshdesk read per state, and per ticket an Upsales contact
    # lookup and a create, then one update per later state.
    minimum_fd = distinct
    minimum_us = 2 * len(states) + (distinct - len(states))
    fd_stats, us_stats = fd.stats, us.stats
    q = statistics.quantiles(lags, n=100) if len(lags) > 1 else [0.0] * 99
    # The jobs' share of the plan (60 % of 700 a minute) is all the reads they may make:
    # past it, events wait in the queue and the lag grows with the backlog, by design.
    share = TimelineSettings().share
    floor = f"{int(700 * share)} reads/min"
    rows = [
        ("events accepted (202)", f"{statuses.count(202)} of {len(statuses)}", "all"),
        ("tickets showing their newest state", f"{current} of {len(newest)}", "all"),
        ("Freshdesk calls / fewest", f"{fd_stats.total} / {minimum_fd}", "<= 1.0x (coalesced)"),
        ("Upsales calls / fewest", f"{us_stats.total} / {minimum_us}", "<= 1.0x (coalesced)"),
        ("lag p50 (event -> activity)", f"{q[49]:.2f} s", f"bounded by {floor}"),
        ("lag p95", f"{q[94]:.2f} s", f"bounded by {floor}"),
        (
            "429s answered (Freshdesk, Upsales)",
            f"{fd_stats.by_status[429]}, {us_stats.by_status[429]}",
            "0, 0",
        ),
        ("run (events over --seconds, then drain)", f"{elapsed:.1f} s", ""),
    ]
    print(
        f"timeline: {args.events} events, {args.tickets} tickets, {args.seconds:.0f} s, "
        f"{args.latency_ms:.0f} ms a call, Freshdesk enterprise (700/min)"
    )
    print_figures(rows, name_width=42, value_width=16)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=250)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with redis_server() as url:
        asyncio.run(run(args, url))


if __name__ == "__main__":
    main()
