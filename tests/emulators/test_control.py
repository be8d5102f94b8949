"""The /_emulator/ control surface: stats, reset, faults and scenarios."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


async def test_stats_count_by_route_method_and_status(fd_raw: httpx.AsyncClient) -> None:
    await fd_raw.get("/api/v2/contacts/43026449000")
    await fd_raw.get("/api/v2/contacts/43026449001")
    await fd_raw.get("/api/v2/contacts/1")
    stats = (await fd_raw.get("/_emulator/stats")).json()
    assert stats["total"] == 3
    assert stats["by_route"] == {"GET /api/v2/contacts/{id}": 3}
    assert stats["by_status"] == {"200": 2, "404": 1}
    await fd_raw.post("/_emulator/stats/reset")
    assert (await fd_raw.get("/_emulator/stats")).json()["total"] == 0


async def test_control_calls_are_not_counted_or_faulted(fd_raw: httpx.AsyncClient) -> None:
    await fd_raw.post("/_emulator/faults", json={"error_rates": {"500": 1.0}})
    assert (await fd_raw.get("/_emulator/stats")).status_code == 200
    assert (await fd_raw.get("/api/v2/agents/me")).status_code == 500
    assert (await fd_raw.get("/_emulator/stats")).json()["total"] == 1


async def test_faults_round_trip_and_clear(us_raw: httpx.AsyncClient) -> None:
    set_ = await us_raw.post("/_emulator/faults", json={"latency_ms": 5, "storm": {"count": 2}})
    assert set_.status_code == 200
    assert (await us_raw.get("/_emulator/faults")).json()["storm"] == {
        "count": 2,
        "retry_after": 1.0,
    }
    statuses = [(await us_raw.get("/api/v2/self")).status_code for _ in range(3)]
    assert statuses == [429, 429, 200]
    await us_raw.post("/_emulator/faults", json={})
    assert (await us_raw.get("/_emulator/faults")).json()["storm"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"error_rates": {"200": 0.5}},
        {"error_rates": {"500": 0.8, "502": 0.5}},
        {"latency_ms": -1},
        {"surprise": True},
        {"match": "("},
        {"hang_seconds": 10_000},
    ],
)
async def test_bad_faults_are_refused_with_reasons(us_raw: httpx.AsyncClient, body: Any) -> None:
    resp = await us_raw.post("/_emulator/faults", json=body)
    assert resp.status_code == 422
    assert resp.json()["errors"]


async def test_faults_can_target_a_route_and_a_number_of_calls(us_raw: httpx.AsyncClient) -> None:
    await us_raw.post(
        "/_emulator/faults", json={"error_rates": {"503": 1.0}, "match": "/contacts", "times": 2}
    )
    assert (await us_raw.get("/api/v2/self")).status_code == 200  # no match
    codes = [
        (await us_raw.get("/api/v2/contacts", params={"limit": 1})).status_code for _ in range(3)
    ]
    assert codes == [503, 503, 200]


async def test_error_rates_are_shares(us_raw: httpx.AsyncClient) -> None:
    await us_raw.post("/_emulator/faults", json={"error_rates": {"500": 0.5}})
    codes = [(await us_raw.get("/api/v2/self")).status_code for _ in range(200)]
    assert 40 < codes.count(500) < 160
    assert set(codes) == {200, 500}


async def test_reset_clears_faults_stats_and_writes(fd_raw: httpx.AsyncClient) -> None:
    await fd_raw.put("/api/v2/contacts/43026449000", json={"job_title": "Changed"})
    await fd_raw.post("/_emulator/faults", json={"latency_ms": 1})
    await fd_raw.post("/_emulator/reset")
    assert (await fd_raw.get("/_emulator/faults")).json()["latency_ms"] == 0
    contact = (await fd_raw.get("/api/v2/contacts/43026449000")).json()
    assert contact["job_title"] == "IT-chef"
    assert (await fd_raw.get("/_emulator/stats")).json()["total"] == 1


async def test_scenarios_are_listed(fd_raw: httpx.AsyncClient) -> None:
    scenarios = (await fd_raw.get("/_emulator/scenarios")).json()
    assert {s["key"] for s in scenarios} == {
        "found",
        "different",
        "not_found",
        "other_email",
        "ambiguous",
        "non_ascii",
        "hostile",
        "phone_match",
        "name_at_domain",
        "linked",
    }
    for s in scenarios:
        ticket = (
            await fd_raw.get(f"/api/v2/tickets/{s['ticket_id']}", params={"include": "requester"})
        ).json()
        assert ticket["requester"]["email"] == s["email"]


async def test_latency_is_from_arrival_to_answer_and_the_call_is_carried_out_meanwhile(
    fd_raw: httpx.AsyncClient, fd_emu: Any
) -> None:
    """A write under latency is applied when it arrives and answered when the latency
    has passed: the emulator's work overlaps with the wait, as an upstream's does."""
    import asyncio

    await fd_raw.post("/_emulator/faults", json={"latency_ms": 1500})
    loop = asyncio.get_running_loop()
    started = loop.time()
    email = "latency.probe@example.com"
    post = asyncio.create_task(
        fd_raw.post("/api/v2/contacts", json={"name": "Probe", "email": email})
    )
    while not any(c.get("email") == email for c in fd_emu.store.contacts.values()):
        assert not post.done()
        await asyncio.sleep(0.01)
    assert not post.done()  # stored, not yet answered
    resp = await post
    assert resp.status_code == 201
    assert loop.time() - started >= 1.5
