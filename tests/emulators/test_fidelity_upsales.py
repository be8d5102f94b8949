"""Upsales emulator fidelity for orders, activities, accounts, sorting, and the new routes.

Sources: ``order_live.json`` / ``activity_live.json`` (live recordings from the SDK
cassettes, Dec 2025), ``accounts_list.json`` (REF), ``postman_routes.json`` (Upsales'
Postman collection examples).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support.recorded import assert_same_shape, fixture

ROUTES = fixture("upsales/postman_routes.json")
ORDER = fixture("upsales/order_live.json")["response"]["body"]["data"]
ACTIVITY = fixture("upsales/activity_live.json")["response"]["body"]["data"]


def example(name: str) -> Any:
    return ROUTES[name]["response"]["body"]


async def ok(c: httpx.AsyncClient, method: str, path: str, **kw: Any) -> dict[str, Any]:
    resp = await c.request(method, f"/api/v2/{path}", **kw)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_orders_have_the_live_keys_and_rows(us_raw: httpx.AsyncClient) -> None:
    orders = (await ok(us_raw, "GET", "orders"))["data"]
    for o in orders:
        assert_same_shape(o, ORDER, ignore={"contact"})  # the live contact is null
        assert o["orderRow"], o["id"]
        for row in o["orderRow"]:
            assert_same_shape(row, ORDER["orderRow"][0])
            assert set(row["product"]) == set(ORDER["orderRow"][0]["product"])
        assert o["value"] == sum(r["price"] * r["quantity"] for r in o["orderRow"])
        cost = sum(r["purchaseCost"] * r["quantity"] for r in o["orderRow"])
        assert o["purchaseCost"] == cost
        assert o["contributionMargin"] == o["value"] - cost
        assert o["contributionMargin"] == sum(r["contributionMargin"] for r in o["orderRow"])
        assert o["stakeholders"] == []
        assert o["lostReason"] is None
        assert "regBy" in o
    assert any(len(o["orderRow"]) > 1 for o in orders)


async def test_order_client_and_contact_carry_the_real_keys(us_raw: httpx.AsyncClient) -> None:
    order = (await ok(us_raw, "GET", "orders", params={"contact.id": "eq:1"}))["data"][0]
    assert set(order["client"]) == set(ORDER["client"])
    assert set(order["contact"]) == set(ACTIVITY["contacts"][0])  # the closest real shape
    assert order["contact"]["email"] == "astrid.lindqvist@nordvind.example"


async def test_activities_have_the_live_keys(us_raw: httpx.AsyncClient) -> None:
    rows = (await ok(us_raw, "GET", "activities"))["data"]
    for a in rows:
        assert_same_shape(a, ACTIVITY, ignore={"phoneCalls"})
        for contact in a["contacts"]:
            assert_same_shape(contact, ACTIVITY["contacts"][0])
        if a["client"] is not None:
            assert set(a["client"]) == set(ACTIVITY["client"])
    closed = [a["closeDate"] for a in rows if a["closeDate"]]
    assert closed
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d) for d in closed)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ACTIVITY["closeDate"])
    astrid = next(c for a in rows for c in a["contacts"] if c["id"] == 1)
    assert astrid["title"] == "IT-chef"
    assert astrid["phone"] == "+46 70 111 22 33"


async def test_account_counts_are_integers(us_raw: httpx.AsyncClient) -> None:
    recorded = fixture("upsales/accounts_list.json")["response"]["body"]["data"]
    for a in (await ok(us_raw, "GET", "accounts"))["data"]:
        for key in ("numberOfContacts", "numberOfContactsTotal", "numberOfSubaccounts"):
            assert isinstance(a[key], int)
            assert all(isinstance(r[key], int) for r in recorded)
        assert a["numberOfContactsTotal"] == a["numberOfContacts"]


async def test_sorting_by_name_ignores_case(us_raw: httpx.AsyncClient) -> None:
    await ok(us_raw, "POST", "accounts", json={"name": "aardvark Lowercase AB"})
    names = [
        a["name"] for a in (await ok(us_raw, "GET", "accounts", params={"sort": "name"}))["data"]
    ]
    assert names == sorted(names, key=str.casefold)
    assert names[0] == "aardvark Lowercase AB"
    desc = await ok(us_raw, "GET", "accounts", params={"sort": "-name"})
    assert [a["name"] for a in desc["data"]] == names[::-1]


async def test_created_account_defaults_and_custom(us_raw: httpx.AsyncClient) -> None:
    for name in ("Company: Create company", "Custom fields: Create company with custom field"):
        sent, recorded = ROUTES[name]["request"]["body"], example(name)["data"]
        ours = (await ok(us_raw, "POST", "accounts", json=sent))["data"]
        assert_same_shape(ours, recorded, exact_keys=False)
        for key in ("fax", "headquarters", "soliditet", "addresses", "journeyStep"):
            if key in recorded:  # the 2018 example lacks some keys
                assert ours[key] == recorded[key], key
        # Echoed with typed copies; the live order's also carry valueArray (2025).
        assert len(ours["custom"]) == len(recorded["custom"])
        for mine, theirs in zip(ours["custom"], recorded["custom"], strict=True):
            assert theirs.items() <= mine.items()
            assert set(mine) <= set(theirs) | set(ORDER["custom"][0])
        if "mailAddress" in recorded:
            assert ours["mailAddress"] == recorded["mailAddress"]
        fetched = (await ok(us_raw, "GET", f"accounts/{ours['id']}"))["data"]
        assert fetched["custom"] == ours["custom"]


async def test_put_account(us_raw: httpx.AsyncClient) -> None:
    sent, recorded = (
        ROUTES["Company: Update company"]["request"],
        example("Company: Update company"),
    )
    body = await ok(us_raw, "PUT", "accounts/3/", json=sent["body"])  # trailing /, as in Postman
    assert set(body) == set(recorded)
    assert_same_shape(body["data"], recorded["data"], exact_keys=False)
    assert body["data"]["webpage"] == "http://salesboard.com"
    assert body["data"]["custom"][0]["value"] == "2210"
    again = (await ok(us_raw, "GET", "accounts/3"))["data"]
    assert again["name"] == "Salesboard"
    assert [u["id"] for u in again["users"]] == [1]
    missing = await us_raw.put("/api/v2/accounts/99999", json={"name": "x"})
    assert missing.status_code == 404


@pytest.mark.parametrize("name", ["Tasks: Mark To-do as done", "Tasks: Close phone call"])
async def test_put_activity_closes_it(us_raw: httpx.AsyncClient, name: str) -> None:
    sent, recorded = ROUTES[name]["request"]["body"], example(name)
    open_one = next(
        a for a in (await ok(us_raw, "GET", "activities"))["data"] if a["closeDate"] is None
    )
    body = await ok(us_raw, "PUT", f"activities/{open_one['id']}", json=sent)
    assert set(body) == set(recorded) == {"error", "data"}
    assert body["data"]["closeDate"] == recorded["data"]["closeDate"] == "2021-09-28T22:00:00Z"
    assert_same_shape(body["data"], recorded["data"], exact_keys=False)
    if list(sent) == ["closeDate"]:  # only the close date changes
        assert body["data"]["description"] == open_one["description"]
        assert body["data"]["contacts"] == open_one["contacts"]
    stored = (await ok(us_raw, "GET", f"activities/{open_one['id']}"))["data"]
    assert stored["closeDate"] == "2021-09-28T22:00:00Z"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        # Appointments and order stages follow live recordings now, which add keys to
        # these examples: tests/emulators/upsales/test_live_payloads.py.
        ("products", "Products: Get product list"),
        ("customFields/account", "Custom fields: Get company custom fields"),
        ("customfields/account", "Custom fields: Get company custom fields"),
    ],
)
async def test_new_list_routes(us_raw: httpx.AsyncClient, path: str, name: str) -> None:
    recorded = example(name)
    ours = await ok(us_raw, "GET", path)
    assert set(ours) == set(recorded) == {"error", "metadata", "data"}
    assert ours["metadata"]["total"] == len(ours["data"]) > 0
    for row in ours["data"]:
        assert_same_shape(row, recorded["data"][0], ignore={"default"})
    limited = await ok(us_raw, "GET", path, params={"limit": 1})
    assert len(limited["data"]) == 1


async def test_stages_match_the_orders(us_raw: httpx.AsyncClient) -> None:
    stages = {s["id"]: s for s in (await ok(us_raw, "GET", "orderStages"))["data"]}
    for o in (await ok(us_raw, "GET", "orders"))["data"]:
        assert stages[o["stage"]["id"]]["name"] == o["stage"]["name"]
        assert stages[o["stage"]["id"]]["probability"] == o["probability"]
    products = {p["id"] for p in (await ok(us_raw, "GET", "products"))["data"]}
    rows = [r for o in (await ok(us_raw, "GET", "orders"))["data"] for r in o["orderRow"]]
    assert {r["productId"] for r in rows} <= products


async def test_unrouted_paths_keep_their_spelling(us_raw: httpx.AsyncClient) -> None:
    resp = await us_raw.get("/api/v2/ticketType")
    assert resp.status_code == 404
    assert "Cannot GET /api/v2/ticketType" in resp.text
