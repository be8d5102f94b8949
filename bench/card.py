"""Benchmark of POST /v1/card against the emulators at a fixed latency per call.

Prints, side by side from one run:
- the backend's own CPU per card (utime + stime of the ``serve`` processes, from /proc,
  over --cpu-cards cards; the emulators and this load generator are other processes);
- p50/p95 of /v1/card at 1 and at N concurrent agents (until the answer is all in);
- the critical path: the Upsales lookup in parallel with Freshdesk, then one round of
  Upsales calls in parallel, made directly with the same clients (the floor);
- the sequential baseline: Freshdesk, then Upsales, then each extra one by one, which
  is how the old app worked;
- upstream calls per card, counted by the emulators.

    .venv/bin/python bench/card.py [--latency-ms 100] [--rounds 30] [--agents 50] [--workers 1,2]
    .venv/bin/python bench/card.py --workers 1 --against ../before --pairs 3

With ``--against``, each configuration is also served from another source tree (the
folder that holds the ``upsales_freshdesk`` package of another commit, e.g. from
``git archive REV src | tar -x``), alternating with this one ``--pairs`` times against
the same emulators: a paired before/after of a change.

The emulators run in their own process and are reached over loopback HTTP, as real
upstreams would be; the backend is ``upsales-freshdesk serve`` in a third process (with
``--workers 1``, then with deploy/upsales-freshdesk.service's ``--workers 2``; its CPU is
the serve process's and its workers'), and this process only generates load (aiohttp).
Each configuration is measured warm: a first wave of N cards opens the connections.
Each of the N agents belongs to its own Upsales account (token), as on a multi-tenant
backend, so Upsales' 200 calls per 10 s per key is not what is measured; the Freshdesk
account is on plan "pro".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import statistics
import sys
import sysconfig
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
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
from upsales_freshdesk.web.launch import run_serve
from upsales_freshdesk.web.logs import configure_logging

#: The worker count of deploy/upsales-freshdesk.service (one per core of a small host).
DEPLOYED = 2
SECRET = "bench-card-secret-0123456789abcdef"  # noqa: S105 - a throwaway secret for the local backend


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return (time.perf_counter() - started) * 1000


async def cpu_per_card(
    card: Callable[[int], Awaitable[float]], pid: int, cards: int, agents: int
) -> float:
    """Milliseconds of the backend's CPU per card, over ``cards`` cards, ``agents`` at once."""
    gate = asyncio.Semaphore(agents)

    async def one(i: int) -> None:
        async with gate:
            await card(i)

    before = backend_cpu(pid)
    await asyncio.gather(*(one(i) for i in range(cards)))
    return (backend_cpu(pid) - before) * 1000 / cards


async def main(
    latency_ms: float,
    rounds: int,
    agents: int,
    cpu_cards: int,
    workers: list[int],
    against: str | None = None,
    pairs: int = 1,
) -> None:
    configure_logging(logging.WARNING)
    # Plan "pro" is 400 calls a minute: more cards than that would measure the throttle.
    with run_emulators(latency_ms=latency_ms, plan="1000000", extra_upsales_tokens=agents) as emu:
        await measure(emu, latency_ms, rounds, agents, cpu_cards, workers, against, pairs)


