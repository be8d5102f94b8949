"""The two Freshdesk automation rules that send the timeline its events: their bodies as
Freshdesk's Automations API takes them, the same rules as an admin types them, and
installing them idempotently (found again by name; a second run changes nothing).

Sources:

- The rule JSON and the automation types (1 ticket creation, 4 ticket updates; performer
  3 "agent or requester"; events ``{field_name, from, to}`` with ``--`` for any): the
  vendor's API field documentation as askasoft/pango carries it
  (``sdk/fdk/freshdesk/automation.go``, ``consts.go``), and the Terraform provider
  slop-place/terraform-provider-freshdesk (``freshdesk/automations.go``).
- The "Trigger webhook" action (``request_type``, ``url``, ``content_type`` "JSON",
  ``content_layout`` "2" for Advanced with an object as ``content``,
  ``custom_headers``): a real action's keys in that provider's tests
  (``TestAutomationActionsSurviveVerbatim``).
- The Advanced content quotes its placeholders (``"ticket_id": "{{ticket.id}}"``), so it
  is valid JSON before Freshdesk fills it in; it renders as the string ``"11"``: Zulip's
  Freshdesk guide and its recorded payloads (zulip/zulip ``zerver/webhooks/freshdesk``).
  The receiver takes the id as a number or as that string.
- No "every ticket" condition exists: "source is Email" or "source is not Email" stands
  for it (Zulip's guide). Email is source 1 (API-FACTS.md, "Ticket sources").
- Where the rules live: Admin > Workflows > Automations, tabs "Ticket Creation" and
  "Ticket Updates" (Freshdesk article 99047).
- Unconfirmed: whether Freshdesk gives ``custom_headers`` and ``content`` back as sent.
  A rule read back otherwise is written again, never duplicated.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..clients import Deadline
from ..clients.freshdesk.automations import (
    TICKET_CREATION,
    TICKET_UPDATES,
    AutomationRule,
    Automations,
    AutomationType,
)
from ..sync import hooks
from ..sync.hooks import Result

PATH = "/v1/webhooks/freshdesk/ticket-event"
HEADER = "X-Webhook-Secret"
#: What the printed rules show instead of the secret: the admin fills it in.
SECRET_PLACEHOLDER = "<the value of UFD_WEBHOOK_SECRET>"  # noqa: S105 - the words, not a secret
CREATED_NAME = "Upsales timeline: ticket created"
UPDATED_NAME = "Upsales timeline: ticket updated"
NAMES: tuple[tuple[AutomationType, str], ...] = (
    (TICKET_CREATION, CREATED_NAME),
    (TICKET_UPDATES, UPDATED_NAME),
)
EMAIL_SOURCE = 1
AGENT_OR_REQUESTER = 3
ANY = "--"
#: The ticket-update events that change what the activity shows or whether the ticket
#: is logged at all (group and type filters): the API's field and the editor's words.
EVENTS: tuple[tuple[str, str, str], ...] = (
    ("status", "Status is changed", "Any Status"),
    ("priority", "Priority is changed", "Any Priority"),
    ("responder_id", "Agent is updated", "Any Agent"),
    ("group_id", "Group is updated", "Any Group"),
    ("ticket_type", "Type is changed", "Any Type"),
)
#: The rules' condition: every ticket (see the module's sources).
EVERY_TICKET: list[dict[str, Any]] = [
    {
        "name": "condition_set_1",
        "match_type": "any",
        "properties": [
            {"resource_type": "ticket", "field_name": "source", "operator": op, "value": [source]}
            for op, source in (("in", EMAIL_SOURCE), ("not_in", EMAIL_SOURCE))
        ],
    }
]


def webhook_url(base: str) -> str:
    """The receiver's URL on the service at ``base`` (``https://ufd.example.com``); which
    bases pass is :func:`..sync.hooks.service_url`'s rule. ``ValueError`` for another."""
    return hooks.service_url(base, PATH)


