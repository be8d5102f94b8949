"""``GET /activitytypes/activity``: the account's activity types, in the shape of the live
recording (``tests/fixtures/upsales/activitytypes_activity_live.json``), with the auth,
limits and error bodies of every other route."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.faults import refusing
from tests.support.recorded import assert_same_shape, fixture
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator

LIVE = fixture("upsales/activitytypes_activity_live.json")["response"]["body"]
PATH = "/api/v2/activitytypes/activity"


async def types_of(c: httpx.AsyncClient) -> list[dict[str, Any]]:
    resp = await c.get(PATH)
    assert resp.status_code == 200, resp.text
    data: list[dict[str, Any]] = resp.json()["data"]
    return data


async def test_the_list_has_the_live_shape(us_raw: httpx.AsyncClient) -> None:
    resp = await us_raw.get(PATH, params={"limit": 10, "offset": 0})
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == set(LIVE) == {"error", "metadata", "data"}
    assert body["error"] is None
    assert body["metadata"] == {"total": len(body["data"]), "limit": 10, "offset": 0}
    for row in body["data"]:
        assert_same_shape(row, LIVE["data"][0])
        assert row["hasOutcome"] in (0, 1)
        assert not isinstance(row["hasOutcome"], bool)  # 0/1, as recorded
    assert {t["name"] for t in body["data"]} >= {"Todo", "Phone call", "Support"}
    assert len({t["id"] for t in body["data"]}) == len(body["data"])


async def test_limit_and_the_path_in_any_case(us_raw: httpx.AsyncClient) -> None:
    one = (await us_raw.get("/api/v2/activityTypes/activity", params={"limit": 1})).json()
    assert len(one["data"]) == 1
    assert one["metadata"]["total"] == len(await types_of(us_raw)) > 1


async def test_upsales_own_task_types_are_among_them(us_raw: httpx.AsyncClient) -> None:
    """Live, the account's list names the types its activities carry, Todo and Phonecall
    among them; Upsales' /todoTypes lists those two."""
    listed = {t["id"]: t["name"] for t in await types_of(us_raw)}
    todo = (await us_raw.get("/api/v2/todoTypes")).json()
    assert {t["id"]: t["name"] for t in todo.values()}.items() <= listed.items()


async def test_every_activity_carries_a_listed_type(us_raw: httpx.AsyncClient) -> None:
    listed = {t["id"]: t["name"] for t in await types_of(us_raw)}
    rows = (await us_raw.get("/api/v2/activities", params={"limit": 2000})).json()["data"]
    assert rows
    for a in rows:
        assert listed[a["activityType"]["id"]] == a["activityType"]["name"]


async def test_an_activity_of_an_unlisted_type_is_refused(us_raw: httpx.AsyncClient) -> None:
    body = {"description": "x", "client": {"id": 1}, "activityType": {"id": 999}}
    resp = await us_raw.post("/api/v2/activities", json=body)
    assert resp.status_code == 400
    assert resp.json()["error"]["key"] == "FailedValidation"
    support = next(t for t in await types_of(us_raw) if t["name"] == "Support")
    created = await us_raw.post(
        "/api/v2/activities", json={**body, "activityType": {"id": support["id"]}}
    )
    assert created.json()["data"]["activityType"] == {"name": "Support", "id": support["id"]}


async def test_auth_and_rate_limit_as_every_route() -> None:
    emu = create_upsales_emulator(limit=2, window=60)
    transport = httpx.ASGITransport(app=emu)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as anonymous:
        refused = await anonymous.get(PATH)
    assert (refused.status_code, refused.text) == (401, "Unauthorized")
    async with httpx.AsyncClient(
        transport=transport, base_url="http://t", cookies={"token": DEFAULT_TOKEN}
    ) as c:
        first = await c.get(PATH)
        assert first.headers["X-RateLimit-Limit"] == "2"
        assert first.headers["X-RateLimit-Remaining"] == "1"
        await c.get(PATH)
        over = await c.get(PATH)
    assert over.status_code == 429
    assert over.json()["error"]["key"] == "ThrottleLimit"


async def test_faults_reach_the_route(us_raw: httpx.AsyncClient, us_emu: Any) -> None:
    us_emu.faults.set(refusing(500, match="activitytypes"))
    failed = await us_raw.get(PATH)
    assert failed.status_code == 500
    assert failed.json()["error"]["key"] == "ServerError"
    assert (await us_raw.get("/api/v2/todoTypes")).status_code == 200
