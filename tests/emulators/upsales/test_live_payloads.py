"""Appointments and order stages as the live API answers them (the SDK's cassettes of
Nov and Dec 2025), where Upsales' 2018 Postman examples differ."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from tests.support.recorded import assert_same_shape, fixture
from upsales_freshdesk.emulators.scenarios import EPOCH

ROUTES = fixture("upsales/postman_routes.json")
APPOINTMENTS = fixture("upsales/appointments_list_live.json")["response"]["body"]
ONE_APPOINTMENT = fixture("upsales/appointment_live.json")["response"]["body"]["data"]
STAGES = fixture("upsales/orderstages_live.json")["response"]["body"]


async def ok(c: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    resp = await c.get(f"/api/v2/{path}", params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_the_recordings_differ_from_postman_as_the_emulator_says() -> None:
    """What the emulator changed, and why: the live keys are Postman's and more."""
    postman = ROUTES["Appointment: Get appointment list"]["response"]["body"]["data"][0]
    live = APPOINTMENTS["data"][0]
    assert set(postman) < set(live)
    assert len(set(live) - set(postman)) == 16
    assert (postman["private"], live["private"]) == (0, False)
    assert (postman["activityType"]["first"], live["activityType"]["first"]) == (0, False)
    assert set(ONE_APPOINTMENT) - set(live) == {"hostHasCalendarIntegration"}
    stage = ROUTES["Opportunity & Order stages: Get stage list"]["response"]["body"]["data"][0]
    assert set(STAGES["data"][0]) - set(stage) == {"exclude"}
    assert {s["exclude"] for s in STAGES["data"]} == {0, 1}


async def test_appointments_have_the_live_keys(us_raw: httpx.AsyncClient) -> None:
    body = await ok(us_raw, "appointments")
    assert set(body) == set(APPOINTMENTS)
    live = APPOINTMENTS["data"][0]
    assert body["data"]
    for a in body["data"]:
        assert_same_shape(a, live)
        assert set(a["client"]) == set(live["client"])
        assert set(a["activityType"]) == set(live["activityType"])
        assert isinstance(a["activityType"]["first"], bool)
        assert a["private"] is False
        for user in a["users"]:
            assert set(user) == set(live["users"][0])
        for contact in a["contacts"]:
            assert_same_shape(contact, live["contacts"][0])
            assert set(contact["client"]) == set(live["contacts"][0]["client"])
            for manager in contact["client"]["users"]:
                assert set(manager) == set(live["contacts"][0]["client"]["users"][0])
        past = datetime.fromisoformat(a["date"].replace("Z", "+00:00")) < EPOCH
        assert a["outcome"] == ("completed" if past else None)
    assert {a["outcome"] for a in body["data"]} == {"completed", None}
    assert any(a["activityType"]["first"] for a in body["data"])


async def test_one_appointment_read_alone_adds_the_calendar_flag(us_raw: httpx.AsyncClient) -> None:
    listed = (await ok(us_raw, "appointments", limit=1))["data"][0]
    one = await ok(us_raw, f"appointments/{listed['id']}")
    assert set(one) == {"error", "data"}
    assert_same_shape(one["data"], ONE_APPOINTMENT)
    assert one["data"] == {**listed, "hostHasCalendarIntegration": False}


async def test_order_stages_have_exclude(us_raw: httpx.AsyncClient) -> None:
    for path in ("orderStages", "orderstages"):
        body = await ok(us_raw, path)
        assert set(body) == set(STAGES)
        assert body["metadata"]["total"] == len(body["data"]) > 0
        for stage in body["data"]:
            assert_same_shape(stage, STAGES["data"][0])
            assert stage["exclude"] in (0, 1)
        assert len((await ok(us_raw, path, limit=1))["data"]) == 1