def backend_cpu(pid: int) -> float:
    """Seconds of CPU ``pid`` and every process under it (uvicorn's workers) have used
    (utime + stime)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if stat.parent.name == str(pid) or _descends(int(stat.parent.name), pid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _descends(pid: int, ancestor: int) -> bool:
    while pid > 1:
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
        if pid == ancestor:
            return True
    return False


@contextmanager
def backend(
    emu: EmulatorProcess, workers: int, tree: str | None = None
) -> Iterator[tuple[str, int]]:
    """``serve`` from this checkout, or from the package in ``tree``."""
    settings = {
        "UFD_FRESHDESK_BASE_URL": emu.freshdesk_url,
        "UFD_UPSALES_BASE_URL": emu.upsales_url,
        "UFD_FRESHDESK_PLAN": "1000000",  # measure the card, not the client's throttle
        "UFD_SERVICE_SECRET": SECRET,
        **({"PYTHONPATH": tree} if tree else {}),
    }
    with run_serve(settings, workers=workers) as served:
        yield served.url, served.pid


@dataclass
class Phase:
    """One backend configuration, measured."""

    workers: int
    tree: str | None  # None: this checkout
    cpu: float  # ms of backend CPU per card
    serial: list[float]  # ms per card, one agent
    concurrent: list[float]  # ms per card, N agents at once
    calls: tuple[int, int]


async def measure(
    emu: EmulatorProcess,
    latency_ms: float,
    rounds: int,
    agents: int,
    cpu_cards: int,
    workers: list[int],
    against: str | None,
    pairs: int,
) -> None:
    tokens = emu.extra_upsales_tokens
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
            "X-Upsales-Token": tokens[agent % len(tokens)],
            "Authorization": f"Bearer {SECRET}",
        }

    async def phase(n_workers: int, tree: str | None) -> Phase:
        # Idle connections are dropped before serve's 5 s keep-alive would close them
        # under a request (aiohttp does not send a POST again on a closed connection).
        connector = aiohttp.TCPConnector(limit=agents * 2, keepalive_timeout=3)
        with backend(emu, n_workers, tree) as (url, pid):
            async with aiohttp.ClientSession(connector=connector) as http:

                async def answer(agent: int) -> tuple[float, int, bytes]:
                    """Milliseconds until the whole answer is in (as load tools time a
                    call), with the answer, to be checked once the wave is in."""
                    started = time.perf_counter()
                    async with http.post(f"{url}/v1/card", json=body, headers=headers(agent)) as r:
                        raw = await r.read()
                    return (time.perf_counter() - started) * 1000, r.status, raw

                def checked(elapsed: float, status: int, raw: bytes) -> float:
                    found = json.loads(raw)["status"] if status == 200 else None
                    if found != "found":
                        raise RuntimeError(f"unexpected card: {status} {found}")
                    return elapsed

                async def card(agent: int) -> float:
                    return checked(*await answer(agent))

                async def wave() -> list[float]:
                    """N agents at once. This process parses the answers after the wave,
                    so that its own work does not delay the timing of other answers."""
                    answers = await asyncio.gather(*(answer(a) for a in range(agents)))
                    return [checked(*a) for a in answers]

                for a in range(agents):
                    await card(a)  # every agent's key is known to work (each worker's too)
                emu.reset_stats()
                await card(0)
                calls = emu.calls()
                # Measured warm, as a service in use runs: a first wave at full concurrency
                # opens the upstream connections (the emulators, like uvicorn, close a
                # connection idle for 5 s, so a wave after the serial phase warms up too).
                await wave()
                cpu = await cpu_per_card(card, pid, cpu_cards, agents)
                serial = [await card(0) for _ in range(rounds)]
                await wave()
                concurrent: list[float] = []
                for _ in range(max(1, rounds // 10)):
                    concurrent += await wave()
        return Phase(n_workers, tree, cpu, serial, concurrent, calls)

    trees: list[str | None] = [None] if against is None else [None, against]
    phases = [
        await phase(n, tree)
        for i in range(pairs)
        for n in workers
        for tree in (trees if i % 2 == 0 else trees[::-1])  # neither always goes first
    ]
    floor, baseline = await reference_paths(emu, ticket, rounds)
    report(phases, floor, baseline, latency_ms, rounds, agents, cpu_cards)


async def reference_paths(
    emu: EmulatorProcess, ticket: dict[str, Any], rounds: int
) -> tuple[list[float], list[float]]:
    """The critical path (the floor) and the old app's sequential calls, made directly
    with the clients."""
    s = SCENARIOS["found"]
    fd = FreshdeskClient(
        "demo", DEFAULT_KEY, plan="pro", base_url=emu.freshdesk_url, registry=ThrottleRegistry()
    )
    us = UpsalesClient(
        emu.extra_upsales_tokens[0], base_url=emu.upsales_url, registry=ThrottleRegistry()
    )
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
    return floor, baseline


def interpreter() -> str:
    """The build the CPU figures are from (the backend runs on this same interpreter):
    on this machine Debian's ``/usr/bin/python3.11`` (libpython linked into the
    executable), the Makefile's pick, used 14-24 % less CPU a card than pyenv's build
    (shared libpython, configured without ``--enable-optimizations``). Optimisation a
    distribution applies outside ``configure`` does not show in ``CONFIG_ARGS``, so only a
    configured ``--enable-optimizations`` is named."""
    maps = Path("/proc/self/maps")  # what this process really loaded (Linux)
    shared = (
        "libpython" in maps.read_text()
        if maps.exists()
        else bool(sysconfig.get_config_var("Py_ENABLE_SHARED"))
    )
    flags = str(sysconfig.get_config_var("CONFIG_ARGS") or "")
    pgo = ", --enable-optimizations" if "--enable-optimizations" in flags else ""
    return (
        f"{platform.python_implementation()} {platform.python_version()} at "
        f"{os.path.realpath(sys.executable)} "
        f"({'shared libpython' if shared else 'libpython in the executable'}{pgo})"
    )


def report(
    phases: list[Phase],
    floor: list[float],
    baseline: list[float],
    latency_ms: float,
    rounds: int,
    agents: int,
    cpu_cards: int,
) -> None:
    f50, b50 = statistics.median(floor), statistics.median(baseline)
    calls = phases[0].calls
    print(
        f"latency per upstream call: {latency_ms:.0f} ms; per configuration {rounds} cards "
        f"serially, {len(phases[0].concurrent)} in waves of {agents}, CPU over {cpu_cards}"
    )
    print(
        f"upstream calls per card:   Freshdesk {calls[0]}, Upsales {calls[1]}"
        f"  (target <= 1 and <= 4)"
    )
    print(f"critical path (floor) p50: {f50:7.1f} ms  (2 x latency = {2 * latency_ms:.0f} ms)")
    print(
        f"{'serve':<22}{'CPU/card':>10}{'1 agent p50':>14}{'ratio':>8}"
        f"{f'{agents} agents p50/p95':>22}{'ratio':>8}"
    )
    for p in phases:
        s50, c50 = statistics.median(p.serial), statistics.median(p.concurrent)
        label = f"--workers {p.workers}" + (" (deploy/)" if p.workers == DEPLOYED else "")
        label += " against" if p.tree else ""
        print(
            f"{label:<22}{p.cpu:>7.2f} ms{s50:>11.1f} ms{s50 / f50:>7.3f}x"
            f"{c50:>11.1f} /{pct(p.concurrent, 0.95):>6.1f} ms{c50 / f50:>7.3f}x"
        )
    print("targets: CPU/card <= 2.5 ms; 1 agent <= 1.1x; 50 agents <= 1.3x (the floor)")
    print(f"interpreter:               {interpreter()}")
    s50 = statistics.median(phases[0].serial)
    print(f"sequential baseline p50:   {b50:7.1f} ms  -> the card is {b50 / s50:.2f}x faster")
    if any(p.tree for p in phases):
        paired(phases)


def paired(phases: list[Phase]) -> None:
    """This checkout against the other tree, per worker count: the medians of the runs."""
    print("this checkout / against (medians of the runs):")
    for n in sorted({p.workers for p in phases}):
        mine = [p for p in phases if p.workers == n and not p.tree]
        other = [p for p in phases if p.workers == n and p.tree]

        def med(runs: list[Phase], of: Callable[[Phase], float]) -> float:
            return statistics.median(of(p) for p in runs)

        for what, of in (
            ("CPU/card", lambda p: p.cpu),
            ("1 agent p50", lambda p: statistics.median(p.serial)),
            ("N agents p50", lambda p: statistics.median(p.concurrent)),
            ("N agents p95", lambda p: pct(p.concurrent, 0.95)),
        ):
            a, b = med(mine, of), med(other, of)
            print(f"  --workers {n} {what:<13}{a:9.2f} / {b:9.2f} ms  ({a / b - 1:+.1%})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--cpu-cards", type=int, default=400)
    parser.add_argument(
        "--workers",
        default=f"1,{DEPLOYED}",
        help="serve --workers values to measure, comma-separated",
    )
    parser.add_argument(
        "--against", help="another source tree to serve from, alternating (see above)"
    )
    parser.add_argument("--pairs", type=int, default=1, help="alternations with --against")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    asyncio.run(
        main(
            args.latency_ms,
            args.rounds,
            args.agents,
            args.cpu_cards,
            workers,
            args.against,
            args.pairs,
        )
    )
