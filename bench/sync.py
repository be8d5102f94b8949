"""Benchmark of the bulk sync: calls and wall time against the rate-limit floor.

A book of N Upsales contacts (default 10,000) is synced once, then 10 % of them change
and the measured run syncs them, at Freshdesk plan "pro" with the sync's default share
(60 %). Freshdesk's one-minute rate window is scaled down (``--scale``, default 20x) in
both the emulator and the client, so the run takes seconds instead of minutes; every
figure is reported in real (unscaled) minutes too. Side by side, in the same run:

- the sync's calls: Freshdesk list pages, Upsales pages, writes;
- the naive approach (look each changed contact up by email, then PUT it), on a copy of
  the same data, with the same budget;
- a second run with no changes.

    .venv/bin/python bench/sync.py [--contacts 10000] [--changed 0.10] [--scale 20]

With ``--latency-ms`` (a real Freshdesk write takes 150-400 ms), the emulators run out
of process (``emulate --latency-ms``, real 60 s window), one per plan, and plans pro and
enterprise are measured side by side: an incremental run of ``--updates`` changed and
``--creates`` new Upsales contacts (created in Freshdesk), against the floor (the
throttle's rate-limit floor, or the latency of the calls that must follow one another),
with the calls at the floor and the time left the bar predicted at 10 % against actual.
The throttle's floor is a bucket of a tenth of the share, refilled at the share's rate
(``SMOOTH_BURST_SHARE``: a run that starts at once must not spend nearly twice its share
in its first window); the ratio against the floor with the whole share at the start is
printed beside it: that is what the smoothing costs a short run.

    .venv/bin/python bench/sync.py --latency-ms 200 [--updates 200] [--creates 480]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from upsales_freshdesk.clients import RetryPolicy, plan_limit
from upsales_freshdesk.clients.throttle import SMOOTH_BURST_SHARE
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.freshdesk.store import FreshdeskStore
from upsales_freshdesk.emulators.process import EmulatorProcess, run_emulators
from upsales_freshdesk.emulators.seed import build_book
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator
from upsales_freshdesk.emulators.upsales.store import UpsalesStore
from upsales_freshdesk.rules.fields import FieldRule, sync_requester
from upsales_freshdesk.sync.config import SyncSettings
from upsales_freshdesk.sync.engine import SKEW, Progress, Sync
from upsales_freshdesk.sync.state import SyncState

BASE = "http://testserver/api/v2/"
POLICY = RetryPolicy(max_attempts=10, backoff_base=0.05, backoff_max=1, retry_after_max=10)


class World:
    def __init__(self, contacts: int, window: float) -> None:
        book = build_book(7, accounts=200, contacts=contacts)
        self.fd = create_freshdesk_emulator(
            plan="pro", window=window, store=FreshdeskStore(book=book)
        )
        self.us = create_upsales_emulator(store=UpsalesStore(book=book))
        self.transports: dict[str, httpx.AsyncBaseTransport] = {
            "freshdesk": httpx.ASGITransport(app=self.fd),
            "upsales": httpx.ASGITransport(app=self.us),
        }

    def calls(self) -> tuple[int, int, int]:
        routes = self.fd.stats.by_route
        lists = routes.get("GET /api/v2/contacts", 0)
        return lists, self.fd.stats.total - lists, self.us.stats.total

    def reset_stats(self) -> None:
        self.fd.stats.reset()
        self.us.stats.reset()


def settings(window: float, state: Path) -> SyncSettings:
    return SyncSettings(
        freshdesk_domain="demo",
        freshdesk_api_key=DEFAULT_KEY,
        upsales_token=DEFAULT_TOKEN,
        freshdesk_plan="pro",
        freshdesk_base_url=BASE,
        upsales_base_url=BASE,
        state_path=state,
        freshdesk_window_seconds=window,
        _env_file=None,
    )


async def sync_once(world: World, config: SyncSettings) -> float:
    fd, us = config.clients(world.transports, policy=POLICY)
    state = SyncState(config.state_path)
    started = time.perf_counter()
    async with fd, us:
        report = await Sync(fd, us, state, list_pace=config.list_limiter().acquire).run()
    state.close()
    if report.counts.get("failed"):
        raise RuntimeError(f"failed records: {report.reasons}")
    return time.perf_counter() - started


async def naive(world: World, config: SyncSettings, changed: list[int]) -> float:
    """The old way: one email lookup per changed contact, then a PUT if it differs."""
    fd, us = config.clients(world.transports, policy=POLICY)
    pace = config.list_limiter()
    started = time.perf_counter()
    async with fd, us:
        for contact_id in changed:
            contact = await us.contacts.get(contact_id)
            if not contact.email:
                continue
            await pace.acquire()
            found = [c async for c in fd.contacts.list(email=contact.email)]
            if len(found) == 1:
                await sync_requester(fd, found[0], contact, FieldRule.of(None))
    return time.perf_counter() - started


async def naive_twin(
    contacts: int, share: float, window: float, tmp: str, changed: list[int]
) -> tuple[float, tuple[int, int, int]]:
    """The same data, synced once, changed the same way, then the naive way."""
    twin = World(contacts, window)
    twin_config = settings(window, Path(tmp) / "twin.sqlite3")
    await sync_once(twin, twin_config)
    await asyncio.sleep(window)
    change(twin, share, random.Random(3))
    twin.reset_stats()
    wall = await naive(twin, twin_config, changed)
    return wall, twin.calls()


def change(world: World, share: float, rng: random.Random) -> list[int]:
    store = world.us.store
    assert isinstance(store, UpsalesStore)
    ids = rng.sample(sorted(store.tables["contacts"]), k=int(len(store.tables["contacts"]) * share))
    for i in ids:
        record = store.tables["contacts"][i]
        record["title"] = f"{record.get('title') or 'Kontakt'} (ny)"
        store.touch(record)
    return ids


def floor_seconds(
    fd_calls: int, list_pages: int, config: SyncSettings, *, burst_share: int = SMOOTH_BURST_SHARE
) -> float:
    """Least time the limits allow: a leaky bucket refilled at the sync's share, holding a
    ``1/burst_share`` of it at the start, as the sync's throttle does (``burst_share=1``:
    the whole share at the start, which would spend nearly twice the share in the first
    window)."""
    window = config.freshdesk_window_seconds
    total, lists = config.freshdesk_calls_per_window, config.list_pages_per_window
    burst = max(1, total // burst_share)
    return max(
        max(0, fd_calls - burst) * window / total, max(0, list_pages - lists) * window / lists
    )


async def main(contacts: int, share: float, scale: float) -> None:
    window = 60.0 / scale
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        world = World(contacts, window)
        config = settings(window, Path(tmp) / "sync.sqlite3")
        await sync_once(world, config)  # the state a regular run starts from
        await asyncio.sleep(window)  # a fresh rate-limit window, as between real runs
        changed = change(world, share, rng)
        # A run re-reads what changed in the SKEW before it started (on purpose). Real runs
        # are minutes apart; here, let the changes age past it before the measured run.
        await asyncio.sleep(SKEW.total_seconds() + 1)
        world.reset_stats()
        wall = await sync_once(world, config)
        lists, writes, us_calls = world.calls()

        naive_wall, (n_lists, n_other, n_us) = await naive_twin(
            contacts, share, window, tmp, changed
        )

        await asyncio.sleep(window)
        world.reset_stats()
        quiet_wall = await sync_once(world, config)
        q_lists, q_other, q_us = world.calls()

    ours = lists + writes + us_calls
    theirs = n_lists + n_other + n_us
    floor = floor_seconds(lists + writes, lists, config)
    overhead = max(0.0, wall - floor)  # CPU time: it does not grow with the window
    real_floor = floor * scale
    n = contacts
    print(
        f"book: {n:,} Upsales contacts, {len(changed):,} changed ({share:.0%}); plan pro, "
        f"sync share 60% = {config.freshdesk_calls_per_window}/min "
        f"({config.list_pages_per_window} list pages/min); time scale {scale:g}x"
    )
    print(
        f"sync calls:   Freshdesk list pages {lists} (target <= {math.ceil(n / 100)}), "
        f"Freshdesk writes {writes}, Upsales pages {us_calls} "
        f"(target <= {math.ceil(n / 2000)} + a few) = {ours}"
    )
    print(
        f"naive calls:  Freshdesk lookups {n_lists}, writes {n_other}, Upsales {n_us} = "
        f"{theirs}  -> the sync makes {theirs / ours:.2f}x fewer calls"
    )
    if floor > 0.05:
        print(
            f"wall time:    {wall:.2f} s scaled; floor {floor:.2f} s -> {wall / floor:.3f}x "
            "the floor (scaled)"
        )
        print(
            f"real scale:   floor {real_floor / 60:.2f} min + {overhead:.1f} s of work -> "
            f"{(real_floor + overhead) / real_floor:.3f}x the floor (projected)"
        )
    else:
        print(f"wall time:    {wall:.2f} s scaled; the floor is within the limiter's burst")
    print(
        f"naive wall:   {naive_wall:.2f} s scaled = {naive_wall * scale / 60:.2f} real min "
        f"-> {naive_wall / wall:.2f}x the sync"
    )
    print(
        f"no changes:   {q_lists} Freshdesk list pages, {q_other} other Freshdesk calls, "
        f"{q_us} Upsales pages; {quiet_wall:.2f} s"
    )


# -- out of process, at a latency: pro and enterprise side by side ---------------------

PLANS = ("pro", "enterprise")
SETUP_TOKENS = 10  # extra Upsales tokens (own rate limits) for making the changes


@dataclass
class Measured:
    plan: str
    wall: float
    lists: int
    writes: int
    us_calls: int
    floor_rate: float
    floor_full_bucket: float  # the rate-limit floor if the whole share could go at once
    floor_latency: float
    eta_at_10: float  # seconds left, as the bar said at 10 % of the contacts
    left_at_10: float  # seconds it then took
    old_eta_at_10: float  # what the old bar said: every contact left at the plan's rate

    @property
    def floor(self) -> float:
        return max(self.floor_rate, self.floor_latency)


def remote_settings(emu: EmulatorProcess, plan: str, state: Path) -> SyncSettings:
    return SyncSettings(
        freshdesk_domain="demo",
        freshdesk_api_key=emu.freshdesk_key,
        upsales_token=emu.upsales_token,
        freshdesk_plan=plan,
        freshdesk_base_url=emu.freshdesk_url,
        upsales_base_url=emu.upsales_url,
        state_path=state,
        create_missing=True,
        _env_file=None,
    )


async def make_changes(emu: EmulatorProcess, updates: int, creates: int) -> None:
    """Through the Upsales API, on the extra tokens, so the sync's own rate limit is fresh."""
    clients = [
        httpx.AsyncClient(base_url=emu.upsales_url, cookies={"token": t}, timeout=30)
        for t in emu.extra_upsales_tokens
    ]
    tokens: Iterator[httpx.AsyncClient] = itertools.cycle(clients)
    gate = asyncio.Semaphore(40)

    async def call(method: str, path: str, body: Mapping[str, object]) -> None:
        async with gate:
            (await next(tokens).request(method, path, json=dict(body))).raise_for_status()

    jobs = [
        call("PUT", f"contacts/{i}", {"title": f"Bench title {i}"}) for i in range(1, updates + 1)
    ]
    new = (
        {"name": f"Bench {i}", "email": f"b.{i}@bench.example", "client": {"id": 1}}
        for i in range(creates)
    )
    jobs += [call("POST", "contacts", body) for body in new]
    await asyncio.gather(*jobs)
    for c in clients:
        await c.aclose()


