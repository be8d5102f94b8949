"""One window per upstream account: untried and working keys, processes, the sync, and
the daily count of Upsales calls (in process and through a real Redis)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.support.emulated import US_BASE
from tests.support.redis import Guards
from upsales_freshdesk.clients import (
    AuthenticationError,
    DailyCapReachedError,
    FreshdeskClient,
    UpsalesClient,
    daily,
)
from upsales_freshdesk.clients.accounts import account_key
from upsales_freshdesk.clients.daily import DailyCalls
from upsales_freshdesk.clients.policy import Deadline
from upsales_freshdesk.clients.redis_budgets import SharedRegistry, SharedThrottle, redis_keys
from upsales_freshdesk.clients.redis_guard import RedisGuard, connect
from upsales_freshdesk.clients.registry import ThrottleRegistry
from upsales_freshdesk.clients.throttle import ThrottleWaitTooLong
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator

HOST = "demo.freshdesk.com"
FD_BASE = f"https://{HOST}/api/v2/"


async def test_a_wrong_key_costs_one_call_however_many_cards_use_it() -> None:
    emu = create_freshdesk_emulator(keys={DEFAULT_KEY})
    registry = ThrottleRegistry()
    transport = httpx.ASGITransport(app=emu)
    client = FreshdeskClient(
        HOST, "wrong-key", base_url=FD_BASE, transport=transport, registry=registry
    )

    async def card() -> type[BaseException]:
        try:
            await client.agents.me(deadline=Deadline.after(5))
        except AuthenticationError as exc:
            return type(exc)
        return type(None)  # type: ignore[return-value]

    outcomes = await asyncio.gather(*(card() for _ in range(20)))
    assert set(outcomes) == {AuthenticationError}
    assert emu.stats.total == 1  # one probe; the others learnt its verdict
    await card()
    assert emu.stats.total == 1  # remembered as refused


async def test_many_cards_with_a_new_key_probe_once_then_go_together() -> None:
    emu = create_freshdesk_emulator(keys={DEFAULT_KEY})
    registry = ThrottleRegistry()
    transport = httpx.ASGITransport(app=emu)
    client = FreshdeskClient(
        HOST, DEFAULT_KEY, base_url=FD_BASE, transport=transport, registry=registry
    )
    results = await asyncio.gather(
        *(client.agents.me(deadline=Deadline.after(5)) for _ in range(30))
    )
    assert len(results) == 30
    assert emu.stats.total == 30
    slot = client.core.slot
    assert slot.verified
    # Only the probe passed the gate, and it left no trace: it was answered well.
    assert slot.gate._taken() == 0


async def test_an_upsales_key_past_its_daily_cap_is_not_sent() -> None:
    emu = create_upsales_emulator()
    registry = ThrottleRegistry(daily=DailyCalls(cap=2))
    client = UpsalesClient(
        DEFAULT_TOKEN, base_url=US_BASE, transport=httpx.ASGITransport(app=emu), registry=registry
    )
    await client.self_info()
    await client.self_info()
    with pytest.raises(DailyCapReachedError) as caught:
        await client.self_info()
    assert emu.stats.total == 2
    assert caught.value.retry_after is not None
    assert 0 < caught.value.retry_after <= 86_400
    assert not caught.value.retryable
    assert registry.daily.counts() == {client.core.slot.credential: 2}


# -- through a real Redis ----------------------------------------------------------------


async def test_tried_and_untried_keys_spend_one_window_in_every_process(guards: Guards) -> None:
    """Two processes, each with a working key and an untried one, all on one helpdesk:
    one log in Redis holds every call, so the account never gets two windows."""
    limit, window = 6, 1.0
    stamps: list[float] = []
    slots = []
    for _ in range(2):
        registry = SharedRegistry(guards())
        working = registry.slot("freshdesk", HOST, "working", limit, window)
        working.confirm()
        slots += [working, registry.slot("freshdesk", HOST, "untried", limit, window)]

    async def call(i: int) -> None:
        slot = slots[i % len(slots)]
        throttle = slot.throttle  # the account's, whichever key
        await throttle.acquire(Deadline.after(10))
        stamps.append(time.monotonic())

    await asyncio.gather(*(call(i) for i in range(18)))
    assert len({id(s.throttle) for s in slots}) == 2  # one object per process...
    assert {s.throttle._log_key for s in slots} == {  # type: ignore[attr-defined]
        f"ufd:{{{account_key('freshdesk', HOST)}}}:calls"  # ...and one log in Redis
    }
    times = sorted(stamps)
    most = max(sum(1 for u in times[i:] if u < t + window) for i, t in enumerate(times))
    assert most <= limit


async def test_the_sync_takes_only_what_the_cards_leave(guards: Guards) -> None:
    """The sync (background) gets a slot only while its share of the window is free, never
    a reservation ahead; a card that comes after it does not queue behind it."""
    guard = guards()
    key = account_key("freshdesk", HOST)
    card = SharedThrottle(key, 10, 2.0, guard)
    sync = SharedThrottle(key, 6, 2.0, guard, background=True)
    for _ in range(6):
        await sync.acquire(Deadline.after(1))
    # Its share is spent: the sync is told to come back later (here: past its deadline).
    with pytest.raises(ThrottleWaitTooLong):
        await sync.acquire(Deadline.after(0.3))
    assert await guard.redis.zcard(f"ufd:{{{key}}}:calls") == 6  # nothing reserved ahead
    started = time.monotonic()
    for _ in range(4):  # the cards' headroom is there at once
        await card.acquire(Deadline.after(1))
    assert time.monotonic() - started < 1.0
    # The window is full now: the card's next turn is a reservation; the sync's is refused.
    with pytest.raises(ThrottleWaitTooLong):
        await card.acquire(Deadline.after(0.3))


async def test_a_background_call_waits_for_its_turn_within_its_deadline(guards: Guards) -> None:
    guard = guards()
    sync = SharedThrottle(account_key("freshdesk", "x"), 2, 0.5, guard, background=True)
    started = time.monotonic()
    for _ in range(4):
        await sync.acquire(Deadline.after(5))
    assert time.monotonic() - started >= 0.5  # the third waited for the window to move


async def test_processes_count_each_other_and_fall_back_to_their_share(
    guards: Guards,
) -> None:
    first, second = guards(), guards()
    assert await first.warm_up()
    assert await second.warm_up()
    await first.heartbeat()
    assert first.processes == 2
    assert guards(processes=5).processes == 5  # the operator's setting wins


async def test_redis_down_before_any_count_assumes_two_processes(guards: Guards) -> None:
    guard = guards(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    assert not await guard.warm_up()
    assert guard.processes == 2
    limit, window = 10, 1.0
    throttle = SharedThrottle(account_key("freshdesk", HOST), limit, window, guard)
    stamps: list[float] = []
    stop = time.monotonic() + window * 1.5
    while time.monotonic() < stop:
        await throttle.acquire(Deadline.after(5))
        stamps.append(time.monotonic())
    assert most_in_any_window(stamps, window) <= limit // 2  # half the plan


async def test_upsales_calls_a_day_are_counted_across_processes(guards: Guards) -> None:
    emu = create_upsales_emulator()
    transport = httpx.ASGITransport(app=emu)
    registries = [SharedRegistry(guards()), SharedRegistry(guards())]
    for registry in registries:
        client = UpsalesClient(
            DEFAULT_TOKEN, base_url=US_BASE, transport=transport, registry=registry
        )
        for _ in range(3):
            await client.self_info()
    for registry in registries:
        await asyncio.wait(set(registry.guard._tasks) or {asyncio.ensure_future(asyncio.sleep(0))})
    credential = client.core.slot.credential
    assert registries[1].daily.today(credential) == 6  # what Redis counted for both
    assert registries[0].daily.today(credential) >= 3


def most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for u in times[i:] if u < t + window) for i, t in enumerate(times))


async def test_a_restart_does_not_fail_the_first_cards_of_many_agents() -> None:
    """100 agents with working keys open a card right after a restart (every key is
    untried): the gate holds only probes in flight and refusals, so all are served."""
    plan, window, agents = 400, 60.0, 100
    keys = {f"agent-{i}" for i in range(agents)}
    emu = create_freshdesk_emulator(keys=keys, plan=plan, window=window)
    transport = httpx.ASGITransport(app=emu)
    registry = ThrottleRegistry()

    async def card(key: str) -> bool:
        client = FreshdeskClient(
            HOST,
            key,
            plan=plan,
            base_url=FD_BASE,
            transport=transport,
            registry=registry,
            window_seconds=window,
        )
        try:
            await client.agents.me(deadline=Deadline.after(5))
        except Exception:
            return False
        return True

    served = await asyncio.gather(*(card(k) for k in sorted(keys)))
    assert all(served)


async def test_refused_probes_fill_the_gate_and_working_keys_keep_the_window() -> None:
    """Wrong keys of one helpdesk: at most the gate's share of them reach Freshdesk in a
    window; the rest are answered rate-limited at once, and a working key is served."""
    plan = 100
    emu = create_freshdesk_emulator(keys={DEFAULT_KEY}, plan=plan, window=60)
    transport = httpx.ASGITransport(app=emu)
    registry = ThrottleRegistry()

    def client(key: str) -> FreshdeskClient:
        return FreshdeskClient(
            HOST, key, plan=plan, base_url=FD_BASE, transport=transport, registry=registry
        )

    async def wrong(i: int) -> str:
        try:
            await client(f"wrong-{i}").agents.me(deadline=Deadline.after(3))
        except Exception as exc:
            return type(exc).__name__
        return "served"

    await client(DEFAULT_KEY).agents.me(deadline=Deadline.after(3))  # the agent's key works
    outcomes = await asyncio.gather(*(wrong(i) for i in range(40)))
    assert emu.stats.total == 1 + 10  # the gate: a tenth of the plan
    assert outcomes.count("AuthenticationError") == 10
    assert outcomes.count("RateLimitedError") == 30
    for _ in range(20):  # the working key is not gated: the window is its
        await client(DEFAULT_KEY).agents.me(deadline=Deadline.after(3))
    assert emu.stats.total == 31
    assert emu.stats.by_status[429] == 0


async def test_two_processes_on_a_dead_redis_keep_to_the_plan() -> None:
    """Redis down, two processes: each keeps to half the plan in any window (its bucket
    and a window's refills together), not the whole share twice."""
    limit, window = 10, 2.0
    dead = f"redis://127.0.0.1:{free_port()}/0"
    throttles = []
    guards = []
    for _ in range(2):
        guard = RedisGuard(connect(dead, timeout=0.1), timeout=0.1, processes=2)
        guards.append(guard)
        assert not await guard.warm_up()
        throttles.append(SharedThrottle(account_key("freshdesk", HOST), limit, window, guard))
    stamps: list[float] = []

    async def spend(throttle: SharedThrottle) -> None:
        stop = time.monotonic() + window * 1.5
        while time.monotonic() < stop:
            await throttle.acquire(Deadline.after(5))
            stamps.append(time.monotonic())

    await asyncio.gather(*(spend(t) for t in throttles))
    for guard in guards:
        await guard.aclose()
    assert most_in_any_window(stamps, window) <= limit


async def test_redis_back_after_an_outage_counts_the_fallback_calls(redis_url: str) -> None:
    """Calls made on the fallback share are logged in Redis once it is back: the window
    does not hand out the whole plan again on top of them."""
    limit, window = 10, 2.0
    guard = RedisGuard(connect(redis_url, timeout=0.5), timeout=0.5, cooldown=0.3, processes=1)
    assert await guard.warm_up()
    throttle = SharedThrottle(account_key("freshdesk", HOST), limit, window, guard)
    stamps: list[float] = []
    guard._trip(OSError())  # Redis fails (its cooldown: 0.3 s)
    while time.monotonic() - (stamps[0] if stamps else time.monotonic()) < 0.25:
        await throttle.acquire(Deadline.after(5))  # what the fallback share allows
        stamps.append(time.monotonic())
    await asyncio.sleep(0.4)  # Redis is back
    for _ in range(limit):
        await throttle.acquire(Deadline.after(5))
        stamps.append(time.monotonic())
    await guard.aclose()
    assert most_in_any_window(stamps, window) <= limit


async def test_the_daily_count_of_yesterday_does_not_become_todays(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [86_400 * 20_000 - 0.001]  # 1 ms before midnight UTC
    monkeypatch.setattr(daily.time, "time", lambda: clock[0])
    guard = RedisGuard(connect(redis_url, timeout=1), timeout=1)
    registry = SharedRegistry(guard)
    credential = account_key("upsales", "\0token")
    (key,) = redis_keys(credential, f"day:{daily.utc_day()[0]}")
    await guard.redis.set(key, 90_000)  # a busy yesterday
    registry.count_call(credential)  # sent at 23:59:59.999 ...
    clock[0] += 0.01  # ... its count comes back from Redis after midnight
    while guard._tasks:
        await asyncio.wait(set(guard._tasks))
    assert registry.daily.today(credential) <= 1
    await guard.aclose()


async def test_a_sync_started_past_the_cap_sends_nothing(guards: Guards) -> None:
    """The sync learns the key's shared count before its first call (as its command does)."""
    emu = create_upsales_emulator()
    transport = httpx.ASGITransport(app=emu)
    serve = SharedRegistry(guards())
    card = UpsalesClient(DEFAULT_TOKEN, base_url=US_BASE, transport=transport, registry=serve)
    for _ in range(5):
        await card.self_info()
    while serve.guard._tasks:
        await asyncio.wait(set(serve.guard._tasks))
    sync = SharedRegistry(guards(), background=True, daily=DailyCalls(cap=5))
    client = UpsalesClient(DEFAULT_TOKEN, base_url=US_BASE, transport=transport, registry=sync)
    await sync.load_daily(client.core.slot.credential)
    before = emu.stats.total
    results = await asyncio.gather(*(client.self_info() for _ in range(4)), return_exceptions=True)
    assert emu.stats.total == before
    assert all(isinstance(r, DailyCapReachedError) for r in results)


async def test_every_process_sees_every_keys_count_and_none_is_lost(guards: Guards) -> None:
    """Another process's (the sync's) key shows in this one's counts, from Redis; calls
    counted while Redis did not answer are added once it does."""
    first, second = SharedRegistry(guards(cooldown=0.2)), SharedRegistry(guards())
    credential = account_key("upsales", "\0sync-token")
    first.guard._trip(OSError())  # Redis does not answer this process for a moment
    for _ in range(3):
        first.count_call(credential)
    await asyncio.sleep(0.25)
    first.count_call(credential)  # Redis is back: this count carries the three before it
    while first.guard._tasks:
        await asyncio.wait(set(first.guard._tasks))
    assert await second.daily_counts() == {credential: 4}
