"""Tickets onto the Upsales timeline by themselves: the webhook queues a poke, the job
reads the ticket and keeps its one activity, against both emulators (in-process queue)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.support.faults import lost_answer, outage, rate_limited
from tests.support.service import Service, running, settle
from tests.support.service import local_queue as queue
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.scenarios import FRESHDESK_AGENT, SCENARIOS
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN
from upsales_freshdesk.rules.logged import timeline_stamp
from upsales_freshdesk.timeline.config import TimelineSettings
from upsales_freshdesk.web.deps import Credentials

SECRET = {"X-Webhook-Secret": "webhook-secret-for-tests-0123456789"}
PATH = "/v1/webhooks/freshdesk/ticket-event"
HOST = "demo.freshdesk.com"
SERVER = Credentials(HOST, DEFAULT_KEY, DEFAULT_TOKEN)
MARKER = f"[Freshdesk {HOST} #"


@asynccontextmanager
async def timeline(**options: Any) -> AsyncIterator[Service]:
    settings = TimelineSettings(enabled=True, **options)
    async with running(
        webhook_secret=SECRET["X-Webhook-Secret"],
        webhook_credentials=SERVER,
        timeline=settings,
    ) as service:
        yield service


async def event(service: Service, body: Any, headers: dict[str, str] | None = None) -> Any:
    return await service.http.post(PATH, json=body, headers=SECRET if headers is None else headers)


async def activities(service: Service, ticket_id: int) -> list[dict[str, Any]]:
    """The ticket's activities as Upsales' API shows them (``GET /activities/{id}``)."""
    marker = f"{MARKER}{ticket_id}]"
    ids = [
        a["id"]
        for a in service.us.store.tables["activities"].values()
        if (a.get("description") or "").startswith(marker)
    ]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.us),
        base_url="http://upsales",
        cookies={"token": DEFAULT_TOKEN},
    ) as client:
        return [(await client.get(f"/api/v2/activities/{i}")).json()["data"] for i in ids]


def upsales_writes(service: Service) -> int:
    return sum(n for route, n in service.us.stats.by_route.items() if not route.startswith("GET"))


def change_ticket(service: Service, ticket_id: int, **fields: Any) -> None:
    """As an agent's edit in Freshdesk would: the fields, and a newer ``updated_at``."""
    ticket = service.fd.store.tickets[ticket_id]
    ticket.update(fields)
    ticket["updated_at"] = _later(ticket["updated_at"])


def _later(stamp: str) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) + timedelta(minutes=5)
    return moment.isoformat().replace("+00:00", "Z")


async def test_it_is_off_unless_enabled() -> None:
    async with running(webhook_secret=SECRET["X-Webhook-Secret"], webhook_credentials=SERVER) as s:
        resp = await event(s, {"ticket_id": 1})
        assert resp.status_code == 404
        assert s.upstream_calls() == (0, 0)


async def test_a_ticket_becomes_one_activity_on_its_requesters_contact() -> None:
    async with timeline() as service:
        for bad in ({}, {"X-Webhook-Secret": "wrong"}):
            assert (await event(service, {"ticket_id": 1}, bad)).status_code == 401
        resp = await event(service, {"ticket_id": "1"})
        assert resp.status_code == 202
        assert resp.json() == {"status": "queued"}
        await settle(service)
        (activity,) = await activities(service, 1)
        contact = next(
            c
            for c in service.us.store.tables["contacts"].values()
            if c.get("email") == SCENARIOS["found"].email
        )
        assert [c["id"] for c in activity["contacts"]] == [contact["id"]]
        account = contact["client"]  # the store keeps a bare id
        assert activity["client"]["id"] == (account["id"] if isinstance(account, dict) else account)
        ticket = service.fd.store.tickets[1]
        assert activity["description"].endswith(ticket["subject"])
        assert f"https://{HOST}/a/tickets/1" in activity["notes"]
        assert "Status: Open" in activity["notes"] or "Status: Pending" in activity["notes"]
        assert activity["activityType"]["name"] == "Support"  # the account's support-like type


async def test_simple_content_and_its_wrapper_are_taken() -> None:
    async with timeline() as service:
        body = {"freshdesk_webhook": {"ticket_id": "1", "ticket_subject": "ignored"}}
        assert (await event(service, body)).status_code == 202
        await settle(service)
        assert len(await activities(service, 1)) == 1


async def test_ten_identical_events_at_once_make_one_activity() -> None:
    async with timeline() as service:
        answers = await asyncio.gather(*(event(service, {"ticket_id": 1}) for _ in range(10)))
        assert {a.status_code for a in answers} == {202}
        assert {a.json()["status"] for a in answers} <= {"queued", "coalesced"}
        await settle(service)
        assert len(await activities(service, 1)) == 1
        assert service.us.stats.by_route.get("POST /api/v2/activities") == 1


