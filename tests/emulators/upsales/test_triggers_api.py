"""``/api/v2/triggers`` against a live list of triggers (``triggers_list_live.json``, the
SDK's cassettes of 3 Nov 2025): the shape kept, paging ignored as recorded, the round
trip, the refusals in Upsales' error envelope, and a reset that forgets them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.recorded import assert_same_shape, fixture
from upsales_freshdesk.emulators.upsales.app import UpsalesEmulator

LIVE = fixture("upsales/triggers_list_live.json")["response"]["body"]
WRITABLE = ("name", "description", "active", "events", "actions", "criterias")


def writable(trigger: dict[str, Any]) -> dict[str, Any]:
    """A recorded trigger as a client would send it: no ids."""
    body = {k: trigger[k] for k in WRITABLE}
    body["actions"] = [
        {"alias": a["alias"], "properties": a["properties"]} for a in trigger["actions"]
    ]
    body["criterias"] = [{k: v for k, v in c.items() if k != "id"} for c in trigger["criterias"]]
    return body


async def listed(c: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    resp = await c.get("/api/v2/triggers", params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_recorded_triggers_come_back_in_the_recorded_shape(us_raw: httpx.AsyncClient) -> None:
    for trigger in LIVE["data"]:
        resp = await us_raw.post("/api/v2/triggers", json=writable(trigger))
        assert resp.status_code == 200, resp.text
        assert set(resp.json()) == {"error", "data"}
    body = await listed(us_raw)
    assert set(body) == set(LIVE) == {"error", "metadata", "data"}
    assert body["metadata"] == {"total": 4} == {"total": len(LIVE["data"])}
    for ours, theirs in zip(body["data"], LIVE["data"], strict=True):
        assert_same_shape(ours, theirs)
        assert list(ours) == list(theirs)  # the recorded key order too
        for key in ("name", "description", "active", "events"):
            assert ours[key] == theirs[key], key
        assert len(ours["actions"]) == len(theirs["actions"])
        for mine, recorded in zip(ours["actions"], theirs["actions"], strict=True):
            assert list(mine) == list(recorded)
            assert {k: mine[k] for k in ("properties", "action", "description", "alias")} == {
                k: recorded[k] for k in ("properties", "action", "description", "alias")
            }
        for mine, recorded in zip(ours["criterias"], theirs["criterias"], strict=True):
            assert list(mine) == list(recorded)
            assert {k: v for k, v in mine.items() if k != "id"} == {
                k: v for k, v in recorded.items() if k != "id"
            }
    ids = [a["id"] for t in body["data"] for a in t["actions"]]
    assert len(set(ids)) == len(ids)


async def test_the_list_ignores_limit_and_offset_as_recorded(us_raw: httpx.AsyncClient) -> None:
    for trigger in LIVE["data"]:
        await us_raw.post("/api/v2/triggers", json=writable(trigger))
    everything = await listed(us_raw)
    assert await listed(us_raw, limit=1, offset=0) == everything
    assert await listed(us_raw, limit=100, offset=2) == everything


async def test_properties_are_kept_by_name_as_strings(us_raw: httpx.AsyncClient) -> None:
    sent = {
        "name": "web request",
        "events": ["after_contact_update"],
        "actions": [
            {
                "alias": "SendWebRequest",
                "properties": [
                    {"name": "URL", "value": "https://ufd.example.com/hook"},
                    {"name": "Method", "value": "POST"},
                    {"name": "Body", "value": "{}"},
                    {"name": "ContentType", "value": "application/json"},
                    {"name": "Retries", "value": 3},
                ],
            }
        ],
    }
    made = (await us_raw.post("/api/v2/triggers", json=sent)).json()["data"]
    (action,) = made["actions"]
    assert [p["name"] for p in action["properties"]] == [
        "Body",
        "ContentType",
        "Method",
        "Retries",
        "URL",
    ]
    assert all(isinstance(p["value"], str) for p in action["properties"])
    assert made["active"] == 1  # on unless sent off
    assert made["criterias"] == []
    assert made["description"] is None


async def test_round_trip_get_update_delete(us_raw: httpx.AsyncClient) -> None:
    made = (
        await us_raw.post(
            "/api/v2/triggers", json=writable(LIVE["data"][1]) | {"name": "to change"}
        )
    ).json()["data"]
    tid = made["id"]
    one = (await us_raw.get(f"/api/v2/triggers/{tid}")).json()
    assert one == {"error": None, "data": made}
    changed = await us_raw.put(f"/api/v2/triggers/{tid}", json={"name": "changed", "active": 0})
    assert changed.status_code == 200
    data = changed.json()["data"]
    assert (data["name"], data["active"]) == ("changed", 0)
    assert data["actions"] == made["actions"]  # not sent, so kept
    assert data["events"] == made["events"]
    replaced = (
        await us_raw.put(
            f"/api/v2/triggers/{tid}",
            json={
                "actions": [
                    {"alias": "SendWebRequest", "properties": [{"name": "URL", "value": "x"}]}
                ]
            },
        )
    ).json()["data"]
    (action,) = replaced["actions"]
    assert action["id"] not in {a["id"] for a in made["actions"]}
    gone = await us_raw.delete(f"/api/v2/triggers/{tid}")
    assert (gone.status_code, gone.json()) == (200, {"error": None})
    for method in ("GET", "PUT", "DELETE"):
        resp = await us_raw.request(method, f"/api/v2/triggers/{tid}", json={})
        assert resp.status_code == 404
        assert resp.json()["error"]["key"] == "NotFound"
        assert resp.json()["metadata"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "events": ["after_ticket_update"]},
        {"name": "x", "events": "after_contact_update"},
        {"name": "x", "active": 2},
        {"name": "x", "actions": [{"properties": []}]},
        {"name": "x", "actions": [{"alias": "SendWebRequest", "properties": [{"value": "x"}]}]},
        {"name": "x", "criterias": [{"attribute": "Contact.Name", "type": "xor"}]},
        {"name": {"nested": True}},
    ],
)
async def test_refusals_are_failed_validation(us_raw: httpx.AsyncClient, body: Any) -> None:
    resp = await us_raw.post("/api/v2/triggers", json=body)
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert (error["key"], error["code"], error["errorCode"]) == ("FailedValidation", 400, 26)
    assert (await listed(us_raw))["data"] == []


async def test_triggers_need_the_key_and_a_reset_forgets_them(
    us_emu: UpsalesEmulator, us_raw: httpx.AsyncClient
) -> None:
    await us_raw.post("/api/v2/triggers", json=writable(LIVE["data"][0]))
    transport = httpx.ASGITransport(app=us_emu)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anon:
        resp = await anon.get("/api/v2/triggers")
        assert (resp.status_code, resp.text) == (401, "Unauthorized")
    assert (await listed(us_raw))["metadata"]["total"] == 1
    assert (await us_raw.post("/_emulator/reset")).status_code == 200
    assert (await listed(us_raw))["data"] == []
    made = (await us_raw.post("/api/v2/triggers", json=writable(LIVE["data"][0]))).json()["data"]
    assert made["id"] == 1001001  # ids start again too
