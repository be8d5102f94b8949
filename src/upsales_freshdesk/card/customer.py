"""The company section of the card, read only when the agent expands it: the account's
other contacts (the first few), the totals of its open deals and of its orders, its
account managers, and the Freshdesk company's recent tickets. Four calls at once, through
the same clients (and so the same throttles and daily counts) as the card.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..clients import Deadline, Filters, FreshdeskClient, UpsalesClient, UpstreamError
from ..rules.codes import Issue, issue_for
from .models import Account, Person
from .shaping import account as account_model

#: Other contacts shown, tickets shown, and the deals read for the totals.
PEOPLE, TICKETS, DEALS = 5, 5, 500
#: Tickets are read back this far (Freshdesk lists 30 days without ``updated_since``).
TICKETS_SINCE = timedelta(days=365)


@dataclass
class TicketRow:
    id: int
    subject: str | None
    status: int | None
    created_at: datetime | None


@dataclass
class Customer:
    account: Account | None = None
    people: list[Person] = field(default_factory=list)
    more_people: int = 0
    #: currency -> (count, sum): open opportunities (1-99 %) and orders (100 %).
    open_deals: dict[str, tuple[int, float]] = field(default_factory=dict)
    orders: dict[str, tuple[int, float]] = field(default_factory=dict)
    tickets: list[TicketRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


async def customer(
    fd_client: FreshdeskClient,
    us_client: UpsalesClient,
    *,
    account_id: int,
    contact_id: int | None,
    freshdesk_company_id: int | None,
    deadline: Deadline,
) -> Customer:
    since = datetime.now(UTC) - TICKETS_SINCE
    calls = await asyncio.gather(
        us_client.accounts.get(account_id, deadline=deadline),
        us_client.contacts.list(
            Filters().eq("client.id", account_id), limit=PEOPLE + 1, sort="name", deadline=deadline
        ),
        us_client.orders.list(
            Filters().eq("client.id", account_id).gte("probability", 1),
            limit=DEALS,
            deadline=deadline,
        ),
        fd_client.tickets.for_company(
            freshdesk_company_id, since=since, per_page=TICKETS, deadline=deadline
        )
        if freshdesk_company_id is not None
        else _nothing(),
        return_exceptions=True,
    )
    account, people, deals, tickets = calls
    if isinstance(account, BaseException):
        raise account  # the section is the account's: without it there is none
    out = Customer(account=account_model(account))
    sources = ("upsales", "upsales", "freshdesk")
    for source, result in zip(sources, calls[1:], strict=True):
        if isinstance(result, UpstreamError):
            out.issues.append(issue_for(source, result))  # type: ignore[arg-type]
        elif isinstance(result, BaseException):
            raise result
    if not isinstance(people, BaseException):
        others = [c for c in people.items if c.id != contact_id]
        out.people = [Person(id=c.id, name=c.name, email=c.email) for c in others[:PEOPLE]]
        out.more_people = max(0, people.total - len(out.people) - (contact_id is not None))
    if not isinstance(deals, BaseException):
        totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for o in deals.items:
            kind = "orders" if o.is_order else "open" if o.is_open_opportunity else None
            if kind is not None:
                totals[kind][o.currency or ""].append(o.value or 0.0)
        out.open_deals = {c: (len(v), sum(v)) for c, v in totals["open"].items()}
        out.orders = {c: (len(v), sum(v)) for c, v in totals["orders"].items()}
    if not isinstance(tickets, BaseException) and tickets is not None:
        out.tickets = [TicketRow(t.id, t.subject, t.status, t.created_at) for t in tickets]
    return out


async def _nothing() -> None:
    return None
