"""The ticket-created webhook: secret header, server-side credentials, immediate sync of
the requester, idempotent, and no lost event."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support.faults import garbled, lost_answer, outage, rate_limited
from tests.support.service import HEADERS, Service, running
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN
from upsales_freshdesk.web.deps import Credentials

SECRET = {"X-Webhook-Secret": "webhook-secret-for-tests"}
PATH = "/v1/webhooks/freshdesk/ticket-created"
SERVER = Credentials("demo.freshdesk.com", DEFAULT_KEY, DEFAULT_TOKEN)
ON = {"webhook_secret": "webhook-secret-for-tests", "webhook_credentials": SERVER}


async def call(service: Service, body: Any, headers: dict[str, str] | None = None) -> Any:
    return await service.http.post(PATH, json=body, headers=headers or SECRET)


async def test_the_webhook_is_off_unless_a_secret_is_configured(service: Service) -> None:
    resp = await call(service, {"ticket_id": 2})
    assert resp.status_code == 404
    assert service.upstream_calls() == (0, 0)


async def test_it_syncs_the_requester_once_with_the_servers_own_keys() -> None:
    async with running(**ON) as service:  # type: ignore[arg-type]
        for bad in ({}, {"X-Webhook-Secret": "wrong"}):
            resp = await service.http.post(PATH, json={"ticket_id": 2}, headers=bad)
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
        retry = await call(service, {"ticket_id": 2})  # Freshdesk delivers it again
        assert retry.json() == first.json()  # the first answer; nothing is written twice
        assert service.fd.stats.by_route["PUT /api/v2/contacts/{id}"] == 1


async def test_ten_deliveries_at_once_write_once() -> None:
    async with running(**ON) as service:  # type: ignore[arg-type]
        answers = await asyncio.gather(*(call(service, {"ticket_id": 2}) for _ in range(10)))
        assert {a.status_code for a in answers} == {200}
        assert service.fd.stats.by_route["PUT /api/v2/contacts/{id}"] == 1
        assert service.fd.stats.by_route["GET /api/v2/tickets/{id}"] == 1
        contact = next(
            c
            for c in service.fd.store.contacts.values()  # type: ignore[attr-defined]
            if c["email"] == SCENARIOS["different"].email
        )
        assert (contact["phone"], contact["job_title"]) == ("+46 70 444 55 66", "CTO")


async def test_credential_headers_are_not_taken_unless_allowed() -> None:
    async with running(webhook_secret="webhook-secret-for-tests") as service:
        refused = await call(service, {"ticket_id": 2}, {**HEADERS, **SECRET})
        assert refused.status_code == 503  # no server keys: Freshdesk retries later
        assert service.upstream_calls() == (0, 0)
    async with running(
        webhook_secret="webhook-secret-for-tests", webhook_header_credentials=True
    ) as service:
        allowed = await call(service, {"ticket_id": 2}, {**HEADERS, **SECRET})
        assert allowed.json()["status"] == "updated"


async def test_server_credentials_come_from_the_sync_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UFD_SYNC_FRESHDESK_DOMAIN", "demo")
    monkeypatch.setenv("UFD_SYNC_FRESHDESK_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("UFD_SYNC_UPSALES_TOKEN", DEFAULT_TOKEN)
    async with running(webhook_secret="webhook-secret-for-tests") as service:
        resp = await call(service, {"ticket_id": 2})
        assert resp.json()["status"] == "updated"


async def test_requesters_it_cannot_sync_are_skipped() -> None:
    async with running(**ON) as service:  # type: ignore[arg-type]
        for scenario, reason in (
            ("not_found", "not in Upsales"),
            ("ambiguous", "several Upsales contacts"),
        ):
            resp = await call(service, {"ticket_id": SCENARIOS[scenario].ticket_id})
            assert resp.json() == {"status": "skipped", "reason": reason, "fields": []}


@pytest.mark.parametrize(
    ("upstream", "fault", "reason"),
    [
        ("us", outage(), "upsales server_error"),
        ("us", garbled(), "upsales malformed_response"),
        ("fd", Faults(truncated=True), "freshdesk malformed_response"),
        ("fd", garbled(), "freshdesk malformed_response"),
    ],
)
async def test_an_outage_or_a_garbled_answer_asks_freshdesk_to_retry(
    upstream: str, fault: Faults, reason: str
) -> None:
    async with running(**ON) as service:  # type: ignore[arg-type]
        getattr(service, upstream).faults.set(fault)
        resp = await call(service, {"ticket_id": 2})
        assert resp.status_code == 502
        assert resp.json()["reason"] == reason


async def test_a_ticket_that_is_gone_is_not_retried() -> None:
    async with running(**ON) as service:  # type: ignore[arg-type]
        resp = await call(service, {"ticket_id": 999_999})
        assert resp.status_code == 200
        assert resp.json()["status"] == "error"


def _different_contact(service: Service) -> dict[str, Any]:
    return next(
        c
        for c in service.fd.store.contacts.values()  # type: ignore[attr-defined]
        if c["email"] == SCENARIOS["different"].email
    )


async def test_a_lost_answer_then_a_redelivery_writes_once() -> None:
    """The PUT arrived but its answer was lost (502). A PUT of the same values may be sent
    again (it is idempotent); Freshdesk's redelivery answers the first result and writes
    nothing more."""
    async with running(**ON) as service:  # type: ignore[arg-type]
        service.fd.faults.set(lost_answer("PUT", times=1))
        first = await call(service, {"ticket_id": 2})
        assert first.json()["status"] == "updated"
        puts = service.fd.stats.by_route["PUT /api/v2/contacts/{id}"]
        again = await call(service, {"ticket_id": 2})  # Freshdesk's redelivery
        assert again.json() == first.json()
        assert service.fd.stats.by_route["PUT /api/v2/contacts/{id}"] == puts
        contact = _different_contact(service)
        assert (contact["phone"], contact["job_title"]) == ("+46 70 444 55 66", "CTO")


async def test_a_rate_limited_delivery_is_written_when_delivered_again() -> None:
    async with running(**ON) as service:  # type: ignore[arg-type]
        service.fd.faults.set(rate_limited(30, method="PUT"))
        limited = await call(service, {"ticket_id": 2})
        assert limited.status_code == 502  # Freshdesk is asked to deliver it again
        assert limited.json()["reason"] == "freshdesk rate_limited"
        assert _different_contact(service)["job_title"] != "CTO"
        service.pass_time(30)
        later = await call(service, {"ticket_id": 2})
        assert later.json()["status"] == "updated"
        assert _different_contact(service)["job_title"] == "CTO"


async def test_an_invisible_upsales_value_is_not_written_by_the_webhook() -> None:
    """No agent is there to consent: a phone of a zero-width space empties nothing."""
    async with running(**ON) as service:  # type: ignore[arg-type]
        marten = next(
            c
            for c in service.us.store.all("contacts")  # type: ignore[attr-defined]
            if c.get("email") == SCENARIOS["different"].email
        )
        await service.edit_upsales(f"contacts/{marten['id']}", {"phone": "\u200b"})
        answer = await call(service, {"ticket_id": 2})
        assert answer.json() == {"status": "updated", "reason": None, "fields": ["job_title"]}
        contact = next(
            c
            for c in service.fd.store.contacts.values()  # type: ignore[attr-defined]
            if c["email"] == SCENARIOS["different"].email
        )
        assert (contact["phone"], contact["job_title"]) == ("+46 70 999 88 77", "CTO")