def stats(emu: EmulatorProcess) -> tuple[int, int, int]:
    fd, us = (
        httpx.get(f"{c}/_emulator/stats").json()["by_route"]
        for c in (emu.freshdesk_control, emu.upsales_control)
    )
    lists = fd.get("GET /api/v2/contacts", 0)
    return lists, sum(fd.values()) - lists, sum(us.values())


async def measure(
    emu: EmulatorProcess, plan: str, latency: float, updates: int, creates: int, tmp: Path
) -> Measured:
    config = remote_settings(emu, plan, tmp / f"{plan}.sqlite3")
    state = SyncState(config.state_path)
    state.finish(state.begin())  # a first run: the measured one is incremental
    await asyncio.sleep(SKEW.total_seconds() + 1)  # the seed's dates fall before the cursor
    await make_changes(emu, updates, creates)
    await asyncio.to_thread(emu.reset_stats)
    fd, us = config.clients()
    rate = config.freshdesk_calls_per_window / config.freshdesk_window_seconds
    at_10: list[tuple[float, float, float]] = []
    started = time.perf_counter()

    def watch(p: Progress) -> None:
        if not at_10 and p.done >= p.total / 10 and p.eta is not None:
            at_10.append((time.perf_counter(), p.eta, (p.total - p.done) / rate))

    async with fd, us:
        sync = Sync(
            fd,
            us,
            state,
            create_missing=True,
            list_pace=config.list_limiter().acquire,
            progress=watch,
        )
        report = await sync.run()
    ended = time.perf_counter()
    state.close()
    if report.counts.get("failed"):
        raise RuntimeError(f"failed records: {report.reasons}")
    lists, writes, us_calls = await asyncio.to_thread(stats, emu)
    sequential = 1 + lists + 1 + 1  # Upsales page, list pages, an email batch, a write
    when, eta, old = at_10[0]
    return Measured(
        plan,
        ended - started,
        lists,
        writes,
        us_calls,
        floor_seconds(lists + writes, lists, config),
        floor_seconds(lists + writes, lists, config, burst_share=1),
        sequential * latency,
        eta,
        ended - when,
        old,
    )


