"""The Upsales emulator's semantics: filters, paging, auth, rate limits and writes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator


async def get(c: httpx.AsyncClient, path: str, params: Any = None) -> dict[str, Any]:
    resp = await c.get(f"/api/v2/{path}", params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def ids(c: httpx.AsyncClient, path: str, params: Any) -> list[int]:
    return [r["id"] for r in (await get(c, path, params))["data"]]


async def test_token_as_query_parameter_or_cookie(us_emu: Any) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=us_emu), base_url="http://t"
    ) as c:
        assert (await c.get("/api/v2/self", params={"token": DEFAULT_TOKEN})).status_code == 200
        cookie = {"Cookie": f"token={DEFAULT_TOKEN}"}
        assert (await c.get("/api/v2/self", headers=cookie)).status_code == 200
        missing = await c.get("/api/v2/self")
        assert missing.status_code == 401
        assert missing.text == "Unauthorized"
        assert missing.headers["content-type"].startswith("text/plain")


async def test_default_and_maximum_limit(us_raw: httpx.AsyncClient) -> None:
    assert (await get(us_raw, "contacts"))["metadata"]["limit"] == 1000
    body = await get(us_raw, "contacts", {"limit": 5000})
    assert body["metadata"]["limit"] == 2000
    assert len(body["data"]) == body["metadata"]["total"] == 330


async def test_offset_and_sort(us_raw: httpx.AsyncClient) -> None:
    first = await ids(us_raw, "contacts", {"sort": "-id", "limit": 3})
    assert first == [330, 329, 328]
    assert await ids(us_raw, "contacts", {"sort": "id", "limit": 2, "offset": 5}) == [6, 7]


async def test_recommended_full_sync_paging(us_raw: httpx.AsyncClient) -> None:
    assert await ids(us_raw, "contacts", {"sort": "id", "id": "gt:325", "limit": 10}) == [
        326,
        327,
        328,
        329,
        330,
    ]


async def test_comparisons_and_several_values(us_raw: httpx.AsyncClient) -> None:
    assert await ids(us_raw, "contacts", {"id": "eq:3,1,2", "sort": "id"}) == [1, 2, 3]
    assert 1 not in await ids(us_raw, "contacts", {"id": "ne:1", "limit": 5})
    both = await ids(us_raw, "contacts", [("id", "gte:10"), ("id", "lt:13"), ("sort", "id")])
    assert both == [10, 11, 12]
    assert await ids(us_raw, "contacts", {"id": "12"}) == [12]  # no comparison means eq


async def test_nested_paths_and_substring(us_raw: httpx.AsyncClient) -> None:
    rows = (await get(us_raw, "contacts", {"client.id": "eq:4"}))["data"]
    assert rows
    assert {r["client"]["id"] for r in rows} == {4}
    found = (await get(us_raw, "contacts", {"name": "src:lindq"}))["data"]
    assert any(r["name"] == "Astrid Lindqvist" for r in found)
    assert all("lindq" in r["name"].lower() for r in found)
    managed = (await get(us_raw, "accounts", {"user.id": "eq:1"}))["data"]  # users[] fan-out
    assert all(any(u["id"] == 1 for u in a["users"]) for a in managed)


async def test_email_match_ignores_case(us_raw: httpx.AsyncClient) -> None:
    rows = await get(us_raw, "contacts", {"email": "eq:ASTRID.Lindqvist@NORDVIND.example"})
    assert [r["id"] for r in rows["data"]] == [1]


async def test_field_selection(us_raw: httpx.AsyncClient) -> None:
    rows = await get(us_raw, "contacts", [("f[]", "name"), ("f[]", "email"), ("limit", 2)])
    assert all(set(r) == {"id", "name", "email"} for r in rows["data"])


async def test_json_q_with_an_or_group(us_raw: httpx.AsyncClient) -> None:
    q = {"or": {"q": [[{"a": "id", "c": "eq", "v": 1}], [{"a": "id", "c": "eq", "v": 2}]]}}
    assert await ids(us_raw, "contacts", {"q": json.dumps(q), "sort": "id"}) == [1, 2]
    bad = await us_raw.get("/api/v2/contacts", params={"q": "{not json"})
    assert bad.status_code == 400


async def test_unknown_attribute_is_failed_validation(us_raw: httpx.AsyncClient) -> None:
    resp = await us_raw.get("/api/v2/contacts", params={"shoeSize": "eq:42"})
    assert resp.status_code == 400
    assert resp.json()["error"]["msg"] == "No such attribute: shoeSize"


async def test_orders_split_by_probability(us_raw: httpx.AsyncClient) -> None:
    orders = (await get(us_raw, "orders", {"probability": "100"}))["data"]
    opps = await get(us_raw, "orders", [("probability", "gte:1"), ("probability", "lte:99")])
    assert orders
    assert all(o["probability"] == 100 for o in orders)
    assert all(1 <= o["probability"] <= 99 for o in opps["data"])


async def test_trailing_slash_is_the_same_route(us_raw: httpx.AsyncClient) -> None:
    assert (await us_raw.get("/api/v2/activities/", params={"limit": 1})).status_code == 200


async def test_names_split_at_the_last_space_and_strings_are_trimmed(
    us_raw: httpx.AsyncClient,
) -> None:
    body = {"name": "  Anna Maria von Berg  ", "client": {"id": 1}, "email": "amvb@x.example"}
    made = (await us_raw.post("/api/v2/contacts", json=body)).json()["data"]
    assert (made["name"], made["firstName"], made["lastName"]) == (
        "Anna Maria von Berg",
        "Anna Maria von",
        "Berg",
    )
    split = await us_raw.post(
        "/api/v2/contacts",
        params={"usingFirstnameLastname": "true"},
        json={"firstName": "Per", "lastName": "Ek", "client": {"id": 1}},
    )
    assert split.json()["data"]["name"] == "Per Ek"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "No Account"},
        {"name": "Bad Account", "client": {"id": 99999}},
        {"name": "Bad Email", "client": {"id": 1}, "email": "not-an-email"},
    ],
)
async def test_contact_writes_are_validated(us_raw: httpx.AsyncClient, body: Any) -> None:
    resp = await us_raw.post("/api/v2/contacts", json=body)
    assert resp.status_code == 400
    assert resp.json()["error"]["key"] == "FailedValidation"


async def test_invalid_json_body(us_raw: httpx.AsyncClient) -> None:
    resp = await us_raw.post(
        "/api/v2/contacts", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400


async def test_activity_close_date_is_midnight_stockholm(us_raw: httpx.AsyncClient) -> None:
    resp = await us_raw.post(
        "/api/v2/activities",
        json={
            "description": "Logged",
            "closeDate": "2021-09-29",
            "activityType": {"id": 11},
            "client": {"id": 2},
            "contacts": [{"id": 3}],
            "users": [{"id": 1}],
        },
    )
    data = resp.json()["data"]
    assert data["closeDate"] == "2021-09-28T22:00:00Z"  # as in Upsales' own example
    assert data["contacts"][0]["id"] == 3
    assert data["activityType"] == {"name": "Phone call", "id": 11}
    bad = await us_raw.post(
        "/api/v2/activities", json={"description": "x", "activityType": {"id": 999}}
    )
    assert bad.status_code == 400


async def test_account_create(us_raw: httpx.AsyncClient) -> None:
    made = await us_raw.post("/api/v2/accounts", json={"name": "Ny Kund AB", "users": [{"id": 1}]})
    assert made.json()["data"]["users"][0]["id"] == 1
    assert (await us_raw.post("/api/v2/accounts", json={})).status_code == 400


async def test_rate_limit_window_and_429() -> None:
    emu = create_upsales_emulator(limit=3, window=60)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu),
        base_url="http://t",
        cookies={"token": DEFAULT_TOKEN},
    ) as c:
        remaining = [
            (await c.get("/api/v2/self")).headers["X-RateLimit-Remaining"] for _ in range(3)
        ]
        assert remaining == ["2", "1", "0"]
        over = await c.get("/api/v2/self")
    assert over.status_code == 429
    assert over.json()["error"] == {
        "key": "ThrottleLimit",
        "code": 429,
        "errorCode": 4,
        "msg": "Too many requests",
    }
    assert 0 < int(over.headers["X-RateLimit-Reset"]) <= 60
    assert "retry-after" not in over.headers  # Upsales sends none


async def test_reset_restores_the_seeded_book(us_raw: httpx.AsyncClient, us_emu: Any) -> None:
    await us_raw.put("/api/v2/contacts/1", json={"title": "Changed"})
    assert (await get(us_raw, "contacts/1"))["data"]["title"] == "Changed"
    assert (await us_raw.post("/_emulator/reset")).status_code == 200
    assert (await get(us_raw, "contacts/1"))["data"]["title"] == "IT-chef"
