"""The card's Upsales side for a matched contact: its account, its deals and its recent
activities, read in one round of parallel calls, and the side built from what came.

The lookup (``card/lookup.py``) finds the contact; this reads what the card shows of it.
The deals' and activities' filters need only the contact's id, so a linked contact's are
read in the same round as the contact itself; a contact found by email is read with its
account. A failed read is an issue of the lookup's trace and leaves only its own part of
the card empty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..clients import Deadline, Filters, UpsalesClient
from ..clients.upsales import models as us
from ..rules.codes import issue_for
from ..rules.matching import MatchHow
from .links import Links
from .models import Account, UpsalesSide
from .results import Failed, Trace, none
from .shaping import account as account_model
from .shaping import (
    account_from_contact,
    apply_activities,
    apply_deals,
    logged_state,
    upsales_side,
)

DEALS_LIMIT = 30
#: Recent activities read: the card shows them, and finds this ticket's log among them.
ACTIVITIES_LIMIT = 10

#: What runs beside the Upsales reads in the same round: the Freshdesk company's name.
CompanyName = Callable[[], Awaitable[str | None]]


class UpsalesDetails:
    """The Upsales side of one card, for the requester's ``email``; its calls' issues and
    times go to the lookup's ``trace``."""

    def __init__(
        self,
        us_client: UpsalesClient,
        deadline: Deadline,
        trace: Trace,
        email: str,
        links: Links | None = None,
        logged_as: Callable[[us.Activity], bool] | None = None,
    ) -> None:
        self.us = us_client
        self.deadline = deadline
        self.trace = trace
        self.email = email
        self.links = links
        self.logged_as = logged_as

    async def round_two(
        self, contact: us.Contact, how: MatchHow, company_name: CompanyName
    ) -> tuple[UpsalesSide, str | None]:
        """The contact's account (phone, addresses, account managers), deals and recent
        activities at once, and the Freshdesk company's name beside them."""
        account_id = contact.client.id if contact.client else None
        account_call = (
            self.trace.timed(
                "upsales_account", self.us.accounts.get(account_id, deadline=self.deadline)
            )
            if account_id is not None
            else none()
        )
        account, (deals, activities, company) = await asyncio.gather(
            account_call, self.deals_and_activities(contact.id, company_name)
        )
        if isinstance(account, Failed):
            self.trace.issues.append(issue_for("upsales", account.error))
            shown = account_from_contact(contact)
        else:
            shown = account_model(account) if account is not None else None
        return self.side(contact, how, shown, deals, activities), company

    async def deals_and_activities(
        self, contact_id: int, company_name: CompanyName
    ) -> tuple[Any, Any, str | None]:
        """The contact's deals and activities, and the Freshdesk company's name, at once."""
        deals_filter = Filters().eq("contact.id", contact_id).gte("probability", 1)
        calls: list[Awaitable[Any]] = [
            self.trace.timed(
                "upsales_deals",
                self.us.orders.list(
                    deals_filter, limit=DEALS_LIMIT, sort="-date", deadline=self.deadline
                ),
            ),
            self.trace.timed(
                "upsales_activities",
                self.us.activities.list(
                    Filters().eq("contact.id", contact_id),
                    limit=ACTIVITIES_LIMIT,
                    sort="-date",
                    deadline=self.deadline,
                ),
            ),
            company_name(),
        ]
        deals, activities, company = await asyncio.gather(*calls)
        return deals, activities, company

    def side(
        self,
        contact: us.Contact,
        how: MatchHow,
        shown: Account | None,
        deals: Any,
        activities: Any,
    ) -> UpsalesSide:
        """The card's Upsales side: the contact, ``shown`` as its account, its deals and
        activities where they came, its links, and whether this ticket is logged."""
        side = upsales_side(contact, self.email, how)
        side.account = shown
        account_id = contact.client.id if contact.client else None
        if self.links is not None:
            side.link = self.links.contact(contact.id, account_id)
        for result, apply in ((deals, apply_deals), (activities, apply_activities)):
            if isinstance(result, Failed):
                self.trace.issues.append(issue_for("upsales", result.error))
            else:
                apply(side, result.items, self.links)
        if not isinstance(activities, Failed) and self.logged_as is not None:
            side.logged = logged_state(activities.items, self.logged_as)
        return side
