"""``PUT /activities/{id}`` against Upsales' own example (Postman "Tasks > Update Phone
Call", ``tests/fixtures/upsales/postman_activity_update.json``)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.recorded import assert_same_shape, fixture

UPDATE = fixture("upsales/postman_activity_update.json")["Tasks: Update Phone Call"]


async def activity(c: httpx.AsyncClient, activity_id: int) -> dict[str, Any]:
    resp = await c.get(f"/api/v2/activities/{activity_id}")
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


async def test_a_full_update_answers_the_whole_activity(us_raw: httpx.AsyncClient) -> None:
    sent, recorded = UPDATE["request"]["body"], UPDATE["response"]["body"]
    rows = (await us_raw.get("/api/v2/activities", params={"limit": 50})).json()["data"]
    before = next(a for a in rows if a["closeDate"] is None and a["priority"] == 0)
    await us_raw.put(f"/api/v2/activities/{before['id']}", json={"priority": 3})
    resp = await us_raw.put(f"/api/v2/activities/{before['id']}", json=sent)
    assert resp.status_code == UPDATE["response"]["status"] == 200
    body = resp.json()
    assert set(body) == set(recorded) == {"error", "data"}
    assert body["error"] is None
    ours, theirs = body["data"], recorded["data"]
    assert_same_shape(ours, theirs, exact_keys=False, ignore={"closeTime"})
    for key in ("description", "notes", "date"):
        assert ours[key] == sent[key] == theirs[key], key
    assert ours["activityType"]["id"] == theirs["activityType"]["id"] == 11
    assert ours["client"]["id"] == theirs["client"]["id"] == 2
    assert [u["id"] for u in ours["users"]] == [u["id"] for u in theirs["users"]] == [1]
    # Not sent, so kept: the example's priority 3 is the one its phone call was created with.
    assert ours["priority"] == theirs["priority"] == 3
    assert ours["closeDate"] is theirs["closeDate"] is None
    assert ours["regDate"] == before["regDate"]
    assert ours["modDate"] != before["modDate"]
    assert await activity(us_raw, before["id"]) == ours


async def test_an_update_of_a_missing_activity_is_a_404(us_raw: httpx.AsyncClient) -> None:
    resp = await us_raw.put("/api/v2/activities/999999", json={"closeDate": "2021-09-29"})
    assert resp.status_code == 404
    assert resp.json()["error"]["key"] == "NotFound"
