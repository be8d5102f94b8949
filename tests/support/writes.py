"""Helpers for the write-path tests every action gets: ten at once, a replay, a retry
after a lost answer, a mismatched pair and a rate-limited write; and the requests of the
actions the tests repeat."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support.service import HEADERS, Service
from upsales_freshdesk.emulators.scenarios import SCENARIOS

#: The requester of the ``not_found`` scenario, whom ``create-upsales`` creates.
EMAIL = SCENARIOS["not_found"].email


async def post(service: Service, name: str, body: dict[str, Any]) -> httpx.Response:
    return await service.http.post(f"/v1/actions/{name}", json=body, headers=HEADERS)


async def act(
    service: Service, name: str, body: dict[str, Any], status: int = 200
) -> dict[str, Any]:
    resp = await post(service, name, body)
    assert resp.status_code == status, resp.text
    result: dict[str, Any] = resp.json()
    return result


async def ten_at_once(service: Service, name: str, body: dict[str, Any]) -> list[httpx.Response]:
    """The same request ten times at once (a double-clicking agent, a retrying proxy)."""
    return list(await asyncio.gather(*(post(service, name, body) for _ in range(10))))


async def card_of(service: Service, scenario: str) -> dict[str, Any]:
    result: dict[str, Any] = (await service.card(scenario)).json()
    return result


def writes(service: Service, route: str, upstream: str = "us") -> int:
    """How many calls of ``route`` (e.g. ``POST /api/v2/contacts``) an emulator answered."""
    emulator = service.us if upstream == "us" else service.fd
    return int(emulator.stats.by_route.get(route, 0))


def create_body(**extra: Any) -> dict[str, Any]:
    """A ``create-upsales`` request for the ``not_found`` scenario's requester."""
    return {
        "email": EMAIL,
        "name": "Nils Ek",
        "phone": "+46 70 123 45 67",
        "title": "Lagerchef",
        "account": {"id": 26},
        **extra,
    }


async def log_body(service: Service, scenario: str = "found", **extra: Any) -> dict[str, Any]:
    """A ``log-ticket`` request for ``scenario``'s ticket and the card's Upsales contact."""
    card = await card_of(service, scenario)
    return {
        "ticket": {"id": SCENARIOS[scenario].ticket_id},
        "upsales_contact_id": card["card"]["upsales"]["id"],
        **extra,
    }
