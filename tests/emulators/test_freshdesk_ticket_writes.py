"""The Freshdesk emulator's ticket writes: create, update, delete and restore, with the
vendor's checks, defaults and shapes (REF ticket_1.json, ticket_1_updated.json)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.recorded import assert_same_shape, fixture
from upsales_freshdesk.emulators.freshdesk.app import FreshdeskEmulator
from upsales_freshdesk.emulators.scenarios import SCENARIOS

NEW = {
    "email": "ada@example.com",
    "subject": "Printer on fire",
    "description": "<p>Help &amp; soon</p>",
}


async def test_create_answers_the_ticket_with_defaults(
    fd_raw: httpx.AsyncClient, fd_emu: FreshdeskEmulator
) -> None:
    resp = await fd_raw.post(
        "/api/v2/tickets", json={**NEW, "tags": ["a"], "cc_emails": ["c@example.com"]}
    )
    assert resp.status_code == 201
    ticket = resp.json()
    assert resp.headers["location"].endswith(f"/api/v2/tickets/{ticket['id']}")
    assert_same_shape(
        ticket,
        fixture("freshdesk/ticket_1_updated.json"),
        exact_keys=False,
        ignore={"priority_name"},
    )
    assert (ticket["status"], ticket["priority"], ticket["source"]) == (
        2,
        1,
        2,
    )  # Open, Low, Portal
    assert ticket["description_text"] == "Help & soon"
    assert (ticket["tags"], ticket["cc_emails"], ticket["reply_cc_emails"]) == (
        ["a"],
        ["c@example.com"],
        ["c@example.com"],
    )
    requester = fd_emu.store.contact(ticket["requester_id"])
    assert requester is not None
    assert requester["email"] == "ada@example.com"  # a new requester becomes a contact
    assert (await fd_raw.get(f"/api/v2/tickets/{ticket['id']}")).json() == ticket


async def test_create_finds_the_requester_by_email(
    fd_raw: httpx.AsyncClient, fd_emu: FreshdeskEmulator
) -> None:
    known = SCENARIOS["found"]
    contacts = len(fd_emu.store.contacts)
    ticket = (
        await fd_raw.post("/api/v2/tickets", json={**NEW, "email": known.email.upper()})
    ).json()
    expected = fd_emu.store.tickets[known.ticket_id]["requester_id"]
    assert ticket["requester_id"] == expected
    assert ticket["company_id"] == fd_emu.store.contacts[expected]["company_id"]
    assert len(fd_emu.store.contacts) == contacts


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"subject": "x", "description": "y"}, "requester_id", "missing_field"),
        ({**NEW, "subject": None}, "subject", "missing_field"),
        ({k: v for k, v in NEW.items() if k != "description"}, "description", "missing_field"),
        ({**NEW, "status": 9}, "status", "invalid_value"),
        ({**NEW, "priority": "high"}, "priority", "invalid_value"),
        ({**NEW, "type": "Rant"}, "type", "invalid_value"),
        ({**NEW, "email": "not-an-address"}, "email", "invalid_value"),
        ({**NEW, "requester_id": 5}, "requester_id", "invalid_value"),
        ({**NEW, "group_id": 99}, "group_id", "invalid_value"),
        ({**NEW, "responder_id": 5}, "responder_id", "invalid_value"),
        ({**NEW, "tags": "a,b"}, "tags", "datatype_mismatch"),
        ({**NEW, "color": "red"}, "color", "invalid_field"),
        ({"phone": "+46 8 123", "subject": "x", "description": "y"}, "name", "missing_field"),
    ],
)
async def test_create_refusals(
    fd_raw: httpx.AsyncClient,
    fd_emu: FreshdeskEmulator,
    body: dict[str, Any],
    field: str,
    code: str,
) -> None:
    before = len(fd_emu.store.tickets)
    resp = await fd_raw.post("/api/v2/tickets", json=body)
    assert resp.status_code == 400
    assert resp.json()["description"] == "Validation failed"
    [error] = resp.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert len(fd_emu.store.tickets) == before


async def test_the_requester_message_names_the_fields(fd_raw: httpx.AsyncClient) -> None:
    resp = await fd_raw.post("/api/v2/tickets", json={"subject": "x", "description": "y"})
    message = resp.json()["errors"][0]["message"]
    assert (
        message
        == "Please fill at least 1 of requester_id, phone, email, twitter_id, facebook_id fields"
    )


async def test_writes_need_json(fd_raw: httpx.AsyncClient) -> None:
    resp = await fd_raw.post(
        "/api/v2/tickets", content=b"subject=x", headers={"content-type": "text/plain"}
    )
    assert (resp.status_code, resp.json()["code"]) == (415, "invalid_content_type")
    broken = await fd_raw.put(
        "/api/v2/tickets/1", content=b"{", headers={"content-type": "application/json"}
    )
    assert (broken.status_code, broken.json()["code"]) == (400, "invalid_json")


async def test_update_changes_only_what_is_sent(fd_raw: httpx.AsyncClient) -> None:
    before = (await fd_raw.get("/api/v2/tickets/2")).json()
    resp = await fd_raw.put(
        "/api/v2/tickets/2", json={"status": 4, "priority": 3, "tags": ["hello", "world"]}
    )
    assert resp.status_code == 200
    after = resp.json()
    recorded = fixture("freshdesk/ticket_1_updated.json")  # REF: PUT answers the whole ticket
    assert_same_shape(after, recorded, exact_keys=False, ignore={"priority_name"})
    assert (after["status"], after["priority"], after["tags"]) == (4, 3, ["hello", "world"])
    unchanged = {
        k: v for k, v in after.items() if k not in ("status", "priority", "tags", "updated_at")
    }
    assert unchanged == {k: v for k, v in before.items() if k in unchanged}
    assert after["updated_at"] >= before["updated_at"]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"cc_emails": ["a@example.com"]}, "cc_emails", "invalid_field"),  # not on update
        ({"status": 1}, "status", "invalid_value"),
        ({"subject": ""}, "subject", "invalid_value"),
        ({"responder_id": True}, "responder_id", "datatype_mismatch"),
    ],
)
async def test_update_refusals(
    fd_raw: httpx.AsyncClient, body: dict[str, Any], field: str, code: str
) -> None:
    before = (await fd_raw.get("/api/v2/tickets/3")).json()
    resp = await fd_raw.put("/api/v2/tickets/3", json=body)
    assert resp.status_code == 400
    [error] = resp.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert (await fd_raw.get("/api/v2/tickets/3")).json() == before


async def test_delete_and_restore(fd_raw: httpx.AsyncClient) -> None:
    assert (await fd_raw.put("/api/v2/tickets/4/restore")).status_code == 404  # not deleted
    assert (await fd_raw.delete("/api/v2/tickets/4")).status_code == 204
    assert (await fd_raw.delete("/api/v2/tickets/4")).status_code == 404
    assert (await fd_raw.get("/api/v2/tickets/4")).json()["deleted"] is True
    listed = (
        await fd_raw.get(
            "/api/v2/tickets", params={"updated_since": "2000-01-01T00:00:00Z", "per_page": 100}
        )
    ).json()
    assert 4 not in [t["id"] for t in listed]
    assert (await fd_raw.put("/api/v2/tickets/4/restore")).status_code == 204
    assert "deleted" not in (await fd_raw.get("/api/v2/tickets/4")).json()
    assert (await fd_raw.put("/api/v2/tickets/999999", json={"status": 3})).status_code == 404


async def test_create_and_update_have_their_own_sub_limits() -> None:
    from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator

    emu = create_freshdesk_emulator(plan="growth")  # ticket create: 80/min
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu), base_url="http://t", auth=(DEFAULT_KEY, "X")
    ) as c:
        for _ in range(80):
            await c.post("/api/v2/tickets", json={"subject": "x", "description": "y"})  # 400s count
        assert (await c.post("/api/v2/tickets", json=NEW)).status_code == 429
        assert (await c.put("/api/v2/tickets/1", json={"status": 3})).status_code == 200