def content(*, ticket_url: bool = True) -> dict[str, str]:
    """The Advanced JSON content: the ticket's id (and its URL, whose host the receiver
    checks is the server's account). The event is only a poke: the job reads the ticket."""
    body = {"ticket_id": "{{ticket.id}}"}
    if ticket_url:
        body["ticket_url"] = "{{ticket.url}}"
    return body


def webhook_action(url: str, secret: str, *, ticket_url: bool = True) -> dict[str, Any]:
    return {
        "field_name": "trigger_webhook",
        "request_type": "POST",
        "url": url,
        "content_type": "JSON",
        "content_layout": "2",
        "content": content(ticket_url=ticket_url),
        "custom_headers": {HEADER: secret},
    }


@dataclass(frozen=True, slots=True)
class Rule:
    type_id: AutomationType
    name: str
    body: dict[str, Any]


def timeline_rules(url: str, secret: str, *, ticket_url: bool = True) -> tuple[Rule, Rule]:
    """Both rules, calling ``url`` with ``secret`` in their header."""
    action = webhook_action(url, secret, ticket_url=ticket_url)
    common = {"active": True, "operator": "AND", "conditions": EVERY_TICKET}
    created = {"name": CREATED_NAME, **common, "actions": [action]}
    updated = {
        "name": UPDATED_NAME,
        **common,
        "performer": {"type": AGENT_OR_REQUESTER},
        "events": [{"field_name": f, "from": ANY, "to": ANY} for f, _, _ in EVENTS],
        "actions": [action],
    }
    return Rule(TICKET_CREATION, CREATED_NAME, created), Rule(TICKET_UPDATES, UPDATED_NAME, updated)


def api_bodies(url: str, *, ticket_url: bool = True) -> list[dict[str, Any]]:
    """The Automations API calls that make both rules, the secret left to fill in."""
    return [
        {"method": "POST", "path": f"/api/v2/automations/{r.type_id}/rules", "body": r.body}
        for r in timeline_rules(url, SECRET_PLACEHOLDER, ticket_url=ticket_url)
    ]


def instructions(url: str, *, ticket_url: bool = True) -> list[str]:
    """The two rules, step by step, as an admin makes them in Freshdesk's editor."""
    action = [
        "Action: Trigger Webhook",
        "  Request type: POST",
        f"  URL: {url}",
        "  Requires authentication: off (the header below authenticates the call)",
        f"  Add custom headers: on; header {HEADER}, value {SECRET_PLACEHOLDER}",
        "    (from the service's environment; put it nowhere else)",
        "  Encoding: JSON",
        "  Content: Advanced; paste this, as it is:",
        f"    {json.dumps(content(ticket_url=ticket_url))}",
    ]
    every = [
        'Conditions ("on tickets with these properties"), match ANY of:',
        "  Source is Email",
        "  Source is not Email",
        '  (Freshdesk has no "every ticket" condition; together these two match all)',
    ]
    events = [f"  {words}: from {any_} to {any_}" for _, words, any_ in EVENTS]

    def step(n: int, lines: list[str]) -> list[str]:
        return [f"  {n}. {lines[0]}", *(f"     {line}" for line in lines[1:])]

    return [
        "In Freshdesk, as an admin: Admin > Workflows > Automations.",
        "",
        'Rule 1 of 2: the "Ticket Creation" tab > New rule',
        *step(1, [f"Rule name: {CREATED_NAME}"]),
        *step(2, every),
        *step(3, action),
        *step(4, ["Save, and keep the rule on."]),
        "",
        'Rule 2 of 2: the "Ticket Updates" tab > New rule',
        *step(1, [f"Rule name: {UPDATED_NAME}"]),
        *step(2, ["When an action is performed by: Agent or Requester"]),
        *step(3, ["Involves any of these events:", *events]),
        *step(4, every),
        *step(5, action),
        *step(6, ["Save, and keep the rule on."]),
        "",
        "A subject changed on its own sets off no rule (Freshdesk has no such event): the",
        "activity shows it at the ticket's next event. Then check both rules with",
        "upsales-freshdesk timeline status",
    ]


