"""The timeline's two automation rules: what the admin is told, what the Automations API
gets, installing them against the Freshdesk emulator (once, then never again, updated in
place), and the installed rules delivering, on a real ticket write, an event the
service's receiver takes and turns into the ticket's activity."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.support.emulated import EMULATED
from tests.support.service import Service, settle
from tests.timeline.test_ticket_events import SECRET, activities, timeline
from upsales_freshdesk.clients import Deadline, FreshdeskClient, ThrottleRegistry
from upsales_freshdesk.clients.freshdesk.automations import Automations
from upsales_freshdesk.emulators.freshdesk.app import (
    DEFAULT_KEY,
    FreshdeskEmulator,
    create_freshdesk_emulator,
)
from upsales_freshdesk.emulators.freshdesk.store import now_iso
from upsales_freshdesk.emulators.freshdesk.webhooks import httpx_sender
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.timeline.automation import (
    CREATED_NAME,
    HEADER,
    SECRET_PLACEHOLDER,
    UPDATED_NAME,
    api_bodies,
    install,
    instructions,
    present,
    sends_secret,
    webhook_url,
)

HOOK = "hook-secret-for-automation-tests-0123456789"
URL = "https://ufd.example.com/v1/webhooks/freshdesk/ticket-event"
RULES = "/api/v2/automations/{}/rules"


def deadline() -> Deadline:
    return Deadline.after(30)


@asynccontextmanager
async def rules_of(emu: FreshdeskEmulator) -> AsyncIterator[Automations]:
    """The Automations API of ``emu``, as the server's key reaches it."""
    client = FreshdeskClient(
        "demo", DEFAULT_KEY, base_url=EMULATED, transport=asgi(emu), registry=ThrottleRegistry()
    )
    async with client:
        yield client.automations


def asgi(app: Any) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=app)


def stored(emu: FreshdeskEmulator, type_id: int) -> list[dict[str, Any]]:
    return emu.store.automations.listed(type_id)


def writes(emu: FreshdeskEmulator) -> int:
    return sum(n for route, n in emu.stats.by_route.items() if not route.startswith("GET"))


# -- the rules, printed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("https://ufd.example.com", URL),
        ("https://UFD.example.com/", URL),
        (URL, URL),
        ("https://example.com/ufd/", "https://example.com/ufd/v1/webhooks/freshdesk/ticket-event"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/webhooks/freshdesk/ticket-event"),
    ],
)
def test_the_receivers_url_is_made_from_the_services(given: str, url: str) -> None:
    assert webhook_url(given) == url


@pytest.mark.parametrize(
    "bad",
    [
        "http://ufd.example.com",  # plain http off loopback
        "ftp://ufd.example.com",
        "ufd.example.com",
        "https://admin:pw@ufd.example.com",  # printed and stored where every admin reads it
        "https://ufd.example.com/?token=x",
        "https://ufd.example.com/#x",
    ],
)
def test_a_url_that_cannot_be_the_receivers_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="the service's URL"):
        webhook_url(bad)


def test_the_instructions_give_the_url_the_header_and_the_body_but_no_secret() -> None:
    text = "\n".join(instructions(URL))
    assert text.count(URL) == 2  # one action per rule
    assert f"header {HEADER}, value {SECRET_PLACEHOLDER}" in text
    assert "Request type: POST" in text
    assert "Encoding: JSON" in text
    assert "Content: Advanced" in text
    assert '{"ticket_id": "{{ticket.id}}", "ticket_url": "{{ticket.url}}"}' in text
    assert '"Ticket Creation" tab' in text
    assert '"Ticket Updates" tab' in text
    for event in ("Status is changed", "Priority is changed", "Agent is updated"):
        assert event in text
    assert CREATED_NAME in text
    assert UPDATED_NAME in text
    without = "\n".join(instructions(URL, ticket_url=False))
    assert "{{ticket.url}}" not in without
    assert '{"ticket_id": "{{ticket.id}}"}' in without


def test_the_pasted_body_is_json_before_freshdesk_fills_it_in() -> None:
    pasted = next(line.strip() for line in instructions(URL) if "{{ticket.id}}" in line)
    assert json.loads(pasted) == {"ticket_id": "{{ticket.id}}", "ticket_url": "{{ticket.url}}"}


async def test_the_printed_api_bodies_are_rules_freshdesk_takes() -> None:
    emu = create_freshdesk_emulator()
    calls = api_bodies(URL)
    assert SECRET_PLACEHOLDER in json.dumps(calls)
    async with httpx.AsyncClient(
        transport=asgi(emu), base_url="http://t", auth=(DEFAULT_KEY, "X")
    ) as api:
        for call in calls:
            resp = await api.request(call["method"], call["path"], json=call["body"])
            assert resp.status_code == 201, resp.text
    (created,) = stored(emu, 1)
    (updated,) = stored(emu, 4)
    assert (created["name"], updated["name"]) == (CREATED_NAME, UPDATED_NAME)
    assert updated["performer"] == {"type": 3}
    assert {e["field_name"] for e in updated["events"]} >= {"status", "priority", "responder_id"}


