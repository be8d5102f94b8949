"""Freshdesk emulator fidelity for the list, conversation, autocomplete, agents and Link fixes.

Each test names its source: REF = the recorded reference payloads in tests/fixtures,
"vendor sample" = tests/fixtures/freshdesk/vendor_samples.json (developers.freshdesk.com
samples, third-party copy; see its ``_source``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.recorded import assert_same_shape, fixture
from upsales_freshdesk.emulators.freshdesk.app import (
    DEFAULT_KEY,
    FreshdeskEmulator,
    create_freshdesk_emulator,
)
from upsales_freshdesk.emulators.scenarios import EPOCH

SAMPLES = fixture("freshdesk/vendor_samples.json")
NOW = EPOCH  # the book's "today": its tickets were created up to 60 days before


@pytest.fixture
def emu_at_epoch() -> FreshdeskEmulator:
    return create_freshdesk_emulator(now=lambda: NOW)


@pytest.fixture
async def fd_at_epoch(emu_at_epoch: FreshdeskEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu_at_epoch),
        base_url="https://acme.freshdesk.com",
        auth=(DEFAULT_KEY, "X"),
    ) as c:
        yield c


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def every(c: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for page in range(1, 301):
        resp = await c.get("/api/v2/tickets", params={**params, "per_page": 100, "page": page})
        assert resp.status_code == 200, resp.text
        rows += resp.json()
        if "link" not in resp.headers:
            return rows
    raise AssertionError("no last page")


# -- GET /tickets (vendor.md B) ---------------------------------------------------------


async def test_ticket_list_default_is_the_last_30_days(
    fd_at_epoch: httpx.AsyncClient, emu_at_epoch: FreshdeskEmulator
) -> None:
    store = emu_at_epoch.store
    recent = {
        t["id"] for t in store.tickets.values() if when(t["created_at"]) >= NOW - timedelta(30)
    }
    assert 0 < len(recent) < len(store.tickets)  # the seed has tickets on both sides
    assert {t["id"] for t in await every(fd_at_epoch)} == recent


async def test_updated_since_reaches_older_tickets(
    fd_at_epoch: httpx.AsyncClient, emu_at_epoch: FreshdeskEmulator
) -> None:
    store = emu_at_epoch.store
    since = "2025-11-01T00:00:00Z"
    rows = await every(fd_at_epoch, updated_since=since)
    expected = {t["id"] for t in store.tickets.values() if t["updated_at"] >= since}
    assert {t["id"] for t in rows} == expected
    assert any(when(t["created_at"]) < NOW - timedelta(30) for t in rows)
    bad = await fd_at_epoch.get("/api/v2/tickets", params={"updated_since": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "updated_since"


async def test_default_order_is_created_at_desc(fd_at_epoch: httpx.AsyncClient) -> None:
    created = [t["created_at"] for t in await every(fd_at_epoch)]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize("field", ["created_at", "due_by", "updated_at", "status"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_order_by_and_order_type(
    fd_at_epoch: httpx.AsyncClient, field: str, direction: str
) -> None:
    rows = await every(fd_at_epoch, order_by=field, order_type=direction)
    values = [t[field] for t in rows]
    assert values == sorted(values, reverse=direction == "desc")


async def test_order_values_are_checked(fd_at_epoch: httpx.AsyncClient) -> None:
    for params in ({"order_by": "subject"}, {"order_type": "up"}):
        resp = await fd_at_epoch.get("/api/v2/tickets", params=params)
        assert resp.status_code == 400
        assert resp.json()["errors"][0]["code"] == "invalid_value"


async def test_list_items_follow_the_list_sample(fd_at_epoch: httpx.AsyncClient) -> None:
    """The list sample has no description and no attachments; REF ticket_1 gives the types."""
    item = (await fd_at_epoch.get("/api/v2/tickets")).json()[0]
    sample = SAMPLES["List All Tickets: item"]
    for key in ("description", "description_text", "attachments", "requester", "stats"):
        assert key not in item
        assert key not in sample
    core = set(fixture("freshdesk/ticket_1.json")) & set(sample)
    assert core <= set(item)
    assert_same_shape(item, sample, exact_keys=False, ignore=set(sample) - core)


async def test_list_includes(fd_at_epoch: httpx.AsyncClient) -> None:
    recorded = fixture("freshdesk/ticket_1.json")
    params = {"include": "requester,stats,description"}
    resp = await fd_at_epoch.get("/api/v2/tickets", params=params)
    item = resp.json()[0]
    assert set(item["requester"]) == set(recorded["requester"])
    assert set(item["stats"]) == set(recorded["stats"])
    assert isinstance(item["description"], str)
    assert isinstance(item["description_text"], str)
    assert resp.headers["x-ratelimit-used-currentrequest"] == "7"  # 1 + 2 per include
    company = await fd_at_epoch.get("/api/v2/tickets", params={"include": "company"})
    assert company.status_code == 400  # documented on a single ticket only


async def test_link_follows_the_called_host(
    fd_at_epoch: httpx.AsyncClient, emu_at_epoch: FreshdeskEmulator
) -> None:
    """REF API-FACTS.md: ``<https://domain.freshdesk.com/api/v2/tickets?page=2...>``."""
    resp = await fd_at_epoch.get("/api/v2/contacts", params={"per_page": 10})
    assert resp.headers["link"] == (
        '<https://acme.freshdesk.com/api/v2/contacts?per_page=10&page=2>; rel="next"'
    )
    emu = emu_at_epoch
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu),
        base_url="http://127.0.0.1:8011",
        auth=(DEFAULT_KEY, "X"),
    ) as local:
        link = (await local.get("/api/v2/tickets", params={"per_page": 2})).headers["link"]
    assert link.startswith("<http://127.0.0.1:8011/api/v2/tickets?per_page=2&page=2>")


