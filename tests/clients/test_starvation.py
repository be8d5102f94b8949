"""Throttles and budgets that a wrong key cannot spend, bounded per-key state, and a
rate-limit pause that one answer cannot stretch to an hour."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.emulated import US_BASE
from tests.support.service import HEADERS, running
from tests.support.sleeps import RecordingSleep
from upsales_freshdesk.clients import RetryPolicy, ServerError, UpsalesClient
from upsales_freshdesk.clients.accounts import Bounded
from upsales_freshdesk.clients.policy import RetryBudget
from upsales_freshdesk.clients.registry import MAX_PROBATION, ThrottleRegistry
from upsales_freshdesk.clients.throttle import (
    MAX_PAUSE_SECONDS,
    UPSALES_LIMIT,
    UPSALES_WINDOW_SECONDS,
)
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator


def codes(card: dict[str, object]) -> set[str]:
    return {f"{e['source']}:{e['code']}" for e in card["errors"]}  # type: ignore[attr-defined, index]


async def test_wrong_key_traffic_does_not_spend_a_working_keys_budget() -> None:
    """Plan of 6 calls a minute: twenty wrong-key cards for the same account leave the
    agent's own key its whole budget."""
    async with running(freshdesk_plan="6", card_deadline_seconds=1.5) as service:
        first = (await service.card("found")).json()
        assert first["status"] == "found"  # the agent's key works: it has its own budget now
        wrong = {"X-Freshdesk-Api-Key": "stolen-or-wrong-key"}
        attack = await asyncio.gather(*(service.card("found", headers=wrong) for _ in range(20)))
        refused = {"freshdesk:auth_failed", "freshdesk:rate_limited", "freshdesk:timeout"}
        assert all(codes(a.json()) & refused for a in attack)
        again = (await service.card("found")).json()
        assert again["status"] == "found", again["errors"]
        assert "freshdesk:rate_limited" not in codes(again)


async def test_distinct_wrong_credentials_keep_no_state_per_key() -> None:
    # Enterprise: 700 calls a minute, so the untried keys' gate (70 probes) admits them all.
    async with running(freshdesk_plan="enterprise") as service:
        for i in range(60):
            await service.card(
                "found",
                headers={"X-Freshdesk-Api-Key": f"wrong-{i}", "X-Upsales-Token": f"bad-token-{i}"},
            )
        registry: ThrottleRegistry = service.app.state.upstreams.registry
        assert len(registry._verified) == 0
        assert len(registry._throttles) <= 2  # the helpdesk's window and its probation gate
        assert len(registry._budgets) <= 2  # the helpdesk's, and Upsales' untried tokens'
        # An Upsales token is its own account: its throttle is its own, kept apart.
        assert 0 < len(registry._probation) <= 60
        assert len(registry._refused) <= MAX_PROBATION


async def test_one_tenants_429_does_not_hold_another_tenants_first_card() -> None:
    """Upsales limits each token on its own. Tenant A's token is spent (its other
    integrations used it up) and neither token has worked in this process yet: A's 429
    must not pause B's first card, as it did when untried tokens shared one probation
    throttle."""
    async with running() as service:
        service.us.api.tokens.add("tenant-b-token")  # type: ignore[attr-defined]
        spent = service.us.limiters[0]
        while spent.take(DEFAULT_TOKEN).allowed:
            pass
        a = (await service.card("found")).json()
        assert "upsales:rate_limited" in codes(a)
        b = await service.card("found", headers={**HEADERS, "X-Upsales-Token": "tenant-b-token"})
        assert b.json()["status"] == "found", b.json()["errors"]
        # and A is still held, by its own throttle
        again = (await service.card("found")).json()
        assert "upsales:rate_limited" in codes(again)


async def test_a_flood_of_untried_tokens_does_not_push_out_a_working_ones_state() -> None:
    registry = ThrottleRegistry(capacity=50)
    window = UPSALES_WINDOW_SECONDS
    working = registry.slot("upsales", "", "working-token", UPSALES_LIMIT, window)
    working.confirm()
    throttle, budget = working.throttle, working.budget
    for i in range(3 * MAX_PROBATION):
        wrong = registry.slot("upsales", "", f"wrong-{i}", UPSALES_LIMIT, window)
        assert wrong.throttle is not throttle
        assert wrong.budget is not budget
    assert working.throttle is throttle
    assert working.budget is budget
    assert len(registry._probation) == 50
    assert len(registry._throttles) == 1
    assert len(registry._budgets) == 2  # the working token's, and the untried ones'


async def test_a_crowd_of_untried_tokens_gets_one_budget_of_retries(
    policy: RetryPolicy, sleeps: RecordingSleep
) -> None:
    """Upsales is down and 300 tokens that never worked each make a call: together they
    retry no more than one budget allows (100 retries at 5 tokens of 500), as one token
    would, not 300 budgets' worth."""
    emu = create_upsales_emulator(tokens={f"tenant-{i}" for i in range(300)})
    emu.faults.set(Faults(error_rates={503: 1.0}))
    registry = ThrottleRegistry()
    transport = httpx.ASGITransport(app=emu)

    async def first_call(token: str) -> None:
        client = UpsalesClient(
            token, base_url=US_BASE, policy=policy, transport=transport, registry=registry
        )
        with pytest.raises(ServerError):
            await client.contacts.find_by_email("someone@example.com")

    await asyncio.gather(*(first_call(f"tenant-{i}") for i in range(300)))
    budget = RetryBudget()
    assert len(sleeps.waits) == budget.capacity // budget.retry_cost
    assert emu.stats.total == 300 + len(sleeps.waits)


def test_per_key_state_is_bounded() -> None:
    table: Bounded[int] = Bounded(capacity=100)
    for i in range(4000):
        table.use(f"k{i}", lambda i=i: i)  # type: ignore[misc]
    assert len(table) == 100
    assert "k3999" in table
    assert "k0" not in table


async def test_one_long_429_pauses_an_account_briefly_and_a_success_ends_it() -> None:
    """A 429 that says "come back in an hour" holds the account for at most 30 s; the
    call after that probes, and its success clears the pause for everyone."""
    async with running() as service:
        assert (await service.card("found")).json()["status"] == "found"
        registry: ThrottleRegistry = service.app.state.upstreams.registry
        slot = registry.slot(
            "upsales", "", HEADERS["X-Upsales-Token"], UPSALES_LIMIT, UPSALES_WINDOW_SECONDS
        )
        service.us.faults.set(Faults(storm={"count": 1, "retry_after": 3600}))
        limited = (await service.card("found")).json()
        assert "upsales:rate_limited" in codes(limited)
        throttle = slot.throttle
        assert 0 < throttle.paused_for <= MAX_PAUSE_SECONDS
        throttle._paused_until -= MAX_PAUSE_SECONDS  # half a minute passes
        probe = (await service.card("found")).json()
        assert probe["status"] == "found"
        assert throttle.paused_for == 0
