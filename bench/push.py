"""Upsales changes into Freshdesk by push: latency, a minute of 1,000 edits, lost pokes.

The service (pushes on, the queue on Redis through arq) and both emulators run in this
process; each emulator answers every call after ``--latency-ms`` (100 ms), Freshdesk
keeps the enterprise plan (700 calls a minute). An edit changes an Upsales contact's
title (and its ``modDate``) and then pokes the receiver as Upsales' trigger would.

1. Latency: ``--light`` edits spread over 30 s, one contact each; the time from the
   edit to Freshdesk's write of the new title (goal: p95 <= 5 s).
2. Load: ``--edits`` edits within 60 s over ``--contacts`` contacts; all applied, and
   the most Freshdesk calls in any 60 s against the plan (goal: <= 700, no 429).
3. Lost pokes: an edit on each of ``--contacts`` contacts with 10 % of the pokes
   dropped; the reconciliation run (the sync) then repairs each miss, and a second run
   finds nothing left.

    .venv/bin/python bench/push.py [--edits 1000] [--contacts 250] [--light 60]

``redis-server`` must be installed (``apt-get install redis-server``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from harness import pass_through, print_figures
from scaleout import redis_server

from upsales_freshdesk.clients import FreshdeskClient, UpsalesClient
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator
from upsales_freshdesk.push.config import PushSettings
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.sync.engine import Sync
from upsales_freshdesk.sync.state import SyncState
from upsales_freshdesk.web.app import create_app
from upsales_freshdesk.web.deps import Credentials

HOST = "demo.freshdesk.com"
EMULATED = "http://testserver/api/v2/"  # in-process emulators (httpx.ASGITransport)
SECRET = "bench-upsales-push-secret-0123456789ab"  # noqa: S105 - in-process only
PLAN = 700


@dataclass
class Probe:
    """ASGI wrapper of the Freshdesk emulator: each call's time and status, and when
    each contact was written with which job title."""

    app: Any
    calls: list[tuple[float, int]] = field(default_factory=list)
    titles: dict[int, list[tuple[float, str]]] = field(default_factory=dict)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        put = scope["method"] == "PUT"
        body, status = await pass_through(self.app, scope, receive, send, read_body=put)
        now = time.monotonic()
        self.calls.append((now, status))
        if put and status == 200 and "/contacts/" in scope["path"]:
            title = json.loads(body or b"{}").get("job_title")
            if title is not None:
                cid = int(scope["path"].rstrip("/").rsplit("/", 1)[-1])
                self.titles.setdefault(cid, []).append((now, title))

    def busiest_minute(self) -> int:
        times = sorted(t for t, _ in self.calls)
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= 60:
                start += 1
            best = max(best, end - start + 1)
        return best


class Bench:
    def __init__(self, args: argparse.Namespace, redis_url: str) -> None:
        self.args = args
        self.fd = create_freshdesk_emulator(plan="enterprise")
        self.us = create_upsales_emulator()
        delay = Faults(latency_ms=args.latency_ms)
        self.fd.faults.set(delay)
        self.us.faults.set(delay)
        self.probe = Probe(self.fd)
        self.app = create_app(
            Settings(
                freshdesk_base_url=EMULATED,
                upsales_base_url=EMULATED,
                freshdesk_plan="enterprise",
                webhook_secret="bench-ticket-webhook-secret-0123456789",  # noqa: S106
                redis_url=redis_url,
            ),
            transports={
                "freshdesk": httpx.ASGITransport(app=self.probe),
                "upsales": httpx.ASGITransport(app=self.us),
            },
            webhook_credentials=Credentials(HOST, DEFAULT_KEY, DEFAULT_TOKEN),
            push=PushSettings(enabled=True, UFD_UPSALES_WEBHOOK_SECRET=SECRET),
        )
        fd_emails = Counter(c["email"] for c in self.fd.store.contacts.values())
        us_emails = Counter(c.get("email") for c in self.us.store.tables["contacts"].values())
        emails = {c["email"]: c["id"] for c in self.fd.store.contacts.values()}
        #: Upsales id -> Freshdesk id of every contact in both, each email once per side
        #: (a shared email is left alone by rule: no push writes it).
        self.pairs = {
            c["id"]: emails[c["email"]]
            for c in self.us.store.tables["contacts"].values()
            if fd_emails[c.get("email")] == 1 and us_emails[c.get("email")] == 1
        }
        self.edits = 0

    def edit(self, upsales_id: int) -> str:
        self.edits += 1
        title = f"Title {self.edits}"
        contact = self.us.store.tables["contacts"][upsales_id]
        contact["title"] = title
        self.us.store.touch(contact)  # its modDate, as Upsales' own edit moves it
        return title

    async def poke(self, http: httpx.AsyncClient, upsales_id: int) -> int:
        resp = await http.post(
            "/v1/webhooks/upsales",
            json={"entity": "contact", "id": upsales_id, "event": "after_contact_update"},
            headers={"X-Webhook-Secret": SECRET},
        )
        return resp.status_code

    async def drain(self) -> None:
        async with asyncio.timeout(1800):
            while await self.app.state.background.queue.pending():  # noqa: ASYNC110 - Redis
                await asyncio.sleep(0.2)
            await self.app.state.background.queue.drain()

    def applied(self, ids: list[int]) -> int:
        us, fd = self.us.store.tables["contacts"], self.fd.store.contacts
        return sum(fd[self.pairs[i]]["job_title"] == us[i]["title"] for i in ids)

    async def latency(self, http: httpx.AsyncClient) -> list[float]:
        ids = list(self.pairs)[: self.args.light]
        gap = 30 / max(1, len(ids))
        edited: dict[int, tuple[float, str]] = {}
        for uid in ids:
            title = self.edit(uid)
            edited[uid] = (time.monotonic(), title)
            await self.poke(http, uid)
            await asyncio.sleep(gap)
        await self.drain()
        lags = []
        for uid, (at, title) in edited.items():
            writes = self.probe.titles.get(self.pairs[uid], [])
            lags += [min(t for t, v in writes if v == title) - at] if writes else []
        return lags

    async def load(self, http: httpx.AsyncClient) -> tuple[list[int], list[int], float]:
        ids = list(self.pairs)[: self.args.contacts]
        gap = 60 / self.args.edits
        began = time.monotonic()
        statuses = []

        async def one(n: int) -> None:
            await asyncio.sleep(max(0.0, began + n * gap - time.monotonic()))
            uid = ids[n % len(ids)]
            self.edit(uid)
            statuses.append(await self.poke(http, uid))

        await asyncio.gather(*(one(n) for n in range(self.args.edits)))
        await self.drain()
        return ids, statuses, time.monotonic() - began

    async def lost(self, http: httpx.AsyncClient, sync: Sync) -> tuple[int, int, int]:
        await sync.run()  # the baseline: what the seed itself differs in
        ids = list(self.pairs)[: self.args.contacts]
        rng = random.Random(7)  # a reproducible choice of the pokes to drop
        dropped = 0
        await asyncio.sleep(1)  # the next edits' modDate is after the baseline's cursor
        for uid in ids:
            self.edit(uid)
            if rng.random() < 0.10:
                dropped += 1
            else:
                await self.poke(http, uid)
        await self.drain()
        first = (await sync.run()).repaired
        second = (await sync.run()).repaired
        return dropped, first, second


def sync_clients(bench: Bench) -> tuple[FreshdeskClient, UpsalesClient]:
    fd = FreshdeskClient(
        HOST,
        DEFAULT_KEY,
        plan=int(PLAN * 0.6),
        base_url=EMULATED,
        transport=httpx.ASGITransport(app=bench.probe),
    )
    us = UpsalesClient(
        DEFAULT_TOKEN, base_url=EMULATED, transport=httpx.ASGITransport(app=bench.us)
    )
    return fd, us


async def run(args: argparse.Namespace, redis_url: str) -> None:
    bench = Bench(args, redis_url)
    async with (
        bench.app.router.lifespan_context(bench.app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=bench.app), base_url="http://ufd"
        ) as http,
    ):
        lags = await bench.latency(http)
        ids, statuses, took = await bench.load(http)
        applied = bench.applied(ids)
        busiest, refused = bench.probe.busiest_minute(), sum(s == 429 for _, s in bench.probe.calls)
        with tempfile.TemporaryDirectory() as folder:
            fd, us = sync_clients(bench)
            sync = Sync(fd, us, SyncState(Path(folder) / "state.sqlite3"))
            dropped, first, second = await bench.lost(http, sync)
    q = statistics.quantiles(lags, n=100) if len(lags) > 1 else [0.0] * 99
    print(
        f"push: {args.latency_ms:.0f} ms a call, Freshdesk enterprise ({PLAN}/min), "
        f"coalescing {PushSettings().coalesce_seconds:.0f} s"
    )
    rows = [
        ("edit -> Freshdesk p50", f"{q[49]:.2f} s", ""),
        ("edit -> Freshdesk p95", f"{q[94]:.2f} s", "<= 5 s"),
        (f"{args.edits} edits in 60 s: pokes accepted", f"{statuses.count(202)}", "all"),
        ("contacts showing their last edit", f"{applied} of {len(ids)}", "all"),
        ("time until all applied", f"{took:.0f} s", ""),
        ("most Freshdesk calls in a minute", f"{busiest}", f"<= {PLAN}"),
        ("429s from Freshdesk", f"{refused}", "0"),
        ("pokes dropped (10 %)", f"{dropped}", ""),
        ("repaired by the next reconciliation", f"{first}", f"= {dropped}"),
        ("repaired by a second one", f"{second}", "0"),
    ]
    print_figures(rows, name_width=40, value_width=12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=250)
    parser.add_argument("--light", type=int, default=60)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    with redis_server() as url:
        asyncio.run(run(args, url))


if __name__ == "__main__":
    main()
