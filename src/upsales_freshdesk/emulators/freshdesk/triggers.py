"""Which rules a write sets off, and the webhook calls they make.

- Ticket-creation rules (type 1) run on every new ticket, in their order; the account's
  "Execution rule" picks whether the first matching rule runs or all of them (Freshdesk
  article 207276, "When and how to use the triggers for automations"). The emulator's
  default is the first (which default Freshdesk ships is unconfirmed): set
  ``store.run_all_creation_rules`` for the other.
- Ticket-update rules (type 4) run on the events they list, when the event's performer
  matches. A write through the API is performed by the API key's agent, so rules whose
  performer is "agent" or "agent or requester" run on it (Freshdesk article 99047:
  "Who causes the event? ... an agent, a requester, or either"; the API acts as the
  key's agent).
- Spam and deleted tickets set off no rule: Freshdesk runs ticket actions only on
  tickets neither deleted nor spam (its ``CONDITIONS_FOR_TICKET_ACTIONS``).
- Time triggers (type 3) are stored but never run: they are hourly scans.

A rule renders its webhook when it runs (the ticket as it is then); the call is sent
later, once the write has been answered (:meth:`.webhooks.Outbox.start`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from .automations import Change, conditions_match, first_event, performed_by
from .placeholders import render_body, render_text, ticket_values
from .rulebook import CREATION, UPDATES
from .store import FreshdeskStore, Record
from .webhooks import Delivery, WebhookRequest

CREATED_EVENT = "{ticket_action:created}"
NO_BODY = ("GET", "DELETE")


def webhook_request(action: Mapping[str, Any], values: Mapping[str, str]) -> WebhookRequest:
    """The HTTP request of one "Trigger webhook" action, placeholders filled."""
    method = action["request_type"]
    url = render_text(action["url"], values, _url_escape)
    custom = action.get("custom_headers", {})
    headers = {str(k): render_text(v, values, str) for k, v in custom.items()}
    auth = action.get("auth_header") or {}
    pair = None
    if auth:
        pair = f"{auth['username']}:{auth['password']}"
    elif action.get("api_key"):
        # As Freshdesk's own API takes a key: the key as the user name, "X" as password.
        pair = f"{action['api_key']}:X"
    if pair is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    body = b""
    if method not in NO_BODY:
        body, media = render_body(action, values)
        headers.setdefault("Content-Type", media)
    return WebhookRequest(method, url, headers, body)


def _url_escape(text: str) -> str:
    return quote(text, safe="")


def fire(
    store: FreshdeskStore,
    ticket: Record,
    *,
    type_id: int,
    domain: str,
    changes: Sequence[Change] = (),
    note: str | None = None,
) -> list[Delivery]:
    """Run the rules of ``type_id`` on ``ticket``; the webhook calls they stage."""
    if ticket.get("spam") or ticket.get("deleted"):
        return []
    staged: list[Delivery] = []
    for rule in store.automations.listed(type_id):
        if not rule.get("active", True):
            continue
        if type_id == UPDATES:
            if not performed_by(rule, store.agent["id"]):
                continue
            event = first_event(rule, list(changes), note)
            if event is None:
                continue
        elif type_id == CREATION:
            event = CREATED_EVENT
        else:
            continue
        if not conditions_match(rule, ticket):
            continue
        values = ticket_values(store, ticket, domain=domain, triggered_event=event)
        for action in rule["actions"]:
            if action.get("field_name") != "trigger_webhook":
                continue  # the emulator carries out webhook actions only
            staged.append(
                store.webhooks.stage(
                    rule_id=rule["id"],
                    automation_type_id=type_id,
                    ticket_id=ticket["id"],
                    triggered_event=event,
                    request=webhook_request(action, values),
                )
            )
        if type_id == CREATION and not store.run_all_creation_rules:
            break
    return staged
