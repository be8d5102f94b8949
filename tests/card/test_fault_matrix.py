"""Each upstream crossed with each fault, on /v1/card (issue 6's fault matrix).

For every cell: the card answers within its deadline, with the right status and error
code, still shows the other upstream's data, spends retries within the policy (the
emulator's request counts prove it), and logs no secret or personal data.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import httpx
import pytest

from tests.support.service import HEADERS, running
from upsales_freshdesk.emulators.process import run_emulators
from upsales_freshdesk.web.app import POLICY
from upsales_freshdesk.web.launch import run_serve
from upsales_freshdesk.web.logs import configure_logging

DEADLINE = 1.5
#: fault -> (the faults, expected card status, expected code or None, most calls to it)
A = POLICY.max_attempts
FAULTS: dict[str, tuple[dict[str, Any], str, str | None, int]] = {
    "latency": ({"latency_ms": 100}, "found", None, 4),
    "hang": ({"hang": True, "hang_seconds": 30}, "partial", "timeout", 1),
    "500": ({"error_rates": {"500": 1.0}}, "partial", "unavailable", A),
    "502": ({"error_rates": {"502": 1.0}}, "partial", "unavailable", A),
    "429 with Retry-After": (
        {"storm": {"count": 1000, "retry_after": 30}},
        "partial",
        "rate_limited",
        1,
    ),
    "429 without Retry-After": (
        {"storm": {"count": 1000, "retry_after": None}},
        "partial",
        "rate_limited",
        A,
    ),
    "malformed JSON": ({"malformed": True}, "partial", "unavailable", 1),
    "truncated body": ({"truncated": True}, "partial", "unavailable", 1),
    "connection reset": ({"reset": True}, "partial", "unavailable", A),
    "slow drip": ({"drip": {"chunk_bytes": 8, "interval_ms": 100}}, "partial", "timeout", 1),
    "oversized body": ({"oversized_bytes": 300_000}, "partial", "unavailable", 1),
}
SECRETS = (
    "demo-freshdesk-key",
    "demo-upsales-token",
    "astrid",
    "lindqvist",
    "@",
    "+46",
    "111 22 33",
)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("upstream", ["freshdesk", "upsales"])
async def test_fault_matrix(upstream: str, fault: str, capsys: pytest.CaptureFixture[str]) -> None:
    faults, status, code, most_calls = FAULTS[fault]
    configure_logging()
    async with running(card_deadline_seconds=DEADLINE, max_upstream_bytes=100_000) as service:
        broken, other = (
            (service.fd, service.us) if upstream == "freshdesk" else (service.us, service.fd)
        )
        broken.faults.set(broken.faults.faults.model_validate(faults))
        started = time.monotonic()
        resp = await service.card("found")
        elapsed = time.monotonic() - started
        card = resp.json()
        broken_calls = broken.stats.total
    assert resp.status_code == 200
    assert elapsed < DEADLINE + 3.0  # the deadline ended it (the hang is 30 s), with room for load
    assert card["status"] == status
    codes = {(e["source"], e["code"]) for e in card["errors"]}
    assert codes == (set() if code is None else {(upstream, code)})
    kept = "upsales" if upstream == "freshdesk" else "freshdesk"
    assert card["card"][kept] is not None  # the other upstream's data is still shown
    assert card["card"][kept]["name"] == "Astrid Lindqvist"
    assert broken_calls <= most_calls  # retries within the policy and its budget
    assert other.stats.total >= 1
    logs = capsys.readouterr().out.lower()
    lines = [json.loads(x) for x in logs.splitlines() if x.startswith("{")]
    assert lines
    for secret in SECRETS:
        assert secret not in logs


async def _burst(port: int, n: int) -> list[tuple[float, int, dict[str, Any]]]:
    body = {
        "ticket": {"id": 1},
        "requester": {"id": 43026449000, "email": "astrid.lindqvist@nordvind.example"},
        "locale": "en",
    }
    headers = {**HEADERS, "Authorization": "Bearer burst-secret-for-tests-0123456789ab"}

    async def one(session: aiohttp.ClientSession) -> tuple[float, int, dict[str, Any]]:
        started = time.monotonic()
        async with session.post(
            f"http://127.0.0.1:{port}/v1/card", json=body, headers=headers
        ) as resp:
            answer = await resp.json()
            return time.monotonic() - started, resp.status, answer

    connector = aiohttp.TCPConnector(limit=n + 10)
    async with aiohttp.ClientSession(connector=connector) as session:
        return list(await asyncio.gather(*(one(session) for _ in range(n))))


@pytest.mark.parametrize("hanging", ["upsales", "freshdesk"])
def test_two_hundred_at_once_with_one_upstream_hanging_meet_the_deadline(hanging: str) -> None:
    """Every answer within the deadline by the service's own clock, with the other's data.
    (No wall-clock bound on the client's side: on a loaded machine the test's 200
    clients queue behind each other, which says nothing of the service.)"""
    deadline = 3.0
    with run_emulators(latency_ms=20) as emu:
        control = emu.upsales_control if hanging == "upsales" else emu.freshdesk_control
        httpx.post(f"{control}/_emulator/faults", json={"hang": True, "hang_seconds": 60})
        settings = {
            "UFD_FRESHDESK_BASE_URL": emu.freshdesk_url,
            "UFD_UPSALES_BASE_URL": emu.upsales_url,
            "UFD_CARD_DEADLINE_SECONDS": str(deadline),
            "UFD_SERVICE_SECRET": "burst-secret-for-tests-0123456789ab",
            "UFD_FRESHDESK_PLAN": "100000",
        }
        with run_serve(settings) as served:
            answers = asyncio.run(_burst(served.port, 200))
    kept = "freshdesk" if hanging == "upsales" else "upsales"
    for _, status, card in answers:
        assert status == 200
        assert card["status"] == "partial"
        assert card["card"][kept] is not None  # the healthy upstream's data, every time
        assert (hanging, "timeout") in {(e["source"], e["code"]) for e in card["errors"]}
        assert card["timings"]["total"] <= deadline * 1000  # the service's own clock