# -- install ----------------------------------------------------------------------------


async def test_install_makes_both_rules_once_and_a_second_run_changes_nothing() -> None:
    emu = create_freshdesk_emulator()
    async with rules_of(emu) as automations:
        first = await install(automations, URL, HOOK, deadline=deadline())
        assert [(i.rule.name, i.result) for i in first] == [
            (CREATED_NAME, "created"),
            (UPDATED_NAME, "created"),
        ]
        (created,) = stored(emu, 1)
        (updated,) = stored(emu, 4)
        (action,) = created["actions"]
        assert action["url"] == URL
        assert action["custom_headers"] == {HEADER: HOOK}
        assert updated["actions"] == created["actions"]
        before = writes(emu)
        again = await install(automations, URL, HOOK, deadline=deadline())
        assert [i.result for i in again] == ["unchanged", "unchanged"]
        assert [i.found.id for i in again] == [i.found.id for i in first]
        assert writes(emu) == before
        assert len(stored(emu, 1)) == len(stored(emu, 4)) == 1


async def test_a_changed_url_or_secret_updates_the_rules_in_place() -> None:
    emu = create_freshdesk_emulator()
    async with rules_of(emu) as automations:
        first = await install(automations, URL, HOOK, deadline=deadline())
        moved = webhook_url("https://cards.example.org")
        second = await install(automations, moved, HOOK, deadline=deadline())
        assert [i.result for i in second] == ["updated", "updated"]
        assert [i.found.id for i in second] == [i.found.id for i in first]
        assert [r["actions"][0]["url"] for r in (*stored(emu, 1), *stored(emu, 4))] == [moved] * 2
        rotated = await install(automations, moved, HOOK[::-1], deadline=deadline())
        assert [i.result for i in rotated] == ["updated", "updated"]
        assert stored(emu, 1)[0]["actions"][0]["custom_headers"] == {HEADER: HOOK[::-1]}
        assert len(stored(emu, 1)) == len(stored(emu, 4)) == 1


async def test_a_rule_turned_off_is_turned_on_and_a_twin_is_named() -> None:
    emu = create_freshdesk_emulator()
    async with rules_of(emu) as automations:
        first = await install(automations, URL, HOOK, deadline=deadline())
        made = {i.rule.type_id: i.found.id for i in first}
        emu.store.automations.update(1, made[1], {"active": False}, agent_id=1, now=now_iso())
        twin = await automations.create(1, first[0].rule.body, deadline=deadline())
        again = await install(automations, URL, HOOK, deadline=deadline())
        assert [(i.result, i.found.id) for i in again] == [
            ("updated", made[1]),
            ("unchanged", made[4]),
        ]
        assert again[0].duplicates == (twin.id,)
        assert emu.store.automations.get(1, made[1])["active"] is True


async def test_a_rule_given_back_in_another_form_is_not_written_again() -> None:
    """The same rule with its content as JSON text and keys Freshdesk adds counts as up
    to date: reading it back never makes a write on every run."""
    emu = create_freshdesk_emulator()
    async with rules_of(emu) as automations:
        (created, _) = await install(automations, URL, HOOK, deadline=deadline())
        action = dict(created.found.actions[0])
        action["content"] = json.dumps(action["content"])  # as text, as a template is typed
        action["custom_headers"] = {**action["custom_headers"], "X-Other": "kept"}
        emu.store.automations.update(
            1, created.found.id, {"actions": [action]}, agent_id=1, now=now_iso()
        )
        before = writes(emu)
        again = await install(automations, URL, HOOK, deadline=deadline())
        assert [i.result for i in again] == ["unchanged", "unchanged"]
        assert writes(emu) == before


async def test_every_page_of_rules_is_read() -> None:
    """More rules than a page holds: the rule on the second page is found, not made again."""
    emu = create_freshdesk_emulator()
    async with rules_of(emu) as automations:
        filler = api_bodies(URL)[0]["body"] | {"name": "Someone else's rule"}
        for _ in range(100):
            emu.store.automations.create(1, filler, agent_id=1, now=now_iso())
        (created, _) = await install(automations, URL, HOOK, deadline=deadline())
        assert len(await automations.list(1, deadline=deadline())) == 101
        again = await install(automations, URL, HOOK, deadline=deadline())
        assert (again[0].result, again[0].found.id) == ("unchanged", created.found.id)