# -- reading rules back --------------------------------------------------------------------


def _same(actual: Any, wanted: Any) -> bool:
    """Whether ``actual`` (as Freshdesk gives a rule back) holds all of ``wanted``: keys
    Freshdesk adds are ignored, JSON given back as text is read, and numbers given back
    as strings count as the same."""
    if isinstance(wanted, Mapping):
        if isinstance(actual, str):
            try:
                actual = json.loads(actual)
            except ValueError:
                return False
        return isinstance(actual, Mapping) and all(
            k in actual and _same(actual[k], v) for k, v in wanted.items()
        )
    if isinstance(wanted, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(wanted)
            and all(_same(a, w) for a, w in zip(actual, wanted, strict=True))
        )
    if isinstance(wanted, bool) or isinstance(actual, bool):
        return actual is wanted
    return bool(actual == wanted or str(actual) == str(wanted))


def up_to_date(found: AutomationRule, rule: Rule) -> bool:
    return _same(found.model_dump(mode="json"), rule.body)


def webhook_of(found: AutomationRule) -> Mapping[str, Any] | None:
    return next((a for a in found.actions if a.get("field_name") == "trigger_webhook"), None)


def sends_secret(found: AutomationRule, secret: str) -> bool:
    """Whether the rule's webhook sends ``secret`` in its header (constant time)."""
    action = webhook_of(found) or {}
    headers = action.get("custom_headers") or {}
    value = next((v for k, v in headers.items() if str(k).lower() == HEADER.lower()), None)
    return isinstance(value, str) and hmac.compare_digest(value.encode(), secret.encode())


def called_url(found: AutomationRule) -> str | None:
    """The URL the rule's webhook calls, as printed (never with a query)."""
    url = (webhook_of(found) or {}).get("url")
    return hooks.shown_url(url) if isinstance(url, str) else None


def _ordered(rules: Sequence[AutomationRule]) -> list[AutomationRule]:
    return sorted(rules, key=lambda r: (r.position or 0, r.id))


@dataclass(frozen=True, slots=True)
class Installed:
    rule: Rule
    result: Result
    found: AutomationRule
    #: Other rules of the same name and type (left alone; each sends the event again).
    duplicates: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Present:
    """What Freshdesk holds under one of the rules' names, first the one that runs first."""

    type_id: AutomationType
    name: str
    found: tuple[AutomationRule, ...]


async def _named(
    automations: Automations, type_id: AutomationType, name: str, deadline: Deadline
) -> list[AutomationRule]:
    listed = await automations.list(type_id, deadline=deadline)
    return _ordered([r for r in listed if (r.name or "").strip() == name])


async def present(automations: Automations, *, deadline: Deadline) -> list[Present]:
    """The rules of both names, as Freshdesk lists them now."""
    return [
        Present(type_id, name, tuple(await _named(automations, type_id, name, deadline)))
        for type_id, name in NAMES
    ]


async def install(
    automations: Automations,
    url: str,
    secret: str,
    *,
    ticket_url: bool = True,
    deadline: Deadline,
) -> list[Installed]:
    """Both rules made or brought up to date (:func:`..sync.hooks.place`), the one that
    runs first counting first."""
    return [
        await _install(automations, rule, deadline)
        for rule in timeline_rules(url, secret, ticket_url=ticket_url)
    ]


async def _install(automations: Automations, rule: Rule, deadline: Deadline) -> Installed:
    placed = await hooks.place(
        await _named(automations, rule.type_id, rule.name, deadline),
        current=lambda found: up_to_date(found, rule),
        create=lambda: automations.create(rule.type_id, rule.body, deadline=deadline),
        update=lambda found: automations.update(
            rule.type_id, found.id, rule.body, deadline=deadline
        ),
    )
    return Installed(rule, placed.result, placed.found, placed.duplicates)
