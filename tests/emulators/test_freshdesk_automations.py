"""The Freshdesk emulator's automation rules: the Automations API, which writes set off
which rules, and the webhook bodies they send (checked against Zulip's recordings of
real Freshdesk webhooks, tests/fixtures/freshdesk/automation/SOURCES.md)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree

import pytest

from tests.support.recorded import FIXTURES, assert_same_shape, fixture

RULES = "/api/v2/automations/{}/rules"
ANY_STATUS = {"field_name": "status", "operator": "in", "value": [2, 3, 4, 5]}
TEMPLATE = (FIXTURES / "freshdesk/automation/advanced_template.json").read_text()


def webhook(**over: Any) -> dict[str, Any]:
    return {
        "field_name": "trigger_webhook",
        "request_type": "POST",
        "url": "https://hooks.example/in",
        "content_type": "JSON",
        "content_layout": "2",
        "content": TEMPLATE,
        "custom_headers": {"X-Webhook-Secret": "s" * 32},
        **over,
    }


def rule(*props: dict[str, Any], match: str = "all", **over: Any) -> dict[str, Any]:
    conditions = [{"name": "condition_set_1", "match_type": match, "properties": list(props)}]
    return {"name": "To the CRM", "conditions": conditions, "actions": [webhook()], **over}


def on_update(*events: dict[str, Any], performer: int = 1, **over: Any) -> dict[str, Any]:
    return rule(ANY_STATUS, performer={"type": performer}, events=list(events), **over)


async def add(h: Any, type_id: int, body: dict[str, Any]) -> dict[str, Any]:
    resp = await h.api.post(RULES.format(type_id), json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def new_ticket(h: Any, **over: Any) -> dict[str, Any]:
    body = {"email": "ada@example.com", "subject": "Hello", "description": "<p>Hi</p>", **over}
    resp = await h.api.post("/api/v2/tickets", json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def bodies(h: Any) -> list[Any]:
    return [json.loads(c.body) for c in h.receiver.calls]


async def test_rules_api_round_trip(hooked: Any) -> None:
    h = hooked
    created = await add(h, 1, rule(ANY_STATUS))
    assert created["automation_type_id"] == 1
    assert created["active"] is True
    assert created["position"] == 1
    assert "performer" not in created
    listed = (await h.api.get(RULES.format(1))).json()
    assert listed == [created]
    assert (await h.api.get(RULES.format(4))).json() == []
    one = f"{RULES.format(1)}/{created['id']}"
    assert (await h.api.get(one)).json() == created
    changed = await h.api.put(one, json={"active": False, "name": "Renamed"})
    assert changed.status_code == 200
    assert (changed.json()["active"], changed.json()["name"]) == (False, "Renamed")
    assert (await h.api.delete(one)).status_code == 204
    assert (await h.api.get(one)).status_code == 404
    assert (await h.api.get(RULES.format(2))).status_code == 404  # no such type


def hook_rule(**over: Any) -> dict[str, Any]:
    return rule(ANY_STATUS, actions=[webhook(**over)])


@pytest.mark.parametrize(
    ("type_id", "body", "field", "code"),
    [
        (1, {"conditions": [], "actions": []}, "name", "missing_field"),
        (1, rule(ANY_STATUS, performer={"type": 1}), "performer", "invalid_field"),
        (4, rule(ANY_STATUS, performer={"type": 1}), "events", "missing_field"),
        (1, hook_rule(request_type="SEND"), "actions.request_type", "invalid_value"),
        (1, hook_rule(url="ftp://x.example"), "actions.url", "invalid_value"),
        (1, hook_rule(content_type="YAML"), "actions.content_type", "invalid_value"),
        (1, hook_rule(content_layout="1"), "actions.content", "datatype_mismatch"),
        (
            1,
            rule({"field_name": "mood", "operator": "is"}),
            "conditions.field_name",
            "invalid_value",
        ),
        (1, rule({**ANY_STATUS, "operator": "contains"}), "conditions.operator", "invalid_value"),
        (1, rule(ANY_STATUS, id=5), "id", "invalid_field"),
    ],
)
async def test_rule_validation(
    hooked: Any, type_id: int, body: dict[str, Any], field: str, code: str
) -> None:
    resp = await hooked.api.post(RULES.format(type_id), json=body)
    assert resp.status_code == 400
    assert resp.json()["description"] == "Validation failed"
    assert resp.json()["errors"][0]["field"] == field
    assert resp.json()["errors"][0]["code"] == code
    assert (await hooked.api.get(RULES.format(type_id))).json() == []


async def test_a_created_ticket_fires_the_creation_rule_once(hooked: Any) -> None:
    h = hooked
    await add(h, 1, rule(ANY_STATUS))
    ticket = await new_ticket(h, type="Incident", priority=3)
    await h.emu.store.webhooks.drain()
    assert len(h.receiver.calls) == 1
    call = h.receiver.calls[0]
    assert (call.method, call.path) == ("POST", "/in")
    assert call.headers["content-type"] == "application/json"
    assert call.headers["x-webhook-secret"] == "s" * 32
    sent = json.loads(call.body)
    recorded = fixture("freshdesk/automation/ticket_created.json")
    assert_same_shape(sent["freshdesk_webhook"], recorded["freshdesk_webhook"])
    assert sent["freshdesk_webhook"] | {"ticket_url": None} == {
        "triggered_event": "{ticket_action:created}",
        "ticket_id": str(ticket["id"]),
        "ticket_url": None,
        "ticket_type": "Incident",
        "ticket_subject": "Hello",
        "ticket_description": "<p>Hi</p>",
        "ticket_status": "Open",
        "ticket_priority": "High",
        "requester_name": "ada",
        "requester_email": "ada@example.com",
    }
    url = sent["freshdesk_webhook"]["ticket_url"]
    assert url == f"https://acme.freshdesk.com/helpdesk/tickets/{ticket['id']}"
    [delivery] = h.emu.store.webhooks.deliveries
    assert (delivery.state, delivery.automation_type_id) == ("delivered", 1)


async def test_a_status_change_fires_the_update_rule(hooked: Any) -> None:
    h = hooked
    await add(h, 4, on_update({"field_name": "status", "from": "--", "to": 4}))
    ticket = await new_ticket(h)
    path = f"/api/v2/tickets/{ticket['id']}"
    assert (await h.api.put(path, json={"status": 3})).status_code == 200  # not to 4
    assert (await h.api.put(path, json={"priority": 4})).status_code == 200  # not an event
    resolved = await h.api.put(path, json={"status": 4})
    assert resolved.json()["status"] == 4
    await h.emu.store.webhooks.drain()
    [sent] = bodies(h)
    assert sent["freshdesk_webhook"]["triggered_event"] == "{status:{from:3,to:4}}"
    assert sent["freshdesk_webhook"]["ticket_status"] == "Resolved"
    assert sent["freshdesk_webhook"]["ticket_priority"] == "Urgent"


async def test_conditions_filter(hooked: Any) -> None:
    h = hooked
    incident = {"field_name": "ticket_type", "operator": "in", "value": ["Incident"]}
    vip = {"field_name": "tag_names", "operator": "in", "value": ["vip"]}
    await add(h, 1, rule(incident, vip))
    await new_ticket(h, type="Question", tags=["vip"])
    await new_ticket(h, type="Incident")
    wanted = await new_ticket(h, type="Incident", tags=["VIP", "x"])
    await add(h, 1, rule(incident, vip, match="any", position=1))  # now first, and looser
    looser = await new_ticket(h, type="Problem", tags=["vip"])
    await h.emu.store.webhooks.drain()
    sent = [int(b["freshdesk_webhook"]["ticket_id"]) for b in bodies(h)]
    assert sent == [wanted["id"], looser["id"]]


async def test_first_matching_creation_rule_unless_all_run(hooked: Any) -> None:
    h = hooked
    await add(h, 1, rule(ANY_STATUS))
    await add(h, 1, rule(ANY_STATUS, name="Second"))
    await new_ticket(h)
    h.emu.store.run_all_creation_rules = True
    await new_ticket(h)
    await h.emu.store.webhooks.drain()
    assert [d.rule_id for d in h.emu.store.webhooks.deliveries] == [1, 1, 2]


@pytest.mark.parametrize(
    ("performer", "members", "fires"),
    [(1, [], True), (3, [], True), (1, [77_000_000_001], True), (1, [5], False), (2, [], False),
     (4, [], False)],
)  # fmt: skip
async def test_api_updates_are_the_key_agents(
    hooked: Any, performer: int, members: list[int], fires: bool
) -> None:
    h = hooked
    body = on_update({"field_name": "priority", "from": "--", "to": "--"})
    body["performer"] = {"type": performer, "members": members}
    await add(h, 4, body)
    ticket = await new_ticket(h)
    await h.api.put(f"/api/v2/tickets/{ticket['id']}", json={"priority": 2})
    await h.emu.store.webhooks.drain()
    assert len(h.receiver.calls) == int(fires)


async def test_placeholders_are_escaped_for_each_encoding(hooked: Any) -> None:
    h = hooked
    subject = 'Say "hi" \\ <b>&amp; ok</b> 100%'
    form = "subject={{ticket.subject}}&id={{ticket.id}}"
    xml = "<t><s>{{ticket.subject}}</s></t>"
    actions = [
        webhook(content='{"s": "{{ticket.subject}}", "id": {{ticket.id}}}'),
        webhook(content={"s": "{{ticket.subject}}", "both": "{{ticket.id}}: {{ticket.status}}"}),
        webhook(content_type="XML", content=xml),
        webhook(content_type="X-FORM-URLENCODED", content=form),
    ]
    await add(h, 1, rule(ANY_STATUS, actions=actions))
    ticket = await new_ticket(h, subject=subject)
    await h.emu.store.webhooks.drain()
    text, tree, as_xml, as_form = h.receiver.calls
    assert json.loads(text.body) == {"s": subject, "id": ticket["id"]}
    assert json.loads(tree.body) == {"s": subject, "both": f"{ticket['id']}: Open"}
    # The emulator's own output, not untrusted input.
    assert ElementTree.fromstring(as_xml.body).findtext("s") == subject  # noqa: S314
    assert as_xml.headers["content-type"] == "application/xml"
    assert parse_qs(as_form.body.decode()) == {"subject": [subject], "id": [str(ticket["id"])]}
    assert as_form.headers["content-type"] == "application/x-www-form-urlencoded"


async def test_simple_content_is_wrapped_in_freshdesk_webhook(hooked: Any) -> None:
    h = hooked
    names = ["ticket.id", "{{ticket.status}}", "ticket.contact.email", "ticket.agent.name",
             "ticket.group.name", "ticket.tags", "ticket.unknown"]  # fmt: skip
    await add(h, 1, rule(ANY_STATUS, actions=[webhook(content_layout="1", content=names)]))
    ticket = await new_ticket(h, responder_id=77_000_000_001, group_id=2, tags=["a", "b"])
    await h.emu.store.webhooks.drain()
    assert bodies(h) == [
        {
            "freshdesk_webhook": {
                "ticket_id": ticket["id"],
                "ticket_status": "Open",
                "ticket_contact_email": "ada@example.com",
                "ticket_agent_name": "Demo Agent",
                "ticket_group_name": "Billing",
                "ticket_tags": "a, b",
                "ticket_unknown": "",
            }
        }
    ]


async def test_methods_headers_and_auth(hooked: Any) -> None:
    h = hooked
    actions = [
        webhook(auth_header={"username": "hook-user", "password": "pw"}),
        webhook(api_key="key-1", request_type="PUT", url="https://hooks.example/t/{{ticket.id}}"),
        webhook(request_type="GET", custom_headers={"X-Ticket": "{{ticket.id}}"}),
    ]
    await add(h, 1, rule(ANY_STATUS, actions=actions))
    ticket = await new_ticket(h)
    await h.emu.store.webhooks.drain()
    basic, keyed, get = h.receiver.calls

    def user(call: Any) -> str:
        return base64.b64decode(call.headers["authorization"].split()[1]).decode()

    assert user(basic) == "hook-user:pw"
    assert (keyed.method, keyed.path, user(keyed)) == ("PUT", f"/t/{ticket['id']}", "key-1:X")
    assert (get.method, get.body, get.headers["x-ticket"]) == ("GET", b"", str(ticket["id"]))
    assert "authorization" not in get.headers


async def test_notes_fire_note_events_with_the_comment(hooked: Any) -> None:
    h = hooked
    content = ["triggered_event", "ticket.latest_private_comment"]
    body = on_update({"field_name": "note_type", "value": "private"})
    body["actions"] = [webhook(content_layout="1", content=content)]
    await add(h, 4, body)
    ticket = await new_ticket(h)
    notes = f"/api/v2/tickets/{ticket['id']}/notes"
    await h.api.post(notes, json={"body": "<p>public</p>", "private": False})
    await h.api.post(notes, json={"body": "<p>seen</p>", "private": True})
    await h.emu.store.webhooks.drain()
    assert bodies(h) == [
        {
            "freshdesk_webhook": {
                "triggered_event": "{note_type:private}",
                "ticket_latest_private_comment": "Demo Agent : <p>seen</p>",
            }
        }
    ]


async def test_spam_and_deleted_tickets_never_fire(hooked: Any) -> None:
    h = hooked
    await add(h, 4, on_update({"field_name": "note_type", "value": "--"}))
    spam, gone = await new_ticket(h), await new_ticket(h)
    flagged = await h.api.post(f"/_emulator/tickets/{spam['id']}/spam", json={"spam": True})
    assert flagged.json() == {"id": spam["id"], "spam": True}
    note = {"body": "<p>x</p>"}
    assert (await h.api.post(f"/api/v2/tickets/{spam['id']}/notes", json=note)).status_code == 201
    assert (await h.api.put(f"/api/v2/tickets/{spam['id']}", json={"status": 3})).status_code == 404
    assert (await h.api.get(f"/api/v2/tickets/{spam['id']}")).json()["spam"] is True
    assert (await h.api.delete(f"/api/v2/tickets/{gone['id']}")).status_code == 204
    shown = (await h.api.get(f"/api/v2/tickets/{gone['id']}")).json()
    assert shown["deleted"] is True
    assert (await h.api.put(f"/api/v2/tickets/{gone['id']}", json={"status": 3})).status_code == 404
    await h.emu.store.webhooks.drain()
    assert h.receiver.calls == []
    assert h.emu.store.webhooks.deliveries == []


async def test_time_triggers_are_kept_but_never_run(hooked: Any) -> None:
    h = hooked
    await add(h, 3, rule(ANY_STATUS))
    ticket = await new_ticket(h)
    await h.api.put(f"/api/v2/tickets/{ticket['id']}", json={"status": 3})
    await h.emu.store.webhooks.drain()
    assert len((await h.api.get(RULES.format(3))).json()) == 1
    assert h.receiver.calls == []


async def test_reset_clears_rules_and_deliveries(hooked: Any) -> None:
    h = hooked
    await add(h, 1, rule(ANY_STATUS))
    await new_ticket(h)
    await h.emu.store.webhooks.drain()
    assert h.emu.store.webhooks.deliveries
    assert (await h.api.post("/_emulator/reset")).status_code == 200
    assert (await h.api.get(RULES.format(1))).json() == []
    assert (await h.api.get("/_emulator/webhooks")).json() == []
    assert h.emu.store.webhooks.sender is not None  # the wiring survives a reset
