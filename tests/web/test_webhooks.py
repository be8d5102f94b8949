"""The ticket-created webhook: secret header, immediate sync of the requester, idempotent."""

from __future__ import annotations

from typing import Any

from tests.service import HEADERS, Service, running
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.scenarios import SCENARIOS

SECRET = {"X-Webhook-Secret": "webhook-secret-for-tests"}
PATH = "/v1/webhooks/freshdesk/ticket-created"


async def call(service: Service, body: Any, headers: dict[str, str] | None = None) -> Any:
    return await service.http.post(PATH, json=body, headers={**HEADERS, **(headers or SECRET)})


async def test_the_webhook_is_off_unless_a_secret_is_configured(service: Service) -> None:
    resp = await call(service, {"ticket_id": 2})
    assert resp.status_code == 404
    assert service.upstream_calls() == (0, 0)


async def test_it_syncs_the_requester_once() -> None:
    async with running(webhook_secret="webhook-secret-for-tests") as service:
        for bad in ({}, {"X-Webhook-Secret": "wrong"}):
            resp = await service.http.post(PATH, json={"ticket_id": 2}, headers={**HEADERS, **bad})
            assert resp.status_code == 401
        assert service.upstream_calls() == (0, 0)
        first = await call(service, {"ticket_id": "2", "ticket_subject": "ignored"})
        assert first.json() == {
            "status": "updated",
            "reason": None,
            "fields": ["phone", "job_title"],
        }
        contact = next(
            c
            for c in service.fd.store.contacts.values()  # type: ignore[attr-defined]
            if c["email"] == SCENARIOS["different"].email
        )
        assert (contact["phone"], contact["job_title"]) == ("+46 70 444 55 66", "CTO")
        retry = await call(service, {"ticket_id": 2})  # Freshdesk retries: nothing changes
        assert retry.json()["status"] == "unchanged"
        assert service.fd.stats.by_route["PUT /api/v2/contacts/{id}"] == 1


async def test_requesters_it_cannot_sync_are_skipped() -> None:
    async with running(webhook_secret="webhook-secret-for-tests") as service:
        for scenario, reason in (
            ("not_found", "not in Upsales"),
            ("ambiguous", "several Upsales contacts"),
        ):
            resp = await call(service, {"ticket_id": SCENARIOS[scenario].ticket_id})
            assert resp.json() == {"status": "skipped", "reason": reason, "fields": []}


async def test_an_upstream_outage_asks_freshdesk_to_retry() -> None:
    async with running(webhook_secret="webhook-secret-for-tests") as service:
        service.us.faults.set(Faults(error_rates={503: 1.0}))
        resp = await call(service, {"ticket_id": 2})
        assert resp.status_code == 502
        assert resp.json()["reason"] == "upsales server_error"