def table(rows: list[Measured], latency_ms: float) -> None:
    def line(label: str, cell: Callable[[Measured], object]) -> None:
        print(f"{label:<34}" + "".join(f"{cell(r)!s:>22}" for r in rows))

    line("plan", lambda r: r.plan)
    line("sync share (60 %)", lambda r: f"{math.floor(plan_limit(r.plan) * 0.6)}/min")
    line("Freshdesk writes", lambda r: r.writes)
    line("Freshdesk list pages", lambda r: r.lists)
    line("Upsales calls (pages + emails)", lambda r: r.us_calls)
    line("calls at the floor", lambda r: r.writes + r.lists + r.us_calls)
    line("rate-limit floor (the throttle)", lambda r: f"{r.floor_rate:.1f} s")
    line(f"latency floor ({latency_ms:g} ms/call)", lambda r: f"{r.floor_latency:.1f} s")
    line("wall time", lambda r: f"{r.wall:.1f} s")
    line("wall / floor", lambda r: f"{r.wall / r.floor:.3f}x")
    line(
        "wall / floor with no smoothing",
        lambda r: f"{r.wall / max(r.floor_full_bucket, r.floor_latency):.3f}x",
    )
    line("ETA at 10 %: predicted", lambda r: f"{r.eta_at_10:.1f} s")
    line("ETA at 10 %: actual", lambda r: f"{r.left_at_10:.1f} s")
    line("ETA at 10 %: predicted / actual", lambda r: f"{r.eta_at_10 / r.left_at_10:.2f}x")
    line("old bar at 10 % / actual", lambda r: f"{r.old_eta_at_10 / r.left_at_10:.2f}x")


async def remote(latency_ms: float, updates: int, creates: int) -> None:
    latency = latency_ms / 1000
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        emus = [
            stack.enter_context(
                run_emulators(plan=plan, latency_ms=latency_ms, extra_upsales_tokens=SETUP_TOKENS)
            )
            for plan in PLANS
        ]
        rows = await asyncio.gather(
            *(
                measure(e, p, latency, updates, creates, Path(tmp))
                for e, p in zip(emus, PLANS, strict=True)
            )
        )
    print(
        f"book: the emulators' own, {updates} Upsales contacts changed and {creates} new "
        f"(created in Freshdesk); {latency_ms:g} ms per call; real 60 s window; out of process"
    )
    table(list(rows), latency_ms)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--changed", type=float, default=0.10)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--creates", type=int, default=480)
    args = parser.parse_args()
    if args.latency_ms > 0:
        asyncio.run(remote(args.latency_ms, args.updates, args.creates))
    else:
        asyncio.run(main(args.contacts, args.changed, args.scale))
