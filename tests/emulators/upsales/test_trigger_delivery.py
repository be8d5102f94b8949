"""The triggers' ``SendWebRequest`` calls: which writes set them off, what they send
(placeholders filled as the record is at the write), once each, and the faults."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.emulators.upsales.conftest import HOOK, Hooked
from upsales_freshdesk.emulators.freshdesk.webhooks import WebhookRequest
from upsales_freshdesk.emulators.upsales.app import create_upsales_emulator
from upsales_freshdesk.emulators.upsales.writes import SELF_USER_ID

POKE = '{"entity": "contact", "id": "{{Contact.Id}}", "event": "after_contact_update"}'
SECRET_SEGMENT = HOOK.rsplit("/", 1)[1]


def bodies(h: Hooked) -> list[Any]:
    return [json.loads(c.body) for c in h.receiver.calls]


async def ok(h: Hooked, method: str, path: str, body: Any = None) -> dict[str, Any]:
    resp = await h.api.request(method, f"/api/v2/{path}", json=body)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


async def test_a_contact_update_sends_the_filled_body_once(hooked: Hooked) -> None:
    h = hooked
    template = json.dumps(
        {
            "id": "{{Contact.Id}}",
            "name": "{{Contact.Name}}",
            "account": "{{Client.Name}}",
            "accountId": "{{Contact.ClientId}}",
            "title": "{{Contact.Title}}",
            "manager": "{{Client.UserId}}",
            "by": "{{General.CurrentUser}}",
            "in10": "{{General.Today:10}}",
            "unknown": "{{Contact.Shoesize}}",
        }
    )
    await h.trigger(["after_contact_update"], template)
    contact = (await ok(h, "GET", "contacts/1"))["data"]
    before = datetime.now(UTC).date()
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})
    after = datetime.now(UTC).date()
    await h.emu.store.webhooks.drain()
    (call,) = h.receiver.calls
    sent = json.loads(call.body)
    # The day the write was made on (either side of a midnight the test might straddle).
    assert sent.pop("in10") in {(d + timedelta(days=10)).isoformat() for d in (before, after)}
    assert (call.method, call.path) == ("POST", f"/v1/webhooks/upsales/{SECRET_SEGMENT}")
    assert call.headers["content-type"] == "application/json"
    assert sent == {
        "id": "1",
        "name": contact["name"],
        "account": contact["client"]["name"],
        "accountId": str(contact["client"]["id"]),
        "title": "CTO",  # as the record is after the write
        "manager": str(contact["client"]["users"][0]["id"]),
        "by": str(SELF_USER_ID),
        "unknown": "",
    }
    (delivery,) = h.emu.store.webhooks.deliveries
    assert (delivery.state, delivery.event, delivery.entity, delivery.record_id) == (
        "delivered",
        "after_contact_update",
        "contact",
        1,
    )
    assert [a.status for a in delivery.attempts] == [202]


async def test_each_write_sets_off_its_own_event(hooked: Hooked) -> None:
    h = hooked
    for event in (
        "after_contact_insert",
        "after_contact_update",
        "after_contact_delete",
        "after_client_insert",
        "after_client_update",
        "after_client_delete",
    ):
        entity = "Contact" if "contact" in event else "Client"
        body = json.dumps(
            {"event": event, "id": f"{{{{{entity}.Id}}}}", "name": f"{{{{{entity}.Name}}}}"}
        )
        await h.trigger([event], body, name=event)
    account = (await ok(h, "POST", "accounts", {"name": "Triggered AB"}))["data"]
    await ok(h, "PUT", f"accounts/{account['id']}", {"phone": "+46 8 123"})
    contact = (
        await ok(h, "POST", "contacts", {"client": {"id": account["id"]}, "name": "Tove Trigg"})
    )["data"]
    await ok(h, "PUT", f"contacts/{contact['id']}", {"title": "VD"})
    await ok(h, "DELETE", f"contacts/{contact['id']}")
    await ok(h, "DELETE", f"accounts/{account['id']}")
    await h.emu.store.webhooks.drain()
    got = sorted((b["event"], b["id"], b["name"]) for b in bodies(h))
    a, c = str(account["id"]), str(contact["id"])
    assert got == sorted(
        [
            ("after_client_insert", a, "Triggered AB"),
            ("after_client_update", a, "Triggered AB"),
            ("after_contact_insert", c, "Tove Trigg"),
            ("after_contact_update", c, "Tove Trigg"),
            ("after_contact_delete", c, "Tove Trigg"),  # filled before the record went
            ("after_client_delete", a, "Triggered AB"),
        ]
    )
    assert (await h.api.get(f"/api/v2/accounts/{account['id']}")).status_code == 404


async def test_what_sets_off_nothing(hooked: Hooked) -> None:
    h = hooked
    off = await h.trigger(["after_contact_update"], POKE, active=0)
    await h.trigger(["after_client_update"], POKE)  # another entity's event
    await h.trigger(["after_contact_insert"], POKE)  # another change
    mail = {"alias": "SendMail", "properties": [{"name": "Subject", "value": "x"}]}
    await ok(
        h,
        "POST",
        "triggers",
        {"name": "mail", "events": ["after_contact_update"], "actions": [mail]},
    )
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})
    await ok(h, "PUT", "activities/1", {"notes": "no activity event is modelled"})
    await h.emu.store.webhooks.drain()
    assert h.receiver.calls == []
    await ok(h, "PUT", f"triggers/{off['id']}", {"active": 1})
    await ok(h, "PUT", "contacts/1", {"title": "CIO"})
    await h.emu.store.webhooks.drain()
    assert bodies(h) == [{"entity": "contact", "id": "1", "event": "after_contact_update"}]


def criteria(
    attribute: str, operator: str, value: str, kind: str = "and", group: int = 0
) -> dict[str, Any]:
    return {
        "type": kind,
        "attribute": attribute,
        "operator": operator,
        "value": value,
        "orGroup": group,
    }


@pytest.mark.parametrize(
    ("criterias", "fires"),
    [
        ([criteria("Contact.Title", "Equals", "CTO")], True),
        ([criteria("Contact.Title", "Equals", "CFO")], False),
        ([criteria("Contact.Title", "NotEquals", "CFO")], True),
        ([criteria("Client.Score", "LessThan", "5")], True),
        ([criteria("Client.Score", "GreaterThanEquals", "1")], False),
        ([criteria("Contact.Name", "GreaterThan", "1")], False),  # not a number
        ([criteria("Contact.Shoesize", "Equals", "")], False),  # unknown attribute
        ([criteria("Contact.Title", "Contains", "C")], False),  # unknown operator
        # Every "and", and one of each "or" group (the recorded and/orGroup pairs).
        (
            [
                criteria("Contact.Title", "Equals", "CTO"),
                criteria("Client.Score", "GreaterThan", "2", "or", 1),
                criteria("Client.Score", "LessThanEquals", "1", "or", 1),
            ],
            True,
        ),
        (
            [
                criteria("Client.Score", "GreaterThan", "2", "or", 1),
                criteria("Client.Score", "LessThanEquals", "-1", "or", 1),
            ],
            False,
        ),
        # A placeholder in the value, as recorded ({{General.CurrentUser}}).
        ([criteria("General.CurrentUser", "Equals", "{{General.CurrentUser}}")], True),
        ([criteria("Contact.RegById", "Equals", "{{General.CurrentUser}}")], False),
    ],
)
async def test_criterias(hooked: Hooked, criterias: list[dict[str, Any]], fires: bool) -> None:
    h = hooked
    await h.trigger(["after_contact_update"], POKE, criterias=criterias)
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})
    await h.emu.store.webhooks.drain()
    assert len(h.receiver.calls) == int(fires)


async def test_values_go_in_as_they_are_and_urls_are_encoded(hooked: Hooked) -> None:
    h = hooked
    url = "https://ufd.example.com/hook/{{Contact.Title}}?who={{Contact.Name}}"
    await h.trigger(["after_contact_update"], '{"title": "{{Contact.Title}}"}', props={"URL": url})
    await ok(h, "PUT", "contacts/1", {"title": 'The "Boss" / CEO'})
    await h.emu.store.webhooks.drain()
    (call,) = h.receiver.calls
    # Upsales documents no escaping: a quote in a value breaks a JSON body.
    assert call.body == b'{"title": "The "Boss" / CEO"}'
    request = h.emu.store.webhooks.deliveries[0].request
    assert request.url.startswith("https://ufd.example.com/hook/The%20%22Boss%22%20%2F%20CEO?who=")


async def test_a_get_has_no_body_and_no_content_type(hooked: Hooked) -> None:
    h = hooked
    await h.trigger(["after_contact_update"], POKE, props={"Method": "GET"})
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})
    await h.emu.store.webhooks.drain()
    (call,) = h.receiver.calls
    assert (call.method, call.body) == ("GET", b"")
    assert "content-type" not in call.headers


async def test_a_failure_is_recorded_and_never_retried(hooked: Hooked) -> None:
    h = hooked
    await h.trigger(["after_contact_update"], POKE)
    h.receiver.statuses = [500]
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})
    await h.emu.store.webhooks.drain()
    (delivery,) = h.emu.store.webhooks.deliveries
    assert delivery.state == "failed"
    assert [(a.status, a.error) for a in delivery.attempts] == [(500, None)]
    assert len(h.receiver.calls) == 1
    assert h.sleeps.waits == []


async def test_no_answer_is_a_failure_too(hooked: Hooked) -> None:
    h = hooked
    outbox = h.emu.store.webhooks
    await h.trigger(["after_contact_update"], POKE)
    never = asyncio.Event()

    async def hangs(request: WebhookRequest) -> int:
        await never.wait()
        return 200

    async def refuses(request: WebhookRequest) -> int:
        raise httpx.ConnectError("refused")

    outbox.sender, outbox.timeout = hangs, 0.01
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})
    await outbox.drain()
    outbox.sender = refuses
    await ok(h, "PUT", "contacts/1", {"title": "CIO"})
    await outbox.drain()
    assert [(d.state, [a.error for a in d.attempts]) for d in outbox.deliveries] == [
        ("failed", ["TimeoutError"]),
        ("failed", ["ConnectError"]),
    ]


async def test_duplicate_drop_delay_and_limits(hooked: Hooked) -> None:
    h = hooked
    outbox = h.emu.store.webhooks
    await h.trigger(["after_contact_update"], POKE)
    faults = await h.api.post("/_emulator/webhooks/faults", json={"duplicate": 1, "delay_ms": 250})
    assert faults.status_code == 200
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})
    await outbox.drain()
    assert len(h.receiver.calls) == 2
    first, twin = outbox.deliveries
    assert twin.duplicate_of == first.id
    assert first.duplicate_of is None
    assert h.sleeps.waits == [0.25, 0.25]
    await h.api.post("/_emulator/webhooks/faults", json={"drop": 1, "times": 1})
    await ok(h, "PUT", "contacts/1", {"title": "CIO"})
    await ok(h, "PUT", "contacts/1", {"title": "CEO"})
    await outbox.drain()
    assert [d.state for d in outbox.deliveries[2:]] == ["dropped", "delivered"]
    await h.api.post("/_emulator/webhooks/faults", json={"drop": 1, "match": "elsewhere"})
    await ok(h, "PUT", "contacts/1", {"title": "COO"})
    await outbox.drain()
    assert outbox.deliveries[-1].state == "delivered"  # the URL does not match
    assert len(h.receiver.calls) == 4


async def test_reorder_sends_the_held_calls_newest_first(hooked: Hooked) -> None:
    h = hooked
    await h.trigger(["after_contact_update"], '{"title": "{{Contact.Title}}"}')
    await h.api.post("/_emulator/webhooks/faults", json={"reorder": 3})
    for title in ("one", "two", "three", "four"):
        await ok(h, "PUT", "contacts/1", {"title": title})
    await h.emu.store.webhooks.drain()  # the fourth is held until drained
    assert [b["title"] for b in bodies(h)] == ["three", "two", "one", "four"]


async def test_a_share_of_drops_is_the_same_for_the_same_seed() -> None:
    async def dropped(seed: int) -> list[str]:
        emu = create_upsales_emulator(seed=seed)
        sent: list[WebhookRequest] = []

        async def sender(request: WebhookRequest) -> int:
            sent.append(request)
            return 200

        emu.store.webhooks.sender = sender
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=emu),
            base_url="http://testserver",
            cookies={"token": "demo-upsales-token"},
        ) as api:
            action = {"alias": "SendWebRequest", "properties": [{"name": "URL", "value": HOOK}]}
            await api.post(
                "/api/v2/triggers",
                json={"name": "t", "events": ["after_contact_update"], "actions": [action]},
            )
            await api.post("/_emulator/webhooks/faults", json={"drop": 0.5})
            for n in range(20):
                await api.put("/api/v2/contacts/1", json={"title": f"t{n}"})
            await emu.store.webhooks.drain()
        assert len(sent) == sum(d.state == "delivered" for d in emu.store.webhooks.deliveries)
        return [d.state for d in emu.store.webhooks.deliveries]

    first = await dropped(7)
    assert first == await dropped(7)
    assert 0 < first.count("dropped") < 20


async def test_controls_list_without_the_secret_and_reset_forgets(hooked: Hooked) -> None:
    h = hooked
    await h.trigger(["after_contact_update"], POKE)
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})
    drained = await h.api.post("/_emulator/webhooks/drain")
    assert drained.status_code == 200
    (summary,) = drained.json()
    assert summary == {
        "id": 1,
        "trigger_id": summary["trigger_id"],
        "event": "after_contact_update",
        "entity": "contact",
        "record_id": 1,
        "method": "POST",
        "host": "ufd.example.com",
        "state": "delivered",
        "attempts": [{"status": 202, "error": None}],
        "duplicate_of": None,
    }
    assert SECRET_SEGMENT not in drained.text
    assert (await h.api.get("/_emulator/webhooks")).json() == drained.json()
    bad = await h.api.post("/_emulator/webhooks/faults", json={"drop": 2})
    assert bad.status_code == 422
    assert (await h.api.get("/_emulator/webhooks/faults")).json()["drop"] == 0
    sender = h.emu.store.webhooks.sender
    await h.api.post("/_emulator/reset")
    assert (await h.api.get("/_emulator/webhooks")).json() == []
    assert (await h.api.get("/api/v2/triggers")).json()["data"] == []
    assert h.emu.store.webhooks.sender is sender


async def test_a_reset_cancels_the_calls_in_flight(hooked: Hooked) -> None:
    h = hooked
    outbox = h.emu.store.webhooks
    await h.trigger(["after_contact_update"], POKE)
    await h.api.post("/_emulator/webhooks/faults", json={"reorder": 5})
    await ok(h, "PUT", "contacts/1", {"title": "CTO"})  # held, not sent
    h.emu.reset()
    await outbox.drain()
    assert h.receiver.calls == []
    assert outbox.deliveries == []


def test_today_is_the_callers_date() -> None:
    from upsales_freshdesk.emulators.upsales.firing import render

    text = render(
        "{{General.Today}} {{General.Today:-1}} {{General.Today:31}}", {}, today=date(2026, 1, 31)
    )
    assert text == "2026-01-31 2026-01-30 2026-03-03"
