"""Freshdesk's placeholders (``{{ticket.id}}`` ...) and the webhook body they render into.

Sources for the names and how each renders:

- Zulip's Freshdesk integration (zulip/zulip ``zerver/webhooks/freshdesk``: the doc's
  Advanced JSON template and the recorded payloads in its fixtures): ``ticket.id``,
  ``ticket.url`` (``http://<domain>.freshdesk.com/helpdesk/tickets/11``),
  ``ticket.ticket_type``, ``ticket.subject``, ``ticket.description`` (HTML),
  ``ticket.status`` and ``ticket.priority`` by name ("Pending", "High"),
  ``ticket.requester.name``, ``ticket.requester.email`` and ``triggered_event``, which
  reads ``{ticket_action:created}``, ``{status:{from:4,to:6}}`` or
  ``{note_type:private}`` (only the first event a rule matched).
- The cyclr connector guide (sneakysneak/docs, Freshdesk): ``ticket.source``,
  ``ticket.portal_name``, ``helpdesk_name``; ISSUE 29: ``ticket.agent.name``,
  ``ticket.group.name``, ``ticket.tags``.
- Simple content: Freshdesk wraps the chosen fields in a ``freshdesk_webhook`` object
  whose keys are the placeholder names with dots as underscores: ``ticket_id``,
  ``ticket_contact_email``, ``ticket_latest_public_comment`` (recorded by receivers:
  wechaty/plugin-freshdesk ``src/freshdesk/webhook.ts``, where ``ticket_id`` is a number
  and a comment reads ``"<agent name> : <html>"``; a PHP receiver reading
  ``freshdesk_webhook.ticket_contact_email``).
- Placeholders are Liquid: one Freshdesk does not know renders as an empty string.

Values are escaped for the content they land in: JSON string escapes inside JSON
text, XML escapes inside XML, percent-encoding inside a form body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote_plus, urlencode
from xml.sax.saxutils import escape as xml_escape

from .store import FreshdeskStore, Record

STATUS_NAMES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITY_NAMES = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}
#: Ticket sources by number (API-FACTS.md; names as Freshdesk's UI shows them).
SOURCE_NAMES = {
    1: "Email",
    2: "Portal",
    3: "Phone",
    7: "Chat",
    9: "Feedback Widget",
    10: "Outbound Email",
}
#: The encodings of the "Trigger webhook" action and the Content-Type each is sent with.
CONTENT_TYPES = {
    "JSON": "application/json",
    "XML": "application/xml",
    "X-FORM-URLENCODED": "application/x-www-form-urlencoded",
}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
HELPDESK_NAME = "Demo Support"


def _person(contact: Record | None) -> dict[str, str]:
    c = contact or {}
    keys = ("name", "email", "phone", "mobile", "unique_external_id", "job_title")
    return {k: str(c.get(k) or "") for k in keys}


def _comment(store: FreshdeskStore, ticket_id: int, private: bool) -> str:
    """The latest note of that kind as ``"<author> : <body>"`` (wechaty's recording)."""
    notes = [n for n in store.conversations.get(ticket_id, []) if n["private"] is private]
    if not notes:
        return ""
    note = notes[-1]
    author = store.agent["contact"]["name"] if note["user_id"] == store.agent["id"] else ""
    return f"{author} : {note['body']}"


def ticket_values(
    store: FreshdeskStore, ticket: Record, *, domain: str, triggered_event: str
) -> dict[str, str]:
    """Every placeholder Freshdesk fills for ``ticket``, rendered to text."""
    tid = ticket["id"]
    requester = _person(store.contacts.get(ticket.get("requester_id") or 0))
    company = store.companies.get(ticket.get("company_id") or 0) or {}
    requester["company_name"] = str(company.get("name") or "")
    agent = store.agent if ticket.get("responder_id") == store.agent["id"] else None
    agent_contact = _person((agent or {}).get("contact"))
    group = store.groups.get(ticket.get("group_id") or 0, "")
    values = {
        "ticket.id": str(tid),
        "ticket.subject": ticket.get("subject") or "",
        "ticket.description": ticket.get("description") or "",
        "ticket.description_text": ticket.get("description_text") or "",
        "ticket.url": f"https://{domain}.freshdesk.com/helpdesk/tickets/{tid}",
        "ticket.portal_url": f"https://{domain}.freshdesk.com/support/tickets/{tid}",
        "ticket.status": STATUS_NAMES.get(ticket.get("status") or 0, ""),
        "ticket.priority": PRIORITY_NAMES.get(ticket.get("priority") or 0, ""),
        "ticket.source": SOURCE_NAMES.get(ticket.get("source") or 0, ""),
        "ticket.ticket_type": ticket.get("type") or "",
        "ticket.tags": ", ".join(ticket.get("tags") or []),
        "ticket.company.name": requester["company_name"],
        "ticket.agent.name": agent_contact["name"],
        "ticket.agent.email": agent_contact["email"],
        "ticket.group.name": group,
        "ticket.portal_name": HELPDESK_NAME,
        "ticket.latest_public_comment": _comment(store, tid, private=False),
        "ticket.latest_private_comment": _comment(store, tid, private=True),
        "helpdesk_name": HELPDESK_NAME,
        "triggered_event": triggered_event,
    }
    for prefix in ("ticket.requester", "ticket.contact"):
        values.update({f"{prefix}.{k}": v for k, v in requester.items()})
    return values


def render_text(template: str, values: Mapping[str, str], escape: Callable[[str], str]) -> str:
    """``template`` with each placeholder replaced by its escaped value ("" if unknown)."""
    return PLACEHOLDER.sub(lambda m: escape(values.get(m.group(1), "")), template)


def _json_escape(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _render_tree(node: Any, values: Mapping[str, str]) -> Any:
    """A JSON tree with every string rendered (structure and other values as they are)."""
    if isinstance(node, str):
        return render_text(node, values, lambda v: v)
    if isinstance(node, list):
        return [_render_tree(n, values) for n in node]
    if isinstance(node, dict):
        return {k: _render_tree(v, values) for k, v in node.items()}
    return node


def simple_fields(names: list[str], values: Mapping[str, str]) -> dict[str, Any]:
    """The chosen placeholders, keyed as Freshdesk's Simple content keys them."""
    out: dict[str, Any] = {}
    for raw in names:
        name = raw.strip().removeprefix("{{").removesuffix("}}").strip()
        value: Any = values.get(name, "")
        if name == "ticket.id":
            value = int(value)  # a number in the recorded Simple payload
        out[name.replace(".", "_")] = value
    return out


def render_body(action: Mapping[str, Any], values: Mapping[str, str]) -> tuple[bytes, str]:
    """The body of a "Trigger webhook" action and its Content-Type."""
    encoding = action.get("content_type", "JSON")
    content = action.get("content")
    media = CONTENT_TYPES[encoding]
    if str(action.get("content_layout", "2")) == "1":
        fields = simple_fields(list(content or []), values)
        if encoding == "JSON":
            return json.dumps({"freshdesk_webhook": fields}, ensure_ascii=False).encode(), media
        if encoding == "XML":
            inner = "".join(f"<{k}>{xml_escape(str(v))}</{k}>" for k, v in fields.items())
            return f"<freshdesk_webhook>{inner}</freshdesk_webhook>".encode(), media
        return urlencode({k: str(v) for k, v in fields.items()}).encode(), media
    if content is None:
        return b"", media
    if encoding == "JSON" and not isinstance(content, str):
        return json.dumps(_render_tree(content, values), ensure_ascii=False).encode(), media
    escapes: dict[str, Callable[[str], str]] = {"JSON": _json_escape, "XML": xml_escape}
    escape = escapes.get(encoding, quote_plus)
    return render_text(str(content), values, escape).encode(), media
