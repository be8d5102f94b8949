"""The Freshdesk emulator's semantics: paging, limits, validation, search and auth."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.scenarios import SCENARIOS


def client_for(emu: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu), base_url="http://t", auth=(DEFAULT_KEY, "X")
    )


async def test_default_page_size_and_link_header(fd_raw: httpx.AsyncClient) -> None:
    first = await fd_raw.get("/api/v2/contacts")
    assert len(first.json()) == 30
    assert first.headers["link"].endswith('page=2>; rel="next"')
    # The link follows the host that was called (fd_raw calls http://testserver).
    assert first.headers["link"].startswith("<http://testserver/api/v2/contacts?")
    last = await fd_raw.get("/api/v2/contacts", params={"per_page": 100, "page": 4})
    assert len(last.json()) == 40
    assert "link" not in last.headers


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 101}, "per_page"),
        ({"page": 301}, "page"),
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
    ],
)
async def test_paging_limits(fd_raw: httpx.AsyncClient, params: Any, field: str) -> None:
    resp = await fd_raw.get("/api/v2/contacts", params=params)
    assert resp.status_code == 400
    body = resp.json()
    assert body["description"] == "Validation failed"
    assert body["errors"][0]["field"] == field


async def test_contacts_are_listed_oldest_updated_first(fd_raw: httpx.AsyncClient) -> None:
    rows = (await fd_raw.get("/api/v2/contacts", params={"per_page": 100})).json()
    stamps = [(r["updated_at"], r["id"]) for r in rows]
    assert stamps == sorted(stamps)


async def test_updated_since_filter_and_bad_date(fd_raw: httpx.AsyncClient) -> None:
    since = "2025-12-15T00:00:00Z"
    rows = (
        await fd_raw.get("/api/v2/contacts", params={"_updated_since": since, "per_page": 100})
    ).json()
    assert rows
    assert all(r["updated_at"] >= since for r in rows)
    bad = await fd_raw.get("/api/v2/contacts", params={"_updated_since": "yesterday"})
    assert bad.status_code == 400


async def test_auth_forms(fd_emu: Any) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fd_emu), base_url="http://t"
    ) as c:
        for user in (f"{DEFAULT_KEY}:X", DEFAULT_KEY):
            token = base64.b64encode(user.encode()).decode()
            ok = await c.get("/api/v2/agents/me", headers={"Authorization": f"Basic {token}"})
            assert ok.status_code == 200
        for header in ("Basic bm9wZTpY", "Bearer x", "Basic %%%", ""):
            resp = await c.get("/api/v2/agents/me", headers={"Authorization": header})
            assert resp.status_code == 401
            assert resp.json()["code"] == "invalid_credentials"


async def test_rate_limit_by_plan_with_retry_after() -> None:
    emu = create_freshdesk_emulator(plan="trial")
    async with client_for(emu) as c:
        for _ in range(49):
            await c.get("/api/v2/agents/me")
        last = await c.get("/api/v2/agents/me")
        assert last.headers["X-RateLimit-Total"] == "50"
        assert last.headers["X-RateLimit-Remaining"] == "0"
        over = await c.get("/api/v2/agents/me")
    assert over.status_code == 429
    assert 0 < int(over.headers["Retry-After"]) <= 60


async def test_invalid_calls_count_too() -> None:
    emu = create_freshdesk_emulator(plan=2)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu), base_url="http://t", auth=("wrong", "X")
    ) as c:
        assert (await c.get("/api/v2/agents/me")).status_code == 401
        assert (await c.get("/api/v2/agents/me")).status_code == 401
        assert (await c.get("/api/v2/agents/me")).status_code == 429


async def test_list_endpoints_have_their_own_limit() -> None:
    emu = create_freshdesk_emulator(plan="growth")  # 200/min, contacts list 20/min
    async with client_for(emu) as c:
        for _ in range(20):
            assert (await c.get("/api/v2/contacts", params={"per_page": 1})).status_code == 200
        assert (await c.get("/api/v2/contacts")).status_code == 429
        assert (await c.get("/api/v2/contacts/43026449000")).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "A", "email": "a@a.example", "shoe": 1}, 400, "invalid_field"),
        ({"name": "A", "email": "a@a.example", "company_id": "901"}, 400, "datatype_mismatch"),
        ({"name": "A", "email": "not-an-email"}, 400, "invalid_value"),
        ({"name": "A"}, 400, "missing_field"),
        ({"email": "b@b.example"}, 400, "missing_field"),
        ({"name": "A", "email": "c@c.example", "company_id": 1}, 400, "invalid_value"),
        ({"name": "A", "email": SCENARIOS["found"].email}, 409, "duplicate_value"),
    ],
)
async def test_contact_validation(
    fd_raw: httpx.AsyncClient, body: Any, status: int, code: str
) -> None:
    resp = await fd_raw.post("/api/v2/contacts", json=body)
    assert resp.status_code == status
    assert resp.json()["errors"][0]["code"] == code


async def test_content_type_and_json_errors(fd_raw: httpx.AsyncClient) -> None:
    wrong_type = await fd_raw.post(
        "/api/v2/contacts",
        content=b"name=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert wrong_type.status_code == 415
    bad_json = await fd_raw.post(
        "/api/v2/contacts", content=b"{", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["code"] == "invalid_json"


async def test_update_bumps_updated_at_and_keeps_other_fields(fd_raw: httpx.AsyncClient) -> None:
    before = (await fd_raw.get("/api/v2/contacts/43026449000")).json()
    after = (await fd_raw.put("/api/v2/contacts/43026449000", json={"job_title": "CIO"})).json()
    assert after["job_title"] == "CIO"
    assert after["email"] == before["email"]
    assert after["updated_at"] > before["updated_at"]


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("\"email:'astrid.lindqvist@nordvind.example'\"", 1),
        ("\"email:'karin.holm@skargard.example'\"", 1),  # other_emails count
        ("\"company_id:904 AND (email:'inkop@kvarnby.example' OR phone:'0')\"", 1),
        ("\"email:'nobody@nowhere.example'\"", 0),
    ],
)
async def test_search(fd_raw: httpx.AsyncClient, query: str, expect: int) -> None:
    resp = await fd_raw.get("/api/v2/search/contacts", params={"query": query})
    assert resp.status_code == 200
    assert resp.json()["total"] == expect == len(resp.json()["results"])


@pytest.mark.parametrize(
    "query",
    [
        "email:'a@b.example'",
        "\"name:'x'\"",
        "\"email:'a' AND\"",
        "\"(email:'a'\"",
        '"email"',
    ],
)
async def test_search_errors(fd_raw: httpx.AsyncClient, query: str) -> None:
    resp = await fd_raw.get("/api/v2/search/contacts", params={"query": query})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["field"] == "query"


async def test_search_pages(fd_raw: httpx.AsyncClient) -> None:
    q = {"query": '"active:true"'}
    page1 = (await fd_raw.get("/api/v2/search/contacts", params=q)).json()
    assert len(page1["results"]) == 30
    assert page1["total"] == 340
    over = await fd_raw.get("/api/v2/search/contacts", params={**q, "page": 11})
    assert over.status_code == 400


async def test_ticket_list_conversations_and_notes(fd_raw: httpx.AsyncClient) -> None:
    since = {"per_page": 5, "updated_since": "2020-01-01T00:00:00Z"}  # the seed is old
    tickets = (await fd_raw.get("/api/v2/tickets", params=since)).json()
    assert len(tickets) == 5
    assert [t["created_at"] for t in tickets] == sorted(
        (t["created_at"] for t in tickets), reverse=True
    )
    note = await fd_raw.post("/api/v2/tickets/2/notes", json={"body": "hi", "private": "yes"})
    assert note.status_code == 400
    assert (await fd_raw.post("/api/v2/tickets/2/notes", json={"body": "hi"})).status_code == 201
    convo = (await fd_raw.get("/api/v2/tickets/2/conversations")).json()
    assert [c["body"] for c in convo] == ["hi"]
    assert (
        await fd_raw.post("/api/v2/tickets/999999/notes", json={"body": "x"})
    ).status_code == 404


async def test_unknown_route_and_missing_records(fd_raw: httpx.AsyncClient) -> None:
    assert (await fd_raw.get("/api/v2/nothing")).status_code == 404
    missing = await fd_raw.get("/api/v2/companies/1")
    assert missing.status_code == 404
    assert missing.content == b""
    assert "x-request-id" in missing.headers
