"""The Freshdesk emulator's own rate-limit table, checked call by call against the docs."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import httpx
import pytest

import upsales_freshdesk.emulators as emulators_pkg
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.freshdesk.limits import PLANS, PlanLimits, parse_plan
from upsales_freshdesk.emulators.server import EmulatorConfig

#: The vendor's numbers, written out again here: calls/min, then ticket create, ticket
#: update, tickets list and contacts list a minute (support.freshdesk.com article 225439).
DOCUMENTED = {
    "trial": (50, None, None, None, None),
    "growth": (200, 80, 80, 20, 20),
    "pro": (400, 160, 160, 100, 100),
    "enterprise": (700, 280, 280, 200, 200),
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client_for(emu: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu), base_url="http://t", auth=(DEFAULT_KEY, "X")
    )


async def statuses(c: httpx.AsyncClient, path: str, n: int) -> list[int]:
    return [(await c.get(path, params={"per_page": 1})).status_code for _ in range(n)]


@pytest.mark.parametrize("plan", list(DOCUMENTED))
def test_the_table_holds_the_documented_numbers(plan: str) -> None:
    total, create, update, tickets, contacts = DOCUMENTED[plan]
    limits = PLANS[plan]
    assert limits.per_minute == total
    assert limits.per_endpoint.get("ticket_create") == create
    assert limits.per_endpoint.get("ticket_update") == update
    assert limits.per_endpoint.get("tickets_list") == tickets
    assert limits.per_endpoint.get("contacts_list") == contacts
    assert set(PLANS) == set(DOCUMENTED)


@pytest.mark.parametrize("plan", list(DOCUMENTED))
async def test_429_after_exactly_the_plans_calls_in_a_window(plan: str) -> None:
    total = DOCUMENTED[plan][0]
    clock = FakeClock()
    emu = create_freshdesk_emulator(plan=plan, clock=clock)
    async with client_for(emu) as c:
        assert await statuses(c, "/api/v2/agents/me", total) == [200] * total
        over = await c.get("/api/v2/agents/me")
        assert over.status_code == 429
        assert over.headers["X-RateLimit-Total"] == str(total)
        assert over.headers["Retry-After"] == "60"
        clock.now += 59.5
        assert (await c.get("/api/v2/agents/me")).status_code == 429
        clock.now += 0.5  # the window is over: a fresh minute
        fresh = await c.get("/api/v2/agents/me")
    assert fresh.status_code == 200
    assert fresh.headers["X-RateLimit-Remaining"] == str(total - 1)


@pytest.mark.parametrize("plan", ["growth", "pro", "enterprise"])
@pytest.mark.parametrize(
    ("endpoint", "path", "other"),
    [
        ("contacts_list", "/api/v2/contacts", "/api/v2/tickets"),
        ("tickets_list", "/api/v2/tickets", "/api/v2/contacts"),
    ],
)
async def test_each_list_endpoint_has_its_own_documented_budget(
    plan: str, endpoint: str, path: str, other: str
) -> None:
    sub = DOCUMENTED[plan][3 if endpoint == "tickets_list" else 4]
    assert sub is not None
    clock = FakeClock()
    emu = create_freshdesk_emulator(plan=plan, clock=clock)
    async with client_for(emu) as c:
        assert await statuses(c, path, sub) == [200] * sub
        over = await c.get(path)
        assert over.status_code == 429
        assert over.headers["X-RateLimit-Total"] == str(sub)
        # The other list and the single-record routes still have their own budgets.
        assert (await c.get(other)).status_code == 200
        assert (await c.get("/api/v2/contacts/43026449000")).status_code == 200
        clock.now += 60
        assert (await c.get(path)).status_code == 200


async def test_the_trial_has_no_sub_limits_beyond_its_50() -> None:
    emu = create_freshdesk_emulator(plan="trial")
    async with client_for(emu) as c:
        assert await statuses(c, "/api/v2/contacts", 50) == [200] * 50
        assert (await c.get("/api/v2/contacts")).status_code == 429
        assert (await c.get("/api/v2/tickets")).status_code == 429  # the account's 50 are spent


async def test_a_shorter_window_scales_the_same_budget() -> None:
    clock = FakeClock()
    emu = create_freshdesk_emulator(plan="growth", window=2.0, clock=clock)
    async with client_for(emu) as c:
        assert await statuses(c, "/api/v2/contacts", 20) == [200] * 20
        over = await c.get("/api/v2/contacts")
        assert over.status_code == 429
        assert over.headers["Retry-After"] == "2"
        clock.now += 2
        assert await statuses(c, "/api/v2/contacts", 20) == [200] * 20
        assert (await c.get("/api/v2/contacts")).status_code == 429


async def test_a_number_of_calls_is_an_account_limit_without_sub_limits() -> None:
    emu = create_freshdesk_emulator(plan=30)
    async with client_for(emu) as c:
        assert await statuses(c, "/api/v2/contacts", 30) == [200] * 30
        assert (await c.get("/api/v2/agents/me")).status_code == 429


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("trial", PLANS["trial"]),
        ("Growth", PLANS["growth"]),
        (" pro ", PLANS["pro"]),
        ("ENTERPRISE", PLANS["enterprise"]),
        ("120", PlanLimits(120)),
        (1_000_000, PlanLimits(1_000_000)),
    ],
)
def test_parse_plan(given: str | int, expected: PlanLimits) -> None:
    assert parse_plan(given) == expected


@pytest.mark.parametrize("given", ["gold", "free", "", "0", "-5", "1.5", "²", 0, -1, True])
def test_parse_plan_refuses(given: Any) -> None:
    with pytest.raises(ValueError, match="plan"):
        parse_plan(given)


def test_the_server_config_refuses_an_unknown_plan() -> None:
    with pytest.raises(ValueError, match="unknown plan"):
        EmulatorConfig(plan="gold")
    assert EmulatorConfig(plan="250").plan == "250"


def test_the_emulators_do_not_import_the_client() -> None:
    root = Path(emulators_pkg.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            if any("clients" in n.split(".") for n in names):
                offenders.append(f"{path.relative_to(root)}: {names}")
    assert offenders == []
