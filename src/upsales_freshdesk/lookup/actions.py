"""Write-back actions an agent starts from the card; the card itself never writes.

- update the Freshdesk contact from Upsales: only the fields the agent picked, and only if
  the Freshdesk contact has not changed since the card was shown;
- create a missing Upsales contact, on an account proposed from the email's domain;
- log the ticket to Upsales as a closed activity, once per ticket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from ..clients import Deadline, Filters, FreshdeskClient, UpsalesClient, email_domain
from ..clients.upsales import models as us
from .fields import DifferenceName, FieldRule, sync_requester

FREE_MAIL = frozenset(
    {
        "gmail.com",
        "hotmail.com",
        "outlook.com",
        "yahoo.com",
        "icloud.com",
        "live.com",
        "telia.com",
        "mail.example",
        "freshmail.example",
    }
)
RECENT_ACTIVITIES = 100


class ActionError(Exception):
    """An action refused before anything was written."""

    def __init__(self, code: Literal["changed", "invalid_request"]) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class UpdateResult:
    applied: tuple[str, ...]


async def update_freshdesk_from_upsales(
    fd: FreshdeskClient,
    ups: UpsalesClient,
    *,
    freshdesk_contact_id: int,
    upsales_contact_id: int,
    fields: Collection[DifferenceName],
    seen_updated_at: datetime | None,
    deadline: Deadline,
    rule: FieldRule,
    clear: Collection[DifferenceName] = (),
) -> UpdateResult:
    """PUT the picked fields' Upsales values on the Freshdesk contact, or refuse whole.

    A picked field whose Upsales value is empty is cleared only if it is also in ``clear``.
    """
    mapped = {p.difference for p, _ in rule.pairs()}
    if not fields or not set(fields) <= mapped or not set(clear) <= set(fields):
        raise ActionError("invalid_request")
    current, source = await asyncio.gather(
        fd.contacts.get(freshdesk_contact_id, deadline=deadline),
        ups.contacts.get(upsales_contact_id, deadline=deadline),
    )
    if seen_updated_at is not None and current.updated_at != seen_updated_at:
        raise ActionError("changed")  # someone edited it since the card: write nothing
    changes = await sync_requester(
        fd, current, source, rule, only=fields, clear=clear, deadline=deadline
    )
    return UpdateResult(tuple(c.difference for c in changes))


@dataclass(frozen=True, slots=True)
class AccountChoice:
    id: int
    name: str | None
    reason: Literal["website", "colleagues", "search"]


async def propose_accounts(
    ups: UpsalesClient, email: str, deadline: Deadline
) -> list[AccountChoice]:
    """Accounts that fit the email's domain: by website, then by colleagues' emails."""
    domain = email_domain(email)
    if domain in FREE_MAIL:
        return []
    by_web, by_colleagues = await asyncio.gather(
        ups.accounts.list(Filters().src("webpage", domain), limit=5, deadline=deadline),
        ups.contacts.list(Filters().src("email", f"@{domain}"), limit=25, deadline=deadline),
    )
    choices: dict[int, AccountChoice] = {}
    for account in by_web.items:
        choices.setdefault(account.id, AccountChoice(account.id, account.name, "website"))
    for contact in by_colleagues.items:
        if contact.client is not None:
            choices.setdefault(
                contact.client.id,
                AccountChoice(contact.client.id, contact.client.name, "colleagues"),
            )
    return list(choices.values())[:5]


async def search_accounts(ups: UpsalesClient, text: str, deadline: Deadline) -> list[AccountChoice]:
    found = await ups.accounts.search(text, limit=10, deadline=deadline)
    return [AccountChoice(a.id, a.name, "search") for a in found]


@dataclass(frozen=True, slots=True)
class NewContact:
    name: str
    email: str
    phone: str | None = None
    title: str | None = None
    account_id: int | None = None
    new_account_name: str | None = None


async def create_upsales_contact(
    ups: UpsalesClient, new: NewContact, deadline: Deadline
) -> us.Contact:
    """Create the contact, on a chosen account or on a new one. Never twice per email."""
    if (new.account_id is None) == (new.new_account_name is None):
        raise ActionError("invalid_request")
    if await ups.contacts.find_by_email(new.email, deadline=deadline):
        raise ActionError("changed")  # it exists now (another agent, or a sync)
    account_id = new.account_id
    if account_id is None:
        account = await ups.accounts.create({"name": new.new_account_name}, deadline=deadline)
        account_id = account.id
    body = {
        "name": new.name,
        "email": new.email,
        "phone": new.phone,
        "title": new.title,
        "client": {"id": account_id},
    }
    return await ups.contacts.create(
        {k: v for k, v in body.items() if v is not None}, deadline=deadline
    )


@dataclass(frozen=True, slots=True)
class LogResult:
    activity_id: int
    created: bool


@dataclass(frozen=True, slots=True)
class TicketRef:
    id: int
    subject: str
    url: str

    @property
    def marker(self) -> str:
        return f"[Freshdesk #{self.id}]"


async def log_ticket(
    ups: UpsalesClient,
    *,
    upsales_contact_id: int,
    ticket: TicketRef,
    deadline: Deadline,
    activity_type_id: int | None = None,
) -> LogResult:
    """A closed activity on the contact and its account; a second log finds the first."""
    contact, recent = await asyncio.gather(
        ups.contacts.get(upsales_contact_id, deadline=deadline),
        ups.activities.list(
            Filters().eq("contact.id", upsales_contact_id),
            limit=RECENT_ACTIVITIES,
            sort="-id",
            deadline=deadline,
        ),
    )
    for activity in recent.items:
        if (activity.description or "").startswith(ticket.marker):
            return LogResult(activity.id, created=False)
    if activity_type_id is None:
        types = await ups.todo_types.list(deadline=deadline)
        activity_type_id = (types.get("TODO") or next(iter(types.values()))).id
    today = datetime.now(UTC).date().isoformat()
    body: dict[str, object] = {
        "description": f"{ticket.marker} {ticket.subject}"[:250],
        "notes": f"Freshdesk ticket #{ticket.id}: {ticket.subject}\n{ticket.url}",
        "date": today,
        "closeDate": today,
        "contacts": [{"id": contact.id}],
        "activityType": {"id": activity_type_id},
    }
    if contact.client is not None:
        body["client"] = {"id": contact.client.id}
    created = await ups.activities.create(body, deadline=deadline)
    return LogResult(created.id, created=True)
