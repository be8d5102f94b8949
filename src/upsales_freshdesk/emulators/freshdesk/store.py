"""The Freshdesk emulator's in-memory store, holding records in the v2 shape."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from ..seed import Book, build_book
from .rulebook import RuleBook
from .webhooks import Outbox

Record = dict[str, Any]

CONTACT_DEFAULTS: Record = {
    "active": True,
    "address": None,
    "avatar": None,
    "company_id": None,
    "custom_fields": {},
    "deleted": False,
    "description": None,
    "email": None,
    "job_title": None,
    "language": "sv",
    "mobile": None,
    "name": None,
    "other_companies": [],
    "other_emails": [],
    "phone": None,
    "tags": [],
    "time_zone": "Stockholm",
    "twitter_id": None,
    "unique_external_id": None,
    "view_all_tickets": False,
}
COMPANY_DEFAULTS: Record = {
    "description": None,
    "domains": [],
    "note": None,
    "health_score": None,
    "account_tier": None,
    "renewal_date": None,
    "industry": None,
    "custom_fields": {},
}
TICKET_DEFAULTS: Record = {
    "cc_emails": [],
    "fwd_emails": [],
    "reply_cc_emails": [],
    "to_emails": None,
    "email_config_id": None,
    "fr_escalated": False,
    "group_id": None,
    "responder_id": None,
    "type": "Question",
    "product_id": None,
    "is_escalated": False,
    "spam": False,
    "due_by": None,
    "fr_due_by": None,
    "custom_fields": {},
    "tags": [],
    "attachments": [],
}
#: The account's agent groups (made up: the book has none). Tickets' ``group_id`` and
#: the ``{{ticket.group.name}}`` placeholder use them.
GROUPS: dict[int, str] = {1: "Support", 2: "Billing", 3: "Escalations"}


def _copy(record: Record | None) -> Record | None:
    return None if record is None else copy.deepcopy(record)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FreshdeskStore:
    """Companies, contacts, tickets and their notes, the key's agent, the automation
    rules and the webhook deliveries they made.

    The emulator's routes work on the tables; anything else (the demo host, tests)
    reads through the methods below, which hand out copies, not the stored records.
    """

    def __init__(self, seed: int = 1, book: Book | None = None) -> None:
        self.seed = seed
        self._pristine = book or build_book(seed)
        self.automations = RuleBook()
        #: Outgoing webhook calls; its sender and sleep survive a reset.
        self.webhooks = Outbox()
        self.reset()

    def reset(self) -> None:
        b = self._pristine
        self.companies: dict[int, Record] = {
            c["id"]: {**COMPANY_DEFAULTS, **copy.deepcopy(c)} for c in b.fd_companies
        }
        self.contacts: dict[int, Record] = {
            c["id"]: {**CONTACT_DEFAULTS, **copy.deepcopy(c)} for c in b.fd_contacts
        }
        self.tickets: dict[int, Record] = {
            t["id"]: {**TICKET_DEFAULTS, **copy.deepcopy(t)} for t in b.fd_tickets
        }
        self.conversations: dict[int, list[Record]] = {}
        self.agent: Record = copy.deepcopy(b.fd_agent)
        self.groups: dict[int, str] = dict(GROUPS)
        #: The "Execution rule" of ticket-creation rules: all matching, or the first.
        self.run_all_creation_rules = False
        self._next_note = 1
        self.automations.clear()
        self.webhooks.clear()

    # -- read API ----------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Record | None:
        return _copy(self.tickets.get(ticket_id))

    def tickets_list(self, limit: int | None = None) -> list[Record]:
        """Tickets by id, lowest first; at most ``limit`` of them."""
        ids = sorted(self.tickets)[:limit]
        return [copy.deepcopy(self.tickets[i]) for i in ids]

    def contact(self, contact_id: int) -> Record | None:
        """A contact, soft-deleted ones included (their ``deleted`` is true)."""
        return _copy(self.contacts.get(contact_id))

    def company(self, company_id: int) -> Record | None:
        return _copy(self.companies.get(company_id))

    def notes(self, ticket_id: int) -> list[Record]:
        """A ticket's conversations (notes added through the API), oldest first."""
        return copy.deepcopy(self.conversations.get(ticket_id, []))

    def current_agent(self) -> Record:
        """The agent the API key belongs to (``GET /agents/me``)."""
        return copy.deepcopy(self.agent)

    # -- writes ----------------------------------------------------------------------

    def next_contact_id(self) -> int:
        return max(self.contacts, default=0) + 1

    def next_ticket_id(self) -> int:
        return max(self.tickets, default=0) + 1

    def mark_spam(self, ticket_id: int, spam: bool = True) -> None:
        """Mark a ticket as spam (or not), as an agent or a rule does in Freshdesk."""
        self.tickets[ticket_id]["spam"] = spam

    def add_note(self, ticket_id: int, body: str, private: bool) -> Record:
        now = now_iso()
        note = {
            "id": self._next_note,
            "body": body,
            "body_text": body,
            "incoming": False,
            "private": private,
            "user_id": self.agent["id"],
            "support_email": None,
            "source": 2,
            "ticket_id": ticket_id,
            "to_emails": [],
            "from_email": None,
            "cc_emails": [],
            "bcc_emails": [],
            "created_at": now,
            "updated_at": now,
            "attachments": [],
            # Beyond the 16 core keys (REF conversations.json): the vendor's "List All
            # Conversations" sample adds last_edited_at/last_edited_user_id; its
            # "Create a Forward" sample (the fullest object) the rest, typed as there.
            "last_edited_at": None,
            "last_edited_user_id": None,
            "category": 2,  # as in the sample; its meaning is undocumented
            "email_failure_count": None,
            "outgoing_failures": None,
            "deleted": False,
            "cloud_files": [],
            "has_quoted_text": False,
            # A recorded live reply (REF conversation_live_reply.json) adds the thread,
            # automation and source keys; a note an agent adds has them all null.
            "thread_id": None,
            "thread_message_id": None,
            "automation_id": None,
            "automation_type_id": None,
            "auto_response": False,
            "source_additional_info": None,
        }
        self._next_note += 1
        self.conversations.setdefault(ticket_id, []).append(note)
        self.tickets[ticket_id]["updated_at"] = note["created_at"]
        return note

    def contacts_with_email(self, email: str) -> list[Record]:
        wanted = email.strip().lower()
        return [
            c
            for c in self.contacts.values()
            if not c["deleted"]
            and (
                (c.get("email") or "").lower() == wanted
                or wanted in (e.lower() for e in c.get("other_emails", []))
            )
        ]
