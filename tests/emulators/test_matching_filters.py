"""The emulators answer the matching's queries as the vendors document them: Upsales'
JSON or-query (``q``, and ``q[]`` as its web app sends it) with ``eq`` on several values,
and Freshdesk's ``unique_external_id`` filter, kept unique, with custom fields merged."""

from __future__ import annotations

import json

import httpx

from upsales_freshdesk.emulators.freshdesk.app import FreshdeskEmulator

OR_PHONE = {
    "or": {
        "q": [
            [{"a": "phone", "c": "eq", "v": ["+46 70 111 22 33", "070-111 22 33"]}],
            [{"a": "cellPhone", "c": "eq", "v": ["+46 70 111 22 33"]}],
        ]
    }
}


async def test_an_or_query_with_several_values(us_raw: httpx.AsyncClient) -> None:
    for key in ("q", "q[]"):
        resp = await us_raw.get("/api/v2/contacts", params={key: json.dumps(OR_PHONE)})
        assert resp.status_code == 200
        assert [c["id"] for c in resp.json()["data"]] == [1]  # Astrid's phone


async def test_an_or_query_is_anded_with_the_plain_filters(us_raw: httpx.AsyncClient) -> None:
    params = {"q": json.dumps(OR_PHONE), "client.id": "eq:2"}
    resp = await us_raw.get("/api/v2/contacts", params=params)
    assert resp.json()["metadata"]["total"] == 0


async def test_an_unknown_comparison_is_refused(us_raw: httpx.AsyncClient) -> None:
    bad = {"a": "name", "c": "like", "v": "x"}
    resp = await us_raw.get("/api/v2/contacts", params={"q": json.dumps(bad)})
    assert resp.status_code == 400
    assert resp.json()["error"]["key"] == "FailedValidation"


async def test_contacts_by_external_id(
    fd_raw: httpx.AsyncClient, fd_emu: FreshdeskEmulator
) -> None:
    first, second = list(fd_emu.store.contacts)[:2]
    put = await fd_raw.put(f"/api/v2/contacts/{first}", json={"unique_external_id": "upsales:7"})
    assert put.status_code == 200
    found = await fd_raw.get("/api/v2/contacts", params={"unique_external_id": "upsales:7"})
    assert [c["id"] for c in found.json()] == [first]
    taken = await fd_raw.put(f"/api/v2/contacts/{second}", json={"unique_external_id": "upsales:7"})
    assert taken.status_code == 409
    assert taken.json()["errors"][0]["code"] == "duplicate_value"


async def test_custom_fields_named_are_the_ones_that_change(
    fd_raw: httpx.AsyncClient, fd_emu: FreshdeskEmulator
) -> None:
    first = next(iter(fd_emu.store.contacts))
    fd_emu.store.contacts[first]["custom_fields"] = {"tier": "gold"}
    put = await fd_raw.put(f"/api/v2/contacts/{first}", json={"custom_fields": {"upsales_id": "3"}})
    assert put.json()["custom_fields"] == {"tier": "gold", "upsales_id": "3"}