async def test_a_replay_writes_nothing() -> None:
    async with timeline() as service:
        await event(service, {"ticket_id": 1})
        await settle(service)
        writes = upsales_writes(service)
        await event(service, {"ticket_id": 1})
        await settle(service)
        assert upsales_writes(service) == writes
        assert len(await activities(service, 1)) == 1


async def test_a_change_updates_the_one_activity_in_place() -> None:
    async with timeline() as service:
        await event(service, {"ticket_id": 1})
        await settle(service)
        (first,) = await activities(service, 1)
        change_ticket(service, 1, status=4, subject="Solved: the export")
        await event(service, {"ticket_id": 1})
        await settle(service)
        (now,) = await activities(service, 1)
        assert now["id"] == first["id"]
        assert "Status: Resolved" in now["notes"]
        assert now["description"].endswith("Solved: the export")


async def test_an_older_state_never_overwrites_a_newer_one() -> None:
    """Freshdesk answering an older state (a replica behind) after a newer one was
    written: the activity keeps the newer."""
    async with timeline() as service:
        old = dict(service.fd.store.tickets[1])
        change_ticket(service, 1, status=5)
        await event(service, {"ticket_id": 1})
        await settle(service)
        (newer,) = await activities(service, 1)
        service.fd.store.tickets[1].update(old)  # the older state comes back
        writes = upsales_writes(service)
        await event(service, {"ticket_id": 1})
        await settle(service)
        assert upsales_writes(service) == writes
        (kept,) = await activities(service, 1)
        assert "Status: Closed" in kept["notes"]
        assert kept["notes"] == newer["notes"]


async def test_the_link_is_found_again_by_the_marker_when_it_is_lost() -> None:
    """No state of ours needed: a process that lost its links finds the activity by
    its marker and updates it, never a second one."""
    async with timeline() as service:
        await event(service, {"ticket_id": 1})
        await settle(service)
        service.app.state.background.links.clear()
        change_ticket(service, 1, status=4)
        await event(service, {"ticket_id": 1})
        await settle(service)
        (activity,) = await activities(service, 1)
        assert "Status: Resolved" in activity["notes"]
        assert timeline_stamp_of(activity) is not None


def timeline_stamp_of(activity: dict[str, Any]) -> Any:
    from upsales_freshdesk.clients.upsales.models import Activity

    return timeline_stamp(Activity.model_validate(activity))


async def test_a_lost_answer_is_looked_up_never_sent_again() -> None:
    async with timeline() as service:
        service.us.faults.set(lost_answer("POST", match="activities", times=1))
        await event(service, {"ticket_id": 1})
        await settle(service)
        assert len(await activities(service, 1)) == 1


async def test_a_rate_limited_write_is_done_later_not_forgotten() -> None:
    async with timeline() as service:
        service.us.faults.set(rate_limited(600, count=1, method="POST"))
        await event(service, {"ticket_id": 1})
        await settle(service)
        assert await activities(service, 1) == []
        assert await queue(service).pending() == 1  # waiting out the Retry-After
        service.pass_time(600)  # the client's own pause after the 429 ends too
        queue(service).hurry()
        await settle(service)
        assert len(await activities(service, 1)) == 1


async def test_an_upstream_outage_keeps_the_event_for_later() -> None:
    async with timeline() as service:
        service.us.faults.set(outage(503))
        await event(service, {"ticket_id": 1})
        await settle(service)
        assert await activities(service, 1) == []
        assert await queue(service).pending() == 1
        service.us.faults.clear()
        queue(service).hurry()
        await settle(service)
        assert len(await activities(service, 1)) == 1


async def test_a_ticket_of_another_account_is_refused_and_not_queued() -> None:
    async with timeline() as service:
        body = {"ticket_id": 1, "ticket_url": "https://other.freshdesk.com/a/tickets/1"}
        resp = await event(service, body)
        assert resp.status_code == 422
        assert await queue(service).pending() == 0
        await settle(service)
        assert service.upstream_calls() == (0, 0)


async def test_unknown_tickets_spam_and_deleted_ones_stay_off_the_timeline() -> None:
    async with timeline() as service:
        service.fd.store.tickets[1]["spam"] = True
        service.fd.store.tickets[2]["deleted"] = True
        for ticket_id in (1, 2, 999_999):
            assert (await event(service, {"ticket_id": ticket_id})).status_code == 202
        await settle(service)
        assert upsales_writes(service) == 0


async def test_excluded_tags_and_types_are_skipped() -> None:
    async with timeline(exclude_tags="vip", include_types="") as service:
        service.fd.store.tickets[1]["tags"] = ["VIP"]
        await event(service, {"ticket_id": 1})
        await event(service, {"ticket_id": 2})
        await settle(service)
        assert await activities(service, 1) == []
        assert len(await activities(service, 2)) == 1


