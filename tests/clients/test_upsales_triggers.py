"""The Upsales client's triggers (``/api/v2/triggers``): the live list read whole
whatever the paging, the emulator's round trip, a create never sent twice, and a wrong
shape refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.emulated import US_BASE
from tests.support.recorded import fixture
from upsales_freshdesk.clients import (
    MalformedResponseError,
    RetryPolicy,
    ServerError,
    ThrottleRegistry,
    UpsalesClient,
)
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, UpsalesEmulator

LIVE = fixture("upsales/triggers_list_live.json")["response"]["body"]
Answer = Callable[[httpx.Request], dict[str, Any]]


def answering(answer: Answer, seen: list[httpx.Request], status: int = 200) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=answer(request))

    return httpx.MockTransport(handle)


def client_on(transport: httpx.AsyncBaseTransport, policy: RetryPolicy) -> UpsalesClient:
    return UpsalesClient(
        DEFAULT_TOKEN,
        base_url=US_BASE,
        transport=transport,
        policy=policy,
        registry=ThrottleRegistry(),
    )


async def test_the_live_list_is_read_in_one_call(policy: RetryPolicy) -> None:
    seen: list[httpx.Request] = []
    async with client_on(answering(lambda r: LIVE, seen), policy) as client:
        triggers = await client.triggers.list()
    assert [t.id for t in triggers] == [1001003, 1001010, 1001011, 1001029]
    assert [t.active for t in triggers] == [True] * 4
    assert triggers[1].events == ["after_client_insert", "after_client_update"]
    web = next(a for a in triggers[1].actions if a.alias == "SendWebRequest")
    assert (web.property("URL"), web.property("Method"), web.property("ContentType")) == (
        "http://www.url.com",
        "POST",
        "application/json",
    )
    assert web.property("Body") == "{}"
    assert web.property("Headers") is None  # a SendWebRequest has no header property
    assert triggers[2].actions == []
    assert triggers[1].criterias[0].attribute == "Client.Name"
    (request,) = seen  # the whole list at once: metadata.total is met
    assert request.url.path == "/api/v2/triggers"
    assert request.url.params["offset"] == "0"


async def test_a_list_that_pages_is_read_whole(policy: RetryPolicy) -> None:
    def pages(request: httpx.Request) -> dict[str, Any]:
        offset = int(request.url.params["offset"])
        rows = LIVE["data"][offset : offset + 3]
        return {"error": None, "metadata": {"total": 4, "limit": 3, "offset": offset}, "data": rows}

    seen: list[httpx.Request] = []
    async with client_on(answering(pages, seen), policy) as client:
        triggers = await client.triggers.list()
    assert len(triggers) == 4
    assert [r.url.params["offset"] for r in seen] == ["0", "3"]


async def test_a_total_larger_than_what_comes_back_does_not_loop(policy: RetryPolicy) -> None:
    inflated = {**LIVE, "metadata": {"total": 40}}
    seen: list[httpx.Request] = []
    async with client_on(answering(lambda r: inflated, seen), policy) as client:
        triggers = await client.triggers.list()
    assert len(triggers) == 4
    assert len(seen) == 2  # the second page brought nothing new


async def test_a_wrong_shape_is_malformed(policy: RetryPolicy) -> None:
    broken = {"error": None, "metadata": {"total": 1}, "data": [{"id": "x", "actions": 3}]}
    async with client_on(answering(lambda r: broken, []), policy) as client:
        with pytest.raises(MalformedResponseError):
            await client.triggers.list()


async def test_a_create_that_fails_is_not_sent_again(policy: RetryPolicy) -> None:
    seen: list[httpx.Request] = []
    error = {"error": {"key": "ServerError", "code": 500, "errorCode": 3, "msg": "Server error"}}
    async with client_on(answering(lambda r: error, seen, status=500), policy) as client:
        with pytest.raises(ServerError):
            await client.triggers.create({"name": "x"})
    assert len(seen) == 1


async def test_round_trip_against_the_emulator(us: UpsalesClient, us_emu: UpsalesEmulator) -> None:
    body = {
        "name": "a web request",
        "events": ["after_contact_update"],
        "actions": [
            {
                "alias": "SendWebRequest",
                "properties": [
                    {"name": "URL", "value": "https://ufd.example.com/hook"},
                    {"name": "Body", "value": json.dumps({"id": "{{Contact.Id}}"})},
                ],
            }
        ],
    }
    made = await us.triggers.create(body)
    assert (made.name, made.active, made.events) == (
        "a web request",
        True,
        ["after_contact_update"],
    )
    (action,) = made.actions
    assert action.id is not None
    assert action.property("Body") == '{"id": "{{Contact.Id}}"}'
    changed = await us.triggers.update(made.id, {"active": 0, "name": "renamed"})
    assert (changed.id, changed.active, changed.name) == (made.id, False, "renamed")
    assert [t.model_dump() for t in await us.triggers.list()] == [changed.model_dump()]
    assert us_emu.store.triggers.get(made.id) is not None
