"""Helpers for the write-path tests every action gets: ten at once, a replay, a retry
after a lost answer, a mismatched pair and a rate-limited write."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.service import HEADERS, Service


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