async def test_present_finds_both_rules_and_whether_they_send_the_secret() -> None:
    emu = create_freshdesk_emulator()
    async with rules_of(emu) as automations:
        assert [p.found for p in await present(automations, deadline=deadline())] == [(), ()]
        await install(automations, URL, HOOK, deadline=deadline())
        found = await present(automations, deadline=deadline())
        assert [(p.type_id, p.name) for p in found] == [(1, CREATED_NAME), (4, UPDATED_NAME)]
        assert all(len(p.found) == 1 and p.found[0].active for p in found)
        assert all(sends_secret(p.found[0], HOOK) for p in found)
        assert not any(sends_secret(p.found[0], HOOK[:-1]) for p in found)


# -- end to end: the installed rules, fired by Freshdesk, reach the receiver -------------


async def rules_to(service: Service, url: str = URL) -> httpx.AsyncClient:
    """Both rules installed on the service's Freshdesk, its webhooks delivered to the app
    (whatever the URL's host, the ASGI transport reaches the service)."""
    async with rules_of(service.fd) as automations:
        await install(automations, url, SECRET[HEADER], deadline=deadline())
    out = httpx.AsyncClient(transport=asgi(service.app))
    service.fd.store.webhooks.sender = httpx_sender(out)
    return out


async def write_ticket(service: Service, method: str, path: str, body: dict[str, Any]) -> Any:
    """A ticket write through Freshdesk's API (as an agent's would), then its webhooks."""
    async with httpx.AsyncClient(
        transport=asgi(service.fd), base_url="http://t", auth=(DEFAULT_KEY, "X")
    ) as api:
        resp = await api.request(method, f"/api/v2/{path}", json=body)
        assert resp.status_code in (200, 201), resp.text
    async with asyncio.timeout(30):
        await service.fd.store.webhooks.drain()
    return resp.json()


@pytest.fixture
def minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ticket write a minute after the last: Freshdesk's ``updated_at`` counts whole
    seconds, and the timeline takes only a newer one."""
    from datetime import UTC, datetime, timedelta

    from upsales_freshdesk.emulators.freshdesk import ticket_writes

    moments = (datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=n) for n in range(10**6))
    monkeypatch.setattr(
        ticket_writes, "now_iso", lambda: next(moments).isoformat().replace("+00:00", "Z")
    )


@pytest.mark.usefixtures("minutes")
async def test_the_installed_rules_deliver_events_the_receiver_takes() -> None:
    async with timeline() as service:
        out = await rules_to(service)
        try:
            email = SCENARIOS["found"].email
            body = {"email": email, "subject": "Invoice twice", "description": "<p>Hi</p>"}
            ticket = await write_ticket(service, "POST", "tickets", body)
            (delivery,) = service.fd.store.webhooks.deliveries
            assert delivery.request.url == URL
            assert json.loads(delivery.request.body) == {
                "ticket_id": str(ticket["id"]),
                "ticket_url": f"https://demo.freshdesk.com/helpdesk/tickets/{ticket['id']}",
            }
            assert [a.status for a in delivery.attempts] == [202]
            assert delivery.state == "delivered"
            await settle(service)
            (activity,) = await activities(service, ticket["id"])
            assert activity["description"].endswith("Invoice twice")
            assert "Status: Open" in activity["notes"]

            await write_ticket(service, "PUT", f"tickets/{ticket['id']}", {"status": 4})
            changed = service.fd.store.webhooks.deliveries[-1]
            assert changed.rule_id == service.fd.store.automations.listed(4)[0]["id"]
            assert [a.status for a in changed.attempts] == [202]
            await settle(service)
            (activity,) = await activities(service, ticket["id"])
            assert "Status: Resolved" in activity["notes"]
        finally:
            await out.aclose()


async def test_rules_with_another_secret_are_refused_and_retried_by_freshdesk() -> None:
    async with timeline() as service:
        out = await rules_to(service)
        try:
            async with rules_of(service.fd) as automations:
                await install(automations, URL, HOOK, deadline=deadline())  # not the service's
            service.fd.store.webhooks.sleep = _no_wait
            email = SCENARIOS["found"].email
            body = {"email": email, "subject": "Wrong key", "description": "<p>Hi</p>"}
            ticket = await write_ticket(service, "POST", "tickets", body)
            (delivery,) = service.fd.store.webhooks.deliveries
            assert {a.status for a in delivery.attempts} == {401}
            assert (delivery.state, delivery.admin_notified) == ("failed", True)
            await settle(service)
            assert await activities(service, ticket["id"]) == []
        finally:
            await out.aclose()


async def _no_wait(seconds: float) -> None:
    """Freshdesk's retry waits (5, 30, 60 minutes), passed at once."""