async def test_on_resolution_only_logs_once_the_ticket_is_resolved() -> None:
    async with timeline(when="resolved") as service:
        service.fd.store.tickets[1]["status"] = 2
        await event(service, {"ticket_id": 1})
        await settle(service)
        assert await activities(service, 1) == []
        change_ticket(service, 1, status=4)
        await event(service, {"ticket_id": 1})
        await settle(service)
        assert len(await activities(service, 1)) == 1


async def test_a_requester_not_in_upsales_is_skipped_by_default() -> None:
    async with timeline() as service:
        contacts = len(service.us.store.tables["contacts"])
        await event(service, {"ticket_id": SCENARIOS["not_found"].ticket_id})
        await settle(service)
        assert len(service.us.store.tables["contacts"]) == contacts
        assert upsales_writes(service) == 0


async def test_a_full_queue_answers_429_so_freshdesk_retries() -> None:
    async with timeline(max_pending=100) as service:
        service.us.faults.set(outage(503))
        q = queue(service)
        q.max_pending = 1
        await event(service, {"ticket_id": 1})
        await settle(service)
        resp = await event(service, {"ticket_id": 2})
        assert resp.status_code == 429


async def test_the_card_shows_the_timeline_and_offers_no_second_log() -> None:
    async with timeline() as service:
        before = (await service.card("found")).json()["html"]
        assert 'data-action="log-ticket"' in before
        await event(service, {"ticket_id": SCENARIOS["found"].ticket_id})
        await settle(service)
        for locale, words in (("en", "On the Upsales timeline, updated"), ("sv", "uppdaterad")):
            html = (await service.card("found", locale)).json()["html"]
            assert words in html
            assert 'data-action="log-ticket"' not in html


async def test_the_activity_reads_in_the_timelines_language_and_is_read_back() -> None:
    """UFD_TIMELINE_LANGUAGE: the lines in Finnish; the stamp is read back (a replay
    writes nothing), and every agent's card, in any language, shows the timeline."""
    async with timeline(language="fi") as service:
        ticket_id = SCENARIOS["found"].ticket_id
        change_ticket(service, ticket_id, status=4, priority=3)
        await event(service, {"ticket_id": ticket_id})
        await settle(service)
        (activity,) = await activities(service, ticket_id)
        notes = activity["notes"].splitlines()
        subject = service.fd.store.tickets[ticket_id]["subject"]
        assert notes[0] == f"Freshdesk-tiketti #{ticket_id}: {subject}"
        assert notes[1] == "Tila: Ratkaistu · Prioriteetti: Korkea"
        assert notes[-1].startswith("Pidetään ajan tasalla Freshdeskistä; tiketti päivitetty ")
        assert timeline_stamp_of(activity) is not None
        writes = upsales_writes(service)
        await event(service, {"ticket_id": ticket_id})
        await settle(service)
        assert upsales_writes(service) == writes
        for locale, words in (("en", "On the Upsales timeline, updated"), ("nb", "tidslinjen")):
            html = (await service.card("found", locale)).json()["html"]
            assert words in html
            assert 'data-action="log-ticket"' not in html


def test_the_timelines_language_is_one_of_ours() -> None:
    assert TimelineSettings(language="sv-SE").language == "sv"
    assert TimelineSettings(language="no").language == "nb"
    assert TimelineSettings().language == "en"
    with pytest.raises(ValueError, match="not one of the languages"):
        TimelineSettings(language="de")


async def test_a_huge_body_is_refused_before_anything_is_queued() -> None:
    async with timeline() as service:
        resp = await event(service, {"ticket_id": 1, "padding": "x" * 100_000})
        assert resp.status_code == 413
        assert await queue(service).pending() == 0


async def test_no_contact_data_reaches_the_logs(caplog: Any, capsys: Any) -> None:
    async with timeline() as service:
        caplog.set_level("DEBUG")
        for ticket_id in (1, SCENARIOS["not_found"].ticket_id, 999_999):
            await event(service, {"ticket_id": ticket_id})
        await settle(service)
        logged = caplog.text + capsys.readouterr().out
        for scenario in ("found", "not_found"):
            assert SCENARIOS[scenario].email not in logged
        assert service.fd.store.tickets[1]["subject"] not in logged


async def test_a_change_within_the_same_second_is_still_written() -> None:
    """``updated_at`` counts whole seconds: two changes in one second differ by what the
    activity would show, and the second is written."""
    async with timeline() as service:
        await event(service, {"ticket_id": 1})
        await settle(service)
        service.fd.store.tickets[1]["status"] = 4  # same updated_at
        await event(service, {"ticket_id": 1})
        await settle(service)
        (activity,) = await activities(service, 1)
        assert "Status: Resolved" in activity["notes"]
        service.app.state.background.links.clear()  # and found again by its marker
        service.fd.store.tickets[1]["status"] = 5
        await event(service, {"ticket_id": 1})
        await settle(service)
        (activity,) = await activities(service, 1)
        assert "Status: Closed" in activity["notes"]