# -- conversations (vendor.md C) ---------------------------------------------------------


async def test_conversation_has_the_documented_keys_and_types(
    fd_at_epoch: httpx.AsyncClient,
) -> None:
    created = await fd_at_epoch.post(
        "/api/v2/tickets/1/notes",
        json={"body": "<p>x</p>", "private": True, "notify_emails": ["a@b.example"]},
    )
    assert created.status_code == 201
    note_sample = SAMPLES["Create a Note: response"]
    assert set(note_sample) <= set(created.json())
    assert created.json()["notified_to"] == ["a@b.example"]
    listed = (await fd_at_epoch.get("/api/v2/tickets/1/conversations")).json()[0]
    forward, item = SAMPLES["Create a Forward: response"], SAMPLES["List All Conversations: item"]
    live = fixture("freshdesk/conversation_live_reply.json")  # REF: the thread/automation keys
    assert set(listed) == set(forward) | set(item) | set(live)
    assert_same_shape(listed, live, exact_keys=False)
    assert_same_shape(listed, forward, exact_keys=False)
    assert_same_shape(listed, item, exact_keys=False)
    for recorded in fixture("freshdesk/conversations.json"):  # REF
        assert_same_shape(listed, recorded, exact_keys=False)
    assert_same_shape(listed, fixture("freshdesk/note_1.json"), exact_keys=False)
    assert isinstance(listed["bcc_emails"], list)


# -- autocomplete and agents (vendor.md D) ------------------------------------------------


async def test_contact_autocomplete(fd_at_epoch: httpx.AsyncClient) -> None:
    sample = SAMPLES["Autocomplete contacts: response"]["body"]
    hits = (await fd_at_epoch.get("/api/v2/contacts/autocomplete", params={"term": "astr"})).json()
    assert isinstance(hits, list)
    assert all(set(h) == set(sample[0]) for h in hits)
    assert any(h["name"] == "Astrid Lindqvist" for h in hits)
    assert all(any(w.lower().startswith("astr") for w in h["name"].split()) for h in hits)
    by_last = await fd_at_epoch.get("/api/v2/contacts/autocomplete", params={"term": "LINDQ"})
    assert any(h["name"] == "Astrid Lindqvist" for h in by_last.json())  # any word, any case
    inner = await fd_at_epoch.get("/api/v2/contacts/autocomplete", params={"term": "strid"})
    assert all(h["name"] != "Astrid Lindqvist" for h in inner.json())  # no substrings
    assert (await fd_at_epoch.get("/api/v2/contacts/autocomplete")).status_code == 400


async def test_agents_list(fd_at_epoch: httpx.AsyncClient, emu_at_epoch: FreshdeskEmulator) -> None:
    resp = await fd_at_epoch.get("/api/v2/agents")
    assert resp.status_code == 200
    agents = resp.json()
    sample = SAMPLES["List All Agents: response"][0]
    assert isinstance(agents, list)
    assert len(agents) == 1
    assert set(agents[0]) == set(sample)
    assert set(agents[0]["contact"]) == set(sample["contact"])
    assert_same_shape(agents[0], sample)
    for recorded in fixture("freshdesk/agents.json"):  # REF: all its keys are there too
        assert set(recorded) <= set(agents[0])
    me = (await fd_at_epoch.get("/api/v2/agents/me")).json()
    assert me == agents[0]
    # "View an Agent": the same object by its id; an id of no agent is a 404.
    assert (await fd_at_epoch.get(f"/api/v2/agents/{me['id']}")).json() == me
    assert (await fd_at_epoch.get(f"/api/v2/agents/{me['id'] + 1}")).status_code == 404
    wrong = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu_at_epoch),
        base_url="https://acme.freshdesk.com",
        auth=("wrong-key", "X"),
    )
    async with wrong:
        assert (await wrong.get("/api/v2/agents")).status_code == 401  # a credentials check
