"""Load and soak benchmark of the backend: concurrent agents against a served backend.

The emulators run in their own process (50 ms per call); the backend runs as
`upsales-freshdesk serve` in another, so its memory (RSS) is measured alone. N
simulated agents each ask for cards back to back for T seconds. In the same run, the
same number of lookups is made the way the old app did (each call after the other)
through the same clients, and the throughput ratio is printed.

    .venv/bin/python bench/load.py [--agents 20] [--seconds 30]
    .venv/bin/python bench/load.py --soak [--rate 10] [--minutes 10]

Freshdesk's and Upsales' own rate limits are lifted in the emulators (and the agents
spread over many Upsales keys): this measures the service, not the vendors' quotas.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from httpx_aiohttp import AiohttpTransport

from upsales_freshdesk.clients import Filters, FreshdeskClient, ThrottleRegistry, UpsalesClient
from upsales_freshdesk.emulators.process import EmulatorProcess, run_emulators
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.web.launch import run_serve

KEY = "demo-freshdesk-key"
SCENARIO = SCENARIOS["found"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def agent(
    http: httpx.AsyncClient,
    emu: EmulatorProcess,
    index: int,
    until: float,
    pace: AsyncLimiter | None,
    latencies: list[float],
    errors: list[str],
    ticket: dict[str, Any],
) -> None:
    n = 0
    while time.monotonic() < until:
        if pace is not None:
            await pace.acquire()
        token = emu.extra_upsales_tokens[(index * 7 + n) % len(emu.extra_upsales_tokens)]
        n += 1
        started = time.perf_counter()
        try:
            resp = await http.post(
                "/v1/card",
                json=ticket,
                headers={
                    "X-Freshdesk-Domain": "demo.freshdesk.com",
                    "X-Freshdesk-Api-Key": KEY,
                    "X-Upsales-Token": token,
                },
            )
            ok = resp.status_code == 200 and resp.json()["status"] == "found"
            if not ok:
                errors.append(f"{resp.status_code} {resp.json().get('status')}")
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        latencies.append((time.perf_counter() - started) * 1000)


async def old_way(emu: EmulatorProcess, lookups: int, agents: int, requester_id: int) -> float:
    """The same lookups, each call after the other, through the same clients."""
    registry = ThrottleRegistry()
    fd = FreshdeskClient("demo", KEY, plan=1_000_000, base_url=emu.freshdesk_url, registry=registry)
    tokens = emu.extra_upsales_tokens
    uss = [UpsalesClient(t, base_url=emu.upsales_url, registry=registry) for t in tokens[:agents]]
    counter = {"left": lookups}

    async def worker(us: UpsalesClient) -> None:
        while counter["left"] > 0:
            counter["left"] -= 1
            await fd.contacts.get(requester_id)
            c = (await us.contacts.find_by_email(SCENARIO.email))[0]
            await us.accounts.get(c.client.id if c.client else 1)
            await us.orders.list(Filters().eq("contact.id", c.id).gte("probability", 1), limit=30)
            await us.activities.list(Filters().eq("contact.id", c.id), limit=5)

    started = time.perf_counter()
    await asyncio.gather(*(worker(us) for us in uss))
    elapsed = time.perf_counter() - started
    await fd.aclose()
    for us in uss:
        await us.aclose()
    return elapsed


async def run(agents: int, seconds: float, soak: bool, rate: float) -> None:
    with run_emulators(
        latency_ms=50, plan="1000000", extra_upsales_tokens=max(200, agents * 4)
    ) as emu:
        async with httpx.AsyncClient() as probe:
            found = await probe.get(
                f"{emu.freshdesk_url}tickets/{SCENARIO.ticket_id}", auth=(KEY, "X")
            )
        requester_id = found.json()["requester_id"]
        ticket = {
            "ticket": {"id": SCENARIO.ticket_id},
            "requester": {"id": requester_id, "email": SCENARIO.email},
            "company": {"id": 901, "name": "Nordvind"},
            "locale": "en",
        }
        settings = {
            "UFD_FRESHDESK_BASE_URL": emu.freshdesk_url,
            "UFD_UPSALES_BASE_URL": emu.upsales_url,
            "UFD_FRESHDESK_PLAN": "1000000",
            "UFD_ALLOW_NO_SECRET": "true",  # a loopback bench; serve requires a secret
        }
        limits = httpx.Limits(max_connections=agents * 2, max_keepalive_connections=agents * 2)
        with run_serve(settings) as backend:
            async with httpx.AsyncClient(
                base_url=backend.url,
                timeout=20,
                transport=AiohttpTransport(limits=limits, trust_env=False),  # a fast load generator
            ) as http:
                await agent(http, emu, 0, time.monotonic() + 2, None, [], [], ticket)  # warm up
                rss_start = rss_mb(backend.pid)
                latencies: list[float] = []
                errors: list[str] = []
                samples: list[tuple[float, float]] = []
                if soak:
                    seconds = seconds * 60
                    agents = max(2, round(rate))  # enough agents: the limiter sets the rate
                    pace = AsyncLimiter(rate, 1)
                else:
                    pace = None
                until = time.monotonic() + seconds
                begin = time.monotonic()

                async def sample() -> None:
                    while time.monotonic() < until:
                        samples.append((time.monotonic() - begin, rss_mb(backend.pid)))
                        await asyncio.sleep(10 if soak else 2)

                started = time.perf_counter()
                await asyncio.gather(
                    sample(),
                    *(
                        agent(http, emu, i, until, pace, latencies, errors, ticket)
                        for i in range(agents)
                    ),
                )
                wall = time.perf_counter() - started
                rss_end = rss_mb(backend.pid)
        if not soak:
            baseline = await old_way(emu, len(latencies), agents, requester_id)

    done = len(latencies)
    print(f"{'soak' if soak else 'load'}: {agents} agents, {wall:.0f} s, emulators at 50 ms/call")
    print(
        f"cards: {done}  throughput {done / wall:.1f}/s  errors {len(errors)}"
        f"{' ' + str(sorted(set(errors))[:3]) if errors else ''}"
    )
    print(
        f"latency p50/p95/p99: {pct(latencies, 0.5):.1f} / {pct(latencies, 0.95):.1f} / "
        f"{pct(latencies, 0.99):.1f} ms"
    )
    print(f"backend RSS: {rss_start:.1f} MB at start, {rss_end:.1f} MB at end")
    if len(samples) > 2:
        xs, ys = [s[0] / 60 for s in samples], [s[1] for s in samples]
        slope = statistics.linear_regression(xs, ys).slope
        print(f"RSS slope: {slope:+.2f} MB/min over {len(samples)} samples")
    if not soak:
        print(
            f"old way (each call after the other, same clients, {agents} workers): "
            f"{done} lookups in {baseline:.1f} s = {done / baseline:.1f}/s -> the card "
            f"service is {baseline / wall:.2f}x faster"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--soak", action="store_true", help="steady rate for --minutes")
    parser.add_argument("--rate", type=float, default=10, help="cards per second (soak)")
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.agents, args.minutes if args.soak else args.seconds, args.soak, args.rate))
