"""How the Freshdesk emulator delivers automation webhooks: after the answer, retried as
Freshdesk documents, within the account's rate limit, and with faults on demand."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.freshdesk.webhooks import (
    MAX_POSTPONED_SECONDS,
    RETRY_DELAYS,
    WebhookFaults,
    WebhookRequest,
)

RULE = {
    "name": "To the CRM",
    "conditions": [
        {
            "name": "condition_set_1",
            "match_type": "all",
            "properties": [{"field_name": "status", "operator": "in", "value": [2, 3, 4, 5]}],
        }
    ],
    "actions": [
        {
            "field_name": "trigger_webhook",
            "request_type": "POST",
            "url": "https://hooks.example/in",
            "content_type": "JSON",
            "content": {"ticket_id": "{{ticket.id}}"},
            "custom_headers": {"X-Webhook-Secret": "top-secret-value"},
        }
    ],
}


async def setup(h: Any, actions: int = 1) -> None:
    body = {**RULE, "actions": RULE["actions"] * actions}
    assert (await h.api.post("/api/v2/automations/1/rules", json=body)).status_code == 201


async def ticket(api: httpx.AsyncClient) -> int:
    body = {"email": "ada@example.com", "subject": "Hello", "description": "<p>Hi</p>"}
    resp = await api.post("/api/v2/tickets", json=body)
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def sent_ids(h: Any) -> list[int]:
    return [int(json.loads(c.body)["ticket_id"]) for c in h.receiver.calls]


async def test_the_answer_does_not_wait_for_the_webhook(hooked: Any) -> None:
    h = hooked
    await setup(h)
    release = asyncio.Event()
    delivered: list[WebhookRequest] = []

    async def slow(req: WebhookRequest) -> int:
        await release.wait()
        delivered.append(req)
        return 200

    h.emu.store.webhooks.sender = slow
    await ticket(h.api)  # answered while the call is still out
    [delivery] = h.emu.store.webhooks.deliveries
    assert delivery.state in ("pending", "sending")
    assert delivered == []
    release.set()
    await h.emu.store.webhooks.drain()
    assert (delivery.state, len(delivered)) == ("delivered", 1)


async def test_a_failed_call_is_retried_at_5_30_and_60_minutes(hooked: Any) -> None:
    h = hooked
    await setup(h)
    h.receiver.statuses = [500, 502]
    await ticket(h.api)
    await h.emu.store.webhooks.drain()
    [delivery] = h.emu.store.webhooks.deliveries
    assert [a.status for a in delivery.attempts] == [500, 502, 200]
    assert (delivery.state, delivery.admin_notified) == ("delivered", False)
    assert h.sleeps.waits == [300.0, 1800.0]
    assert len(h.receiver.calls) == 3


async def test_after_three_failed_retries_the_admins_are_told(hooked: Any) -> None:
    h = hooked
    await setup(h)
    h.receiver.statuses = [503] * 4
    await ticket(h.api)
    await h.emu.store.webhooks.drain()
    [delivery] = h.emu.store.webhooks.deliveries
    assert (delivery.state, delivery.admin_notified) == ("failed", True)
    assert len(delivery.attempts) == 4
    assert h.sleeps.waits == list(RETRY_DELAYS)


async def test_no_answer_counts_as_a_failure(hooked: Any) -> None:
    h = hooked
    await setup(h)
    calls: list[str] = []

    async def flaky(req: WebhookRequest) -> int:
        calls.append(req.url)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        if len(calls) == 2:
            raise RuntimeError("the receiver broke")  # as an in-process app may
        return 204

    h.emu.store.webhooks.sender = flaky
    await ticket(h.api)
    await h.emu.store.webhooks.drain()
    [delivery] = h.emu.store.webhooks.deliveries
    assert [(a.status, a.error) for a in delivery.attempts] == [
        (None, "ConnectError"),
        (None, "RuntimeError"),
        (204, None),
    ]
    assert delivery.state == "delivered"


async def test_fault_duplicate(hooked: Any) -> None:
    h = hooked
    await setup(h)
    h.emu.store.webhooks.set_faults(WebhookFaults(duplicate=1, times=1))
    first, second = await ticket(h.api), await ticket(h.api)
    await h.emu.store.webhooks.drain()
    assert sorted(sent_ids(h)) == [first, first, second]
    copies = [d for d in h.emu.store.webhooks.deliveries if d.ticket_id == first]
    assert [d.duplicate_of for d in copies] == [None, copies[0].id]


async def test_fault_drop(hooked: Any) -> None:
    h = hooked
    await setup(h)
    h.emu.store.webhooks.set_faults(WebhookFaults(drop=1, match=r"^https://hooks\.example/"))
    await ticket(h.api)
    await h.emu.store.webhooks.drain()
    assert h.receiver.calls == []
    [delivery] = h.emu.store.webhooks.deliveries
    assert (delivery.state, delivery.admin_notified, delivery.attempts) == ("dropped", True, [])


async def test_fault_reorder(hooked: Any) -> None:
    h = hooked
    await setup(h)
    h.emu.store.webhooks.set_faults(WebhookFaults(reorder=2))
    ids = [await ticket(h.api) for _ in range(3)]
    held = h.emu.store.webhooks.deliveries[2]
    assert (held.state, held.attempts) == ("pending", [])  # held until drained
    await h.emu.store.webhooks.drain()
    assert sent_ids(h) == [ids[1], ids[0], ids[2]]


async def test_fault_delay(hooked: Any) -> None:
    h = hooked
    await setup(h)
    h.emu.store.webhooks.set_faults(WebhookFaults(delay_ms=1500))
    await ticket(h.api)
    await h.emu.store.webhooks.drain()
    assert h.sleeps.waits == [1.5]
    assert len(h.receiver.calls) == 1


async def test_a_fault_for_other_urls_changes_nothing(hooked: Any) -> None:
    h = hooked
    await setup(h)
    h.emu.store.webhooks.set_faults(WebhookFaults(drop=1, match="elsewhere"))
    await ticket(h.api)
    await h.emu.store.webhooks.drain()
    assert len(h.receiver.calls) == 1


async def test_webhooks_spend_the_accounts_limit_and_wait_for_the_next_window() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    emu = create_freshdesk_emulator(plan=3, clock=lambda: now[0])
    sent: list[WebhookRequest] = []

    async def sender(req: WebhookRequest) -> int:
        sent.append(req)
        return 200

    emu.store.webhooks.sender, emu.store.webhooks.sleep = sender, sleep
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu), base_url="http://t", auth=(DEFAULT_KEY, "X")
    ) as api:
        rule = {**RULE, "actions": RULE["actions"] * 3}
        assert (await api.post("/api/v2/automations/1/rules", json=rule)).status_code == 201
        await ticket(api)  # the 3rd call of the minute: its webhooks find no call left
        await emu.store.webhooks.drain()
    assert len(sent) == 3
    assert now[0] == 60.0  # sent in the next window
    assert {d.state for d in emu.store.webhooks.deliveries} == {"delivered"}


async def test_a_webhook_put_off_for_a_day_is_dropped(hooked: Any) -> None:
    emu = create_freshdesk_emulator(plan=2, clock=lambda: 0.0)  # the window never ends
    emu.store.webhooks.sleep = hooked.sleeps
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu), base_url="http://t", auth=(DEFAULT_KEY, "X")
    ) as api:
        assert (await api.post("/api/v2/automations/1/rules", json=RULE)).status_code == 201
        await ticket(api)
        await emu.store.webhooks.drain()
    [delivery] = emu.store.webhooks.deliveries
    assert (delivery.state, delivery.admin_notified, delivery.attempts) == ("dropped", True, [])
    assert sum(hooked.sleeps.waits) >= MAX_POSTPONED_SECONDS


async def test_control_routes(hooked: Any) -> None:
    h = hooked
    await setup(h)
    faults = {"duplicate": 1, "times": 1}
    assert (await h.api.post("/_emulator/webhooks/faults", json=faults)).status_code == 200
    assert (await h.api.get("/_emulator/webhooks/faults")).json()["duplicate"] == 1
    bad = await h.api.post("/_emulator/webhooks/faults", json={"drop": 2})
    assert bad.status_code == 422
    await ticket(h.api)
    listed = await h.api.post("/_emulator/webhooks/drain")
    assert [d["state"] for d in listed.json()] == ["delivered", "delivered"]
    assert listed.json()[1]["duplicate_of"] == listed.json()[0]["id"]
    assert "top-secret-value" not in listed.text  # no headers, no bodies
    assert "ada@example.com" not in listed.text
    assert set(listed.json()[0]) >= {"url", "method", "attempts", "triggered_event"}
    cleared = await h.api.post("/_emulator/webhooks/faults", json={})
    assert cleared.json() == WebhookFaults().model_dump(mode="json")
    spam = await h.api.post("/_emulator/tickets/999999/spam", json={"spam": True})
    assert spam.status_code == 404
