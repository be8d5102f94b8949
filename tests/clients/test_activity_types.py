"""The Upsales client's read of the account's activity types (``GET
/activitytypes/activity``): the live recording, the emulator, and an account that does
not serve the path (Express' recorded HTML 404)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.emulated import US_BASE
from tests.support.recorded import fixture
from upsales_freshdesk.clients import NotFoundError, RetryPolicy, ThrottleRegistry, UpsalesClient
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN

LIVE = fixture("upsales/activitytypes_activity_live.json")
NOT_ROUTED = fixture("upsales/error_notfound_404_tickettype_limit1.json")["response"]


def answering(recorded: dict[str, object], seen: list[httpx.Request]) -> httpx.MockTransport:
    """Every call gets the recorded answer; the requests are kept in ``seen``."""
    body = recorded["body"]
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    headers = recorded.get("headers") or {"Content-Type": "application/json"}

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(int(str(recorded["status"])), content=content, headers=headers)

    return httpx.MockTransport(handle)


def client_on(transport: httpx.AsyncBaseTransport, policy: RetryPolicy) -> UpsalesClient:
    return UpsalesClient(
        DEFAULT_TOKEN,
        base_url=US_BASE,
        transport=transport,
        policy=policy,
        registry=ThrottleRegistry(),
    )


async def test_the_live_answer_is_read(policy: RetryPolicy) -> None:
    seen: list[httpx.Request] = []
    async with client_on(answering(LIVE["response"], seen), policy) as client:
        types = await client.activity_types.list()
    assert [(t.id, t.name, t.hasOutcome) for t in types] == [
        (1234567893, "Todo", False),
        (1234567894, "Phonecall", True),
    ]
    (request,) = seen
    assert request.url.path == "/api/v2/activitytypes/activity"
    assert request.url.params["offset"] == "0"
    assert int(request.url.params["limit"]) >= 100


async def test_a_path_the_account_does_not_serve_is_not_found(policy: RetryPolicy) -> None:
    seen: list[httpx.Request] = []
    async with client_on(answering(NOT_ROUTED, seen), policy) as client:
        with pytest.raises(NotFoundError) as err:
            await client.activity_types.list()
    assert err.value.status == 404
    assert err.value.path == "/activitytypes/activity"
    assert len(seen) == 1  # a 404 is an answer, not retried


async def test_the_emulated_account_has_support(us: UpsalesClient) -> None:
    types = await us.activity_types.list()
    by_name = {t.name: t for t in types}
    assert {"Todo", "Phone call", "Support"} <= set(by_name)
    assert by_name["Phone call"].hasOutcome
    assert not by_name["Support"].hasOutcome
    todo = await us.todo_types.list()
    assert {t.id for t in todo.values()} <= {t.id for t in types}


async def test_limit_is_bounded(us: UpsalesClient) -> None:
    assert len(await us.activity_types.list(limit=1)) == 1
    with pytest.raises(ValueError, match="limit"):
        await us.activity_types.list(limit=0)
