"""Freshdesk's ticket reads: ``include`` embeds and the list's filters, window and order."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .rules import validation
from .store import FreshdeskStore, Record

STATS_FIELDS = (
    "agent_responded_at",
    "requester_responded_at",
    "first_responded_at",
    "reopened_at",
    "resolved_at",
    "closed_at",
    "pending_since",
)
#: On GET /tickets/{id} (developers.freshdesk.com "View a Ticket"; REF API-FACTS.md).
INCLUDES = frozenset({"requester", "company", "stats", "conversations", "description"})
#: On GET /tickets: stats, requester, description (withone.ai "List All Tickets", citing
#: the vendor doc). ``company`` is documented for a single ticket only.
LIST_INCLUDES = frozenset({"requester", "stats", "description"})
#: order_by values and default, order_type values and default (withone.ai; Freshworks
#: typedoc TicketsQuery: "Supported values - 'asc' and 'desc'. Default is 'desc'").
ORDER_BY = ("created_at", "due_by", "updated_at", "status")
ORDER_TYPES = ("asc", "desc")
#: "By default, only tickets that have been created within the past 30 days will be
#: returned. For older tickets, use the updated_since filter" (vendor.md B: withone.ai,
#: AWS Glue connector notes; the wording created/updated differs between sources).
DEFAULT_WINDOW = timedelta(days=30)
#: The list sample holds neither description nor attachments ("/tickets API do not
#: include attachments of tickets"; description only with include=description).
LIST_OMITS = ("description", "description_text", "attachments")


def includes(params: Mapping[str, str], allowed: frozenset[str]) -> list[str]:
    wanted = [i for i in params.get("include", "").split(",") if i]
    if set(wanted) - allowed:
        raise validation(
            "include",
            f"It should be one of these values: '{','.join(sorted(allowed))}'",
            "invalid_value",
        )
    return wanted


def embed(store: FreshdeskStore, ticket: Record, wanted: list[str]) -> Record:
    out = dict(ticket)
    if "requester" in wanted:  # {id, name, email, mobile, phone} (REF ticket_1.json)
        c = store.contacts.get(ticket["requester_id"]) or {}
        out["requester"] = {k: c.get(k) for k in ("id", "name", "email", "mobile", "phone")}
    if "company" in wanted:
        co = store.companies.get(ticket.get("company_id") or 0)
        out["company"] = {"id": co["id"], "name": co["name"]} if co else {}
    if "stats" in wanted:  # the keys of REF ticket_1.json's stats
        out["stats"] = dict.fromkeys(STATS_FIELDS)
        out["stats"]["status_updated_at"] = ticket["updated_at"]
    if "conversations" in wanted:  # "up to ten conversations ... ascending" (vendor doc)
        out["conversations"] = store.conversations.get(ticket["id"], [])[:10]
    return out


def parse_time(text: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise validation(field, "It should be in the 'valid date time' format", "invalid_value")
    return moment


def _choice(params: Mapping[str, str], field: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(field, default)
    if value not in allowed:
        raise validation(
            field, f"It should be one of these values: '{','.join(allowed)}'", "invalid_value"
        )
    return value


def _order_key(field: str) -> Any:
    def key(t: Record) -> tuple[bool, Any, int]:
        value = t.get(field)
        if field != "status" and value is not None:
            value = parse_time(value, field)
        return (value is None, value if value is not None else 0, t["id"])

    return key


def listed(store: FreshdeskStore, params: Mapping[str, str], now: datetime) -> list[Record]:
    """The tickets GET /tickets answers, filtered, windowed and ordered, before paging."""
    wanted = includes(params, LIST_INCLUDES)
    order_by = _choice(params, "order_by", ORDER_BY, "created_at")
    order_type = _choice(params, "order_type", ORDER_TYPES, "desc")
    rows = [t for t in store.tickets.values() if not t.get("deleted")]
    if "updated_since" in params:
        since = parse_time(params["updated_since"], "updated_since")
        rows = [t for t in rows if parse_time(t["updated_at"], "updated_at") >= since]
    else:
        start = now - DEFAULT_WINDOW
        rows = [t for t in rows if parse_time(t["created_at"], "created_at") >= start]
    for key in ("requester_id", "company_id"):
        if key in params:
            rows = [t for t in rows if str(t.get(key)) == params[key]]
    if "email" in params:
        ids = {c["id"] for c in store.contacts_with_email(params["email"])}
        rows = [t for t in rows if t["requester_id"] in ids]
    rows.sort(key=_order_key(order_by), reverse=order_type == "desc")
    out = []
    for t in rows:
        item = embed(store, t, wanted)
        if "description" not in wanted:
            for key in LIST_OMITS:
                item.pop(key, None)
        else:
            item.pop("attachments", None)
        out.append(item)
    return out
