"""One window per upstream account: untried and working keys, processes, the sync, and
the daily count of Upsales calls (in process and through a real Redis)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.conftest import US_BASE
from upsales_freshdesk.clients import (
    AuthenticationError,
    DailyCapReachedError,
    FreshdeskClient,
    UpsalesClient,
)
from upsales_freshdesk.clients.policy import (
    PROBATION_MIN,
    DailyCalls,
    Deadline,
    ThrottleRegistry,
    ThrottleWaitTooLong,
    account_key,
)
from upsales_freshdesk.clients.shared import RedisGuard, SharedRegistry, SharedThrottle, connect
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator

HOST = "demo.freshdesk.com"
FD_BASE = f"https://{HOST}/api/v2/"


def test_a_freshdesk_accounts_keys_share_one_throttle_tried_or_not() -> None:
    registry = ThrottleRegistry()
    working = registry.slot("freshdesk", HOST, "key-a", 60, 60)
    untried = registry.slot("freshdesk", HOST, "key-b", 60, 60)
    working.confirm()
    assert working.throttle is untried.throttle  # one window: Freshdesk limits the account
    other = registry.slot("freshdesk", "other.freshdesk.com", "key-a", 60, 60)
    assert other.throttle is not working.throttle


def test_an_upsales_token_keeps_its_throttle_when_it_starts_working() -> None:
    registry = ThrottleRegistry()
    slot = registry.slot("upsales", "", "token", 200, 10)
    before = slot.throttle
    slot.confirm()
    assert slot.throttle is before  # the same window before and after the first success
    assert registry.slot("upsales", "", "token-2", 200, 10).throttle is not before


def test_the_probation_gate_is_a_bounded_part_of_the_window() -> None:
    registry = ThrottleRegistry()
    assert registry.slot("freshdesk", HOST, "k", 700, 60).gate.limit == 70
    assert registry.slot("freshdesk", HOST, "k", 20, 60).gate.limit == PROBATION_MIN
    assert registry.slot("freshdesk", HOST, "k", 6, 60).gate.limit == 3  # at most half


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
    # Only the probe passed the gate: the rest went on the account's window alone.
    assert slot.gate.limit - 1 <= await _free(slot.gate)


async def _free(throttle: object) -> int:
    """How many calls the (local) throttle would still take at once."""
    limiter = throttle._limiter  # type: ignore[attr-defined]
    count = 0
    while limiter.has_capacity() and count < 1000:
        await limiter.acquire()
        count += 1
    return count


def test_daily_calls_count_per_key_and_day_and_stop_at_the_cap() -> None:
    daily = DailyCalls(cap=3)
    for _ in range(3):
        daily.add("a")
    daily.add("b")
    assert daily.counts() == {"a": 3, "b": 1}
    with pytest.raises(Exception, match="day's calls"):
        daily.check("a")
    daily.check("b")
    daily.seen("b", 2)  # another process counted more
    daily.seen("b", 1)  # never lower
    assert daily.today("b") == 2


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

Guards = Callable[..., RedisGuard]


@pytest.fixture
async def guards(redis_url: str) -> AsyncIterator[Guards]:
    made: list[RedisGuard] = []

    def make(url: str = redis_url, **options: object) -> RedisGuard:
        options.setdefault("timeout", 2.0)
        guard = RedisGuard(connect(url, timeout=2.0), **options)  # type: ignore[arg-type]
        made.append(guard)
        return guard

    yield make
    for guard in made:
        await guard.aclose()


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
    from upsales_freshdesk.emulators.process import free_port

    guard = guards(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    assert not await guard.warm_up()
    assert guard.processes == 2
    throttle = SharedThrottle(account_key("freshdesk", HOST), 10, 60, guard)
    for _ in range(5):  # half the plan, at once
        await throttle.acquire(Deadline.after(1))
    with pytest.raises(TimeoutError):
        await throttle.acquire(Deadline.after(0.2))


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