async def test_the_activity_names_the_tickets_agent() -> None:
    async with timeline() as service:
        service.fd.store.tickets[1]["responder_id"] = FRESHDESK_AGENT["id"]
        await event(service, {"ticket_id": 1})
        await settle(service)
        (activity,) = await activities(service, 1)
        assert f"Agent: {FRESHDESK_AGENT['contact']['name']}" in activity["notes"]


async def test_a_requester_change_with_the_link_lost_keeps_one_activity() -> None:
    async with timeline() as service:
        await event(service, {"ticket_id": 1})
        await settle(service)
        service.app.state.background.links.clear()
        other = service.fd.store.tickets[2]["requester_id"]
        change_ticket(service, 1, requester_id=other, status=4)
        await event(service, {"ticket_id": 1})
        await settle(service)
        (activity,) = await activities(service, 1)
        assert "Status: Resolved" in activity["notes"]


async def test_a_new_requesters_tickets_at_once_make_one_contact() -> None:
    """``missing_requester=create``: four tickets of a requester not in Upsales, at once,
    make one Upsales contact, and each ticket its activity on it."""
    async with timeline(missing_requester="create") as service:
        email = "fresh.person@nordvind.example"
        requester = next(iter(service.fd.store.contacts.values()))
        new = {**requester, "id": 9_900_001, "email": email, "name": "Fresh Person"}
        new["other_emails"] = []
        service.fd.store.contacts[new["id"]] = new
        tickets = []
        for n in range(4):
            ticket = {**service.fd.store.tickets[1], "id": 9_000 + n, "requester_id": new["id"]}
            service.fd.store.tickets[ticket["id"]] = ticket
            tickets.append(ticket["id"])
        service.us.faults.set(Faults(latency_ms=100))
        await asyncio.gather(*(event(service, {"ticket_id": t}) for t in tickets))
        await settle(service)
        made = [c for c in service.us.store.tables["contacts"].values() if c["email"] == email]
        assert len(made) == 1
        for ticket_id in tickets:
            assert len(await activities(service, ticket_id)) == 1


async def test_a_stamp_line_in_the_description_cannot_freeze_the_activity() -> None:
    async with timeline(send_description=True) as service:
        fake = "Kept up to date from Freshdesk; ticket updated 2099-01-01T00:00:00+00:00"
        service.fd.store.tickets[1]["description_text"] = f"Hello\n{fake}"
        await event(service, {"ticket_id": 1})
        await settle(service)
        service.app.state.background.links.clear()
        change_ticket(service, 1, status=5)
        await event(service, {"ticket_id": 1})
        await settle(service)
        (activity,) = await activities(service, 1)
        assert "Status: Closed" in activity["notes"]


async def test_a_malformed_ticket_url_is_refused_not_retried() -> None:
    async with timeline() as service:
        resp = await event(service, {"ticket_id": 1, "ticket_url": "https://[::1/"})
        assert resp.status_code == 422


async def test_events_during_a_retry_fold_into_the_waiting_job() -> None:
    async with timeline() as service:
        service.us.faults.set(outage(503))
        await event(service, {"ticket_id": 1})
        await settle(service)
        answers = [(await event(service, {"ticket_id": 1})).json()["status"] for _ in range(5)]
        assert answers == ["coalesced"] * 5
        assert await queue(service).pending() == 1


async def test_a_linked_requester_lands_on_the_linked_contact_whatever_the_email() -> None:
    """Ticket 10's requester is linked to Karin Holm in Upsales, whose email is another:
    the link is used before the email (which Upsales does not know)."""
    async with timeline() as service:
        requester = service.fd.store.contacts[service.fd.store.tickets[10]["requester_id"]]
        karin = int(requester["unique_external_id"].removeprefix("upsales:"))
        assert (await event(service, {"ticket_id": 10})).status_code == 202
        await settle(service)
        (activity,) = await activities(service, 10)
        assert [c["id"] for c in activity["contacts"]] == [karin]


async def test_a_link_to_a_deleted_contact_falls_back_to_the_email() -> None:
    async with timeline() as service:
        requester = service.fd.store.contacts[service.fd.store.tickets[1]["requester_id"]]
        requester["unique_external_id"] = "upsales:999999"  # deleted in Upsales since
        assert (await event(service, {"ticket_id": 1})).status_code == 202
        await settle(service)
        (activity,) = await activities(service, 1)
        found = next(
            c
            for c in service.us.store.tables["contacts"].values()
            if c.get("email") == SCENARIOS["found"].email
        )
        assert [c["id"] for c in activity["contacts"]] == [found["id"]]
