"""Benchmark of POST /v1/card against the emulators at a fixed latency per call.

Prints, side by side from one run:
- p50/p95 of /v1/card at 1 and at N concurrent agents;
- the critical path: the Upsales lookup in parallel with Freshdesk, then one round of
  Upsales calls in parallel, made directly with the same clients (the floor);
- the sequential baseline: Freshdesk, then Upsales, then each extra one by one, which
  is how the old app worked;
- upstream calls per card, counted by the emulators.

    .venv/bin/python bench/card.py [--latency-ms 100] [--rounds 30] [--agents 50]

The emulators run in their own process and are reached over loopback HTTP, as real
upstreams would be; the backend runs in this process. Each of the N agents belongs to
its own Upsales account (token), as on a multi-tenant backend, so Upsales' 200 calls
per 10 s per key is not what is measured; the Freshdesk account is on plan "pro".
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from upsales_freshdesk.clients import (
    Deadline,
    Filters,
    FreshdeskClient,
    ThrottleRegistry,
    UpsalesClient,
)
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.process import EmulatorProcess, run_emulators
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.web.app import create_app
from upsales_freshdesk.web.logs import configure_logging


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return (time.perf_counter() - started) * 1000


async def main(latency_ms: float, rounds: int, agents: int) -> None:
    configure_logging(logging.WARNING)
    with run_emulators(latency_ms=latency_ms, plan="pro", extra_upsales_tokens=agents) as emu:
        await measure(emu, latency_ms, rounds, agents)


async def measure(emu: EmulatorProcess, latency_ms: float, rounds: int, agents: int) -> None:
    tokens = emu.extra_upsales_tokens
    app = create_app(
        Settings(
            freshdesk_base_url=emu.freshdesk_url,
            upsales_base_url=emu.upsales_url,
            freshdesk_plan="pro",
        )
    )
    s = SCENARIOS["found"]
    async with httpx.AsyncClient() as probe:
        ticket = (
            await probe.get(f"{emu.freshdesk_url}tickets/{s.ticket_id}", auth=(DEFAULT_KEY, "X"))
        ).json()
    body = {
        "ticket": {"id": ticket["id"]},
        "requester": {"id": ticket["requester_id"], "email": s.email},
        "company": {"id": 901, "name": "Nordvind"},
        "locale": "en",
    }

    def headers(agent: int) -> dict[str, str]:
        return {
            "X-Freshdesk-Domain": "demo.freshdesk.com",
            "X-Freshdesk-Api-Key": DEFAULT_KEY,
            "X-Upsales-Token": tokens[agent],
        }

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc", timeout=30
        ) as http,
    ):

        async def card(agent: int) -> None:
            resp = await http.post("/v1/card", json=body, headers=headers(agent))
            if resp.status_code != 200 or resp.json()["status"] != "found":
                raise RuntimeError(f"unexpected card: {resp.status_code} {resp.text[:200]}")

        await card(0)  # warm up
        emu.reset_stats()
        await card(0)
        calls = emu.calls()

        serial = [await timed(lambda: card(0)) for _ in range(rounds)]
        concurrent: list[float] = []
        for _ in range(max(1, rounds // 10)):
            concurrent += await asyncio.gather(*(timed(lambda a=a: card(a)) for a in range(agents)))

    fd = FreshdeskClient(
        "demo", DEFAULT_KEY, plan="pro", base_url=emu.freshdesk_url, registry=ThrottleRegistry()
    )
    us = UpsalesClient(tokens[0], base_url=emu.upsales_url, registry=ThrottleRegistry())
    async with fd, us:

        async def critical_path() -> None:
            deadline = Deadline.after(8)
            _, found = await asyncio.gather(
                fd.contacts.get(ticket["requester_id"], deadline=deadline),
                us.contacts.find_by_email(s.email, deadline=deadline),
            )
            c = found[0]
            await asyncio.gather(
                us.accounts.get(c.client.id if c.client else 1, deadline=deadline),
                us.orders.list(Filters().eq("contact.id", c.id).gte("probability", 1), limit=30),
                us.activities.list(Filters().eq("contact.id", c.id), limit=5),
            )

        async def sequential() -> None:
            await fd.contacts.get(ticket["requester_id"])
            c = (await us.contacts.find_by_email(s.email))[0]
            await us.accounts.get(c.client.id if c.client else 1)
            await us.orders.for_contact(c.id, kind="opportunity")
            await us.orders.for_contact(c.id, kind="order")
            await us.activities.list(Filters().eq("contact.id", c.id), limit=5)

        floor = [await timed(critical_path) for _ in range(rounds)]
        baseline = [await timed(sequential) for _ in range(max(5, rounds // 3))]

    f50, b50 = statistics.median(floor), statistics.median(baseline)
    s50, c50 = statistics.median(serial), statistics.median(concurrent)
    print(
        f"latency per upstream call: {latency_ms:.0f} ms; {rounds} cards serially, "
        f"{len(concurrent)} cards in waves of {agents}"
    )
    print(
        f"upstream calls per card:      Freshdesk {calls[0]}, Upsales {calls[1]}"
        f"  (target <= 1 and <= 4)"
    )
    print(f"critical path (floor) p50:    {f50:7.1f} ms  (2 x latency = {2 * latency_ms:.0f} ms)")
    print(
        f"/v1/card, 1 agent   p50/p95:  {s50:7.1f} / {pct(serial, 0.95):7.1f} ms"
        f"  -> {s50 / f50:.3f}x the critical path"
    )
    print(
        f"/v1/card, {agents} agents p50/p95:  {c50:7.1f} / {pct(concurrent, 0.95):7.1f} ms"
        f"  -> {c50 / f50:.3f}x the critical path"
    )
    print(f"sequential baseline p50:      {b50:7.1f} ms  -> the card is {b50 / s50:.2f}x faster")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--agents", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.latency_ms, args.rounds, args.agents))
