"""Freshdesk's agents and contact autocomplete."""

from __future__ import annotations

import copy
from typing import Any

from .store import FreshdeskStore, Record

#: Agent keys beyond the book's: the vendor's "List All Agents" sample (available,
#: occasional, signature, ticket_scope, type "support_agent", focus_mode; REF agents.json).
AGENT_EXTRA: Record = {
    "available": True,
    "occasional": False,
    "ticket_scope": 1,
    "signature": None,
    "type": "support_agent",
    "focus_mode": True,
}


def agent_record(store: FreshdeskStore) -> Record:
    """The key's agent, as GET /agents/me and each item of GET /agents answer it."""
    agent = {**copy.deepcopy(store.agent), **AGENT_EXTRA}
    agent["contact"] = {"last_login_at": None, **agent.get("contact", {})}
    return agent


def autocomplete(store: FreshdeskStore, term: str) -> list[dict[str, Any]]:
    """``[{id, name}]`` of contacts whose name has a word starting with ``term``.

    Matching ignores case and works on word prefixes; "hn" does not find John
    (withone.ai "Search Contacts (Autocomplete)", quoting the vendor doc; sample
    ``[{"id":33,"name":"John Jonz"},{"id":456,"name":"John Steven Jonz"}]``).
    """
    wanted = term.casefold()
    out = []
    for c in store.contacts.values():
        name = c.get("name") or ""
        words = name.casefold().split()
        starts = (" ".join(words[i:]) for i in range(len(words)))
        if not c.get("deleted") and any(s.startswith(wanted) for s in starts):
            out.append({"id": c["id"], "name": name})
    return out
