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
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import tempfile
import time
from pathlib import Path

import httpx

from upsales_freshdesk.clients import RetryPolicy
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.freshdesk.store import FreshdeskStore
from upsales_freshdesk.emulators.seed import build_book
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator
from upsales_freshdesk.emulators.upsales.store import UpsalesStore
from upsales_freshdesk.lookup.fields import FieldRule, sync_requester
from upsales_freshdesk.sync.config import SyncSettings
from upsales_freshdesk.sync.engine import SKEW, Sync
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
        self.transports = {
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


def change(world: World, share: float, rng: random.Random) -> list[int]:
    store = world.us.store
    ids = rng.sample(sorted(store.tables["contacts"]), k=int(len(store.tables["contacts"]) * share))
    for i in ids:
        record = store.tables["contacts"][i]
        record["title"] = f"{record.get('title') or 'Kontakt'} (ny)"
        store.touch(record)
    return ids


def floor_seconds(fd_calls: int, list_pages: int, config: SyncSettings) -> float:
    """Least time the limits allow: a leaky bucket of the sync's share, full at the start."""
    window = config.freshdesk_window_seconds
    total, lists = config.freshdesk_calls_per_window, config.list_pages_per_window
    return max(
        max(0, fd_calls - total) * window / total, max(0, list_pages - lists) * window / lists
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

        twin = World(contacts, window)  # the same data for the naive way
        twin_config = settings(window, Path(tmp) / "twin.sqlite3")
        await sync_once(twin, twin_config)
        await asyncio.sleep(window)
        change(twin, share, random.Random(3))
        twin.reset_stats()
        naive_wall = await naive(twin, twin_config, changed)
        n_lists, n_other, n_us = twin.calls()

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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--changed", type=float, default=0.10)
    parser.add_argument("--scale", type=float, default=20.0)
    args = parser.parse_args()
    asyncio.run(main(args.contacts, args.changed, args.scale))
