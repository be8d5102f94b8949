"""Upsales' pushes: a poke names a record, the job reads it from Upsales and makes the
Freshdesk contact follow it through the sync's rule (in-process queue, both emulators)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.support.faults import lost_answer, outage, rate_limited
from tests.support.service import Service, running, settle
from tests.support.service import local_queue as queue
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN
from upsales_freshdesk.push.config import PushSettings
from upsales_freshdesk.web.deps import Credentials

SECRET = "upsales-push-secret-for-tests-0123456789"
HEADER = {"X-Webhook-Secret": SECRET}
PATH = "/v1/webhooks/upsales"
SERVER = Credentials("demo.freshdesk.com", DEFAULT_KEY, DEFAULT_TOKEN)


@asynccontextmanager
async def pushing(**options: Any) -> AsyncIterator[Service]:
    values: dict[str, Any] = {"coalesce_seconds": 0, **options}
    settings = PushSettings(enabled=True, UFD_UPSALES_WEBHOOK_SECRET=SECRET, **values)
    async with running(
        webhook_secret="ticket-webhook-secret-for-tests-0123456789",
        webhook_credentials=SERVER,
        push=settings,
    ) as service:
        yield service


def upsales_id(service: Service, scenario: str) -> int:
    email = SCENARIOS[scenario].email
    return next(
        c["id"] for c in service.us.store.tables["contacts"].values() if c.get("email") == email
    )


def freshdesk_contact(service: Service, scenario: str) -> dict[str, Any]:
    email = SCENARIOS[scenario].email
    return next(c for c in service.fd.store.contacts.values() if c["email"] == email)


async def poke(service: Service, body: Any, headers: dict[str, str] | None = None) -> Any:
    return await service.http.post(PATH, json=body, headers=HEADER if headers is None else headers)


def fd_writes(service: Service) -> int:
    return sum(n for r, n in service.fd.stats.by_route.items() if not r.startswith("GET"))


async def test_pushes_are_off_unless_enabled(service: Service) -> None:
    resp = await service.http.post(PATH, json={"entity": "contact", "id": 1}, headers=HEADER)
    assert resp.status_code == 404


async def test_a_forged_secret_is_refused_in_the_header_and_in_the_url() -> None:
    async with pushing() as service:
        body = {"entity": "contact", "id": upsales_id(service, "different")}
        for headers in ({}, {"X-Webhook-Secret": "forged"}):
            assert (await poke(service, body, headers)).status_code == 401
        assert (await service.http.post(f"{PATH}/forged", json=body)).status_code == 401
        assert await queue(service).pending() == 0
        assert service.upstream_calls() == (0, 0)


async def test_a_poke_makes_the_freshdesk_contact_follow_upsales() -> None:
    async with pushing() as service:
        resp = await poke(service, {"entity": "contact", "id": upsales_id(service, "different")})
        assert resp.status_code == 202
        assert resp.json() == {"status": "queued"}
        await settle(service)
        contact = freshdesk_contact(service, "different")
        assert (contact["phone"], contact["job_title"]) == ("+46 70 444 55 66", "CTO")


async def test_the_secret_in_the_url_works_and_is_never_logged(capsys: Any) -> None:
    async with pushing() as service:
        body = {"entity": "contact", "id": str(upsales_id(service, "different"))}
        resp = await service.http.post(f"{PATH}/{SECRET}", json=body)
        assert resp.status_code == 202
        await settle(service)
        assert freshdesk_contact(service, "different")["job_title"] == "CTO"
        assert SECRET not in capsys.readouterr().out


async def test_ten_identical_pokes_at_once_write_once() -> None:
    async with pushing(coalesce_seconds=0.2) as service:
        body = {"entity": "contact", "id": upsales_id(service, "different")}
        answers = await asyncio.gather(*(poke(service, body) for _ in range(10)))
        assert [a.json()["status"] for a in answers].count("queued") == 1
        queue(service).hurry()  # past the coalescing window
        await settle(service)
        assert service.fd.stats.by_route["PUT /api/v2/contacts/{id}"] == 1


async def test_a_replay_writes_nothing() -> None:
    async with pushing() as service:
        body = {"entity": "contact", "id": upsales_id(service, "different")}
        await poke(service, body)
        await settle(service)
        writes = fd_writes(service)
        await poke(service, body)
        await settle(service)
        assert fd_writes(service) == writes


async def test_a_lost_answer_is_safe_to_send_again() -> None:
    """A PUT of the same values: the client's own retry after the 502 changes nothing
    more, and a later poke finds nothing left to write."""
    async with pushing() as service:
        service.fd.faults.set(lost_answer("PUT", times=1))
        body = {"entity": "contact", "id": upsales_id(service, "different")}
        await poke(service, body)
        await settle(service)
        queue(service).hurry()
        await settle(service)
        contact = freshdesk_contact(service, "different")
        assert (contact["phone"], contact["job_title"]) == ("+46 70 444 55 66", "CTO")
        puts = service.fd.stats.by_route["PUT /api/v2/contacts/{id}"]
        await poke(service, body)
        await settle(service)
        assert service.fd.stats.by_route["PUT /api/v2/contacts/{id}"] == puts


async def test_a_rate_limited_write_is_done_later_not_forgotten() -> None:
    async with pushing() as service:
        service.fd.faults.set(rate_limited(600, count=1, method="PUT"))
        await poke(service, {"entity": "contact", "id": upsales_id(service, "different")})
        await settle(service)
        assert freshdesk_contact(service, "different")["job_title"] != "CTO"
        assert await queue(service).pending() == 1
        service.pass_time(600)
        queue(service).hurry()
        await settle(service)
        assert freshdesk_contact(service, "different")["job_title"] == "CTO"


async def test_an_outage_keeps_the_poke_for_later() -> None:
    async with pushing() as service:
        service.us.faults.set(outage(503))
        await poke(service, {"entity": "contact", "id": upsales_id(service, "different")})
        await settle(service)
        assert await queue(service).pending() == 1
        service.us.faults.clear()
        queue(service).hurry()
        await settle(service)
        assert freshdesk_contact(service, "different")["job_title"] == "CTO"


async def test_unknown_deleted_and_foreign_ids_write_nothing_and_leave_nothing_queued() -> None:
    async with pushing() as service:
        gone = upsales_id(service, "found")
        del service.us.store.tables["contacts"][gone]
        for record in (999_999_999, gone, "12345678"):
            assert (await poke(service, {"entity": "contact", "id": record})).status_code == 202
        await settle(service)
        assert fd_writes(service) == 0
        assert await queue(service).pending() == 0


async def test_an_email_shared_in_upsales_is_left_alone() -> None:
    async with pushing() as service:
        email = SCENARIOS["ambiguous"].email
        ids = [c["id"] for c in service.us.store.tables["contacts"].values() if c["email"] == email]
        for record in ids:
            await poke(service, {"entity": "contact", "id": record})
        await settle(service)
        assert fd_writes(service) == 0


async def test_an_account_poke_is_acknowledged_and_changes_nothing() -> None:
    async with pushing() as service:
        resp = await poke(service, {"entity": "account", "id": 1})
        assert (resp.status_code, resp.json()) == (202, {"status": "ignored"})
        assert await queue(service).pending() == 0


async def test_bad_and_huge_bodies_are_refused() -> None:
    async with pushing() as service:
        for body in ({"entity": "deal", "id": 1}, {}, {"entity": "contact", "id": [1]}):
            assert (await poke(service, body)).status_code == 400
        for body in ({"entity": "contact", "id": "1; drop"}, {"entity": "contact", "id": 0}):
            assert (await poke(service, body)).status_code == 422  # no id, no email
        huge = {"entity": "contact", "id": 1, "event": "x", "pad": "x" * 100_000}
        assert (await poke(service, huge)).status_code == 413
        assert await queue(service).pending() == 0


async def test_a_storm_is_folded_or_refused_with_429() -> None:
    async with pushing(coalesce_seconds=60) as service:
        queue(service).max_pending = 50
        statuses = [
            (await poke(service, {"entity": "contact", "id": 1000 + i % 200})).status_code
            for i in range(2000)
        ]
        assert statuses.count(202) >= 50
        assert set(statuses) <= {202, 429}
        assert 429 in statuses
        assert await queue(service).pending() <= 50


async def test_an_id_that_did_not_render_is_found_by_the_email() -> None:
    """Should Upsales leave ``{{Contact.Id}}`` as it is, or empty, the poke's email names
    the contact: looked up at once, and the queue still holds only the id."""
    async with pushing() as service:
        email = SCENARIOS["different"].email
        for unrendered in ("{{Contact.Id}}", ""):
            body = {"entity": "contact", "id": unrendered, "email": email}
            assert (await poke(service, body)).status_code == 202
        queue(service).hurry()
        await settle(service)
        assert freshdesk_contact(service, "different")["job_title"] == "CTO"
        shared = {"entity": "contact", "id": "", "email": SCENARIOS["ambiguous"].email}
        assert (await poke(service, shared)).status_code == 422  # two contacts: not one
        unknown = {"entity": "contact", "id": "", "email": "nobody@nowhere.example"}
        assert (await poke(service, unknown)).status_code == 422


def by_email(service: Service, email: str) -> dict[str, Any]:
    return next(c for c in service.fd.store.contacts.values() if c["email"] == email)


async def test_a_linked_contact_follows_its_upsales_contact_whatever_the_emails() -> None:
    """The card's link (``unique_external_id``, ``upsales:<id>``) is found from the
    Upsales side: the linked Freshdesk contact follows, not the one that has the Upsales
    address among its other emails, and nothing is created."""
    async with pushing(create_missing=True) as service:
        linked = by_email(service, SCENARIOS["linked"].email)
        karin = int(linked["unique_external_id"].removeprefix("upsales:"))
        service.us.store.tables["contacts"][karin]["title"] = "Verkställande direktör"
        by_old_email = by_email(service, SCENARIOS["other_email"].email)
        before = dict(by_old_email)
        contacts = len(service.fd.store.contacts)
        await poke(service, {"entity": "contact", "id": karin})
        await settle(service)
        assert by_email(service, SCENARIOS["linked"].email)["job_title"] == (
            "Verkställande direktör"
        )
        assert by_email(service, SCENARIOS["other_email"].email) == before
        assert len(service.fd.store.contacts) == contacts
        assert service.fd.stats.by_route.get("GET /api/v2/search/contacts") is None


async def test_an_email_match_linked_to_another_upsales_contact_is_left_alone() -> None:
    async with pushing(create_missing=True) as service:
        contact = freshdesk_contact(service, "different")
        contact["unique_external_id"] = "upsales:999999"  # an agent linked it elsewhere
        await poke(service, {"entity": "contact", "id": upsales_id(service, "different")})
        await settle(service)
        assert freshdesk_contact(service, "different")["job_title"] == "Teknisk chef"
        assert fd_writes(service) == 0


async def test_each_triggers_last_call_is_kept_as_a_time_and_nothing_else() -> None:
    """For ``triggers status``: the time of an authenticated call by its trigger's event
    (also in /metrics); a made-up event and a forged call keep nothing."""
    async with pushing() as service:
        background = service.app.state.background
        events = ["after_contact_update", "after_contact_insert"]
        contact = upsales_id(service, "different")
        await poke(service, {"entity": "contact", "id": contact, "event": "made_up"})
        await poke(
            service,
            {"entity": "contact", "id": contact, "event": "after_contact_update"},
            {"X-Webhook-Secret": "forged"},
        )
        # Refused (422: no id rendered, and no one contact with the email): not taken.
        nobody = {"entity": "contact", "email": "nobody@example.se", "event": events[0]}
        assert (await poke(service, nobody)).status_code == 422
        assert await background.fired.last(background.account, events) == dict.fromkeys(events)
        body = {"entity": "contact", "id": contact, "event": "after_contact_update"}
        assert (await poke(service, body)).status_code == 202
        kept = await background.fired.last(background.account, events)
        assert kept["after_contact_insert"] is None
        assert kept["after_contact_update"] is not None
        metrics = (await service.http.get("/metrics")).text
        line = 'ufd_trigger_last_call_timestamp_seconds{event="after_contact_update"}'
        assert line in metrics
        assert "made_up" not in metrics


async def test_an_email_changed_since_the_last_push_creates_no_duplicate() -> None:
    async with pushing(create_missing=True) as service:
        uid = upsales_id(service, "different")
        await poke(service, {"entity": "contact", "id": uid})
        await settle(service)  # followed by email, and remembered
        contacts = len(service.fd.store.contacts)
        row = service.us.store.tables["contacts"][uid]
        row["email"], row["title"] = "new.address@example.se", "CTO och grundare"
        await poke(service, {"entity": "contact", "id": uid})
        await settle(service)
        assert len(service.fd.store.contacts) == contacts
        assert freshdesk_contact(service, "different")["job_title"] == "CTO"


async def test_a_created_contact_is_linked_and_follows_later_email_changes() -> None:
    async with pushing(create_missing=True) as service:
        uid = upsales_id(service, "different")
        row = service.us.store.tables["contacts"][uid]
        row["email"] = "first@example.se"
        await poke(service, {"entity": "contact", "id": uid})
        await settle(service)
        made = by_email(service, "first@example.se")
        assert made["unique_external_id"] == f"upsales:{uid}"
        contacts = len(service.fd.store.contacts)
        row["email"], row["title"] = "second@example.se", "Grundare"
        await poke(service, {"entity": "contact", "id": uid})
        await settle(service)
        assert len(service.fd.store.contacts) == contacts
        assert service.fd.store.contacts[made["id"]]["job_title"] == "Grundare"


async def test_with_a_custom_link_field_nothing_is_created_beside_a_linked_contact() -> None:
    """A custom field cannot be filtered on: a contact linked under another email cannot
    be ruled out, so the push creates nothing (the nightly sync reads every link)."""
    settings = PushSettings(
        enabled=True, UFD_UPSALES_WEBHOOK_SECRET=SECRET, coalesce_seconds=0, create_missing=True
    )
    async with running(
        webhook_secret="ticket-webhook-secret-for-tests-0123456789",
        webhook_credentials=SERVER,
        push=settings,
        link_field="custom_fields.upsales_id",
    ) as service:
        uid = upsales_id(service, "different")
        freshdesk_contact(service, "different")["custom_fields"] = {"upsales_id": str(uid)}
        contacts = len(service.fd.store.contacts)
        service.us.store.tables["contacts"][uid]["email"] = "moved@example.se"
        await poke(service, {"entity": "contact", "id": uid})
        await settle(service)
        assert len(service.fd.store.contacts) == contacts
