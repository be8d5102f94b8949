"""The contact-card lookup: two rounds of parallel calls, and nothing stored.

Round 1, in parallel: the requester's Freshdesk contact (fresh, with ``other_emails``)
and the Upsales contact with the requester's email. If nothing matches, the
``other_emails`` are tried. Round 2, in parallel, for a single match: the account
(phone, addresses, account managers), the contact's deals (open opportunities and
orders in one call) and its recent activities. A failure of one upstream never hides
what the other gave.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..clients import Deadline, Filters, FreshdeskClient, UpsalesClient, UpstreamError, is_email
from ..clients.blank import is_blank
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us
from ..rules.codes import Issue, Source, issue_for
from ..rules.fields import FieldRule, norm_text
from .links import Links
from .models import (
    Card,
    CardRequest,
    CardResult,
    Difference,
    FreshdeskSide,
    Status,
    UpsalesSide,
)
from .shaping import account as account_model
from .shaping import (
    account_from_contact,
    apply_activities,
    apply_deals,
    candidate,
    logged_state,
    upsales_side,
)

T = TypeVar("T")
MAX_OTHER_EMAILS = 5
DEALS_LIMIT = 30
#: Recent activities read: the card shows them, and finds this ticket's log among them.
ACTIVITIES_LIMIT = 10


class Failed:
    """A call that failed, kept as a value so the other results still count."""

    def __init__(self, error: UpstreamError) -> None:
        self.error = error


async def attempt(call: Awaitable[T]) -> T | Failed:
    try:
        return await call
    except UpstreamError as error:
        return Failed(error)


class CardLookup:
    """One card for one request. Holds nothing after :meth:`run` returns."""

    def __init__(
        self,
        request: CardRequest,
        fd_client: FreshdeskClient,
        us_client: UpsalesClient,
        deadline: Deadline,
        links: Links | None = None,
        logged_as: Callable[[us.Activity], bool] | None = None,
        rule: FieldRule | None = None,
    ) -> None:
        self.req = request
        self.fd = fd_client
        self.us = us_client
        self.deadline = deadline
        self.links = links
        self.logged_as = logged_as
        self.rule = rule or FieldRule.of(None)
        self.issues: list[Issue] = []
        self.timings: dict[str, float] = {}
        #: The Freshdesk side as soon as it is known: kept if the whole lookup is cut short.
        self.freshdesk: FreshdeskSide | None = None
        self._started = time.perf_counter()

    def _mark(self, name: str, since: float) -> None:
        self.timings[name] = round((time.perf_counter() - since) * 1000, 1)

    async def _timed(self, name: str, call: Awaitable[T]) -> T | Failed:
        started = time.perf_counter()
        try:
            return await attempt(call)
        finally:
            self._mark(name, started)

    async def run(self) -> CardResult:
        """The Freshdesk contact and the Upsales lookup start together. Round two starts when
        both have answered, or when half the time left has passed with Freshdesk still out:
        a hanging Freshdesk then cannot starve round two of the deadline."""
        fd_task = asyncio.ensure_future(self._fd_contact())
        try:
            return await self._run(fd_task)
        finally:
            fd_task.cancel()  # only if the whole lookup was cut short

    async def _run(self, fd_task: asyncio.Future[Any]) -> CardResult:
        matches, us_failed = await self._round_one(fd_task)
        card = Card()
        company: str | None = None
        if len(matches) > 1:
            card.candidates = [candidate(c) for c in matches]
            self.issues.append(Issue(source="upsales", code="ambiguous", level="warning"))
        elif len(matches) == 1:
            await asyncio.wait({fd_task}, timeout=self.deadline.remaining() / 2)
            card.upsales, company = await self._round_two(matches[0], fd_task)
        elif not us_failed:
            self.issues.append(Issue(source="upsales", code="not_found", level="warning"))
        await fd_task
        card.freshdesk = self.freshdesk
        if card.freshdesk is not None and company is not None:
            card.freshdesk.company = company
        self._mark("total", self._started)
        status = self._status(card, us_failed)
        return CardResult(
            status=status,
            card=card,
            differences=differences(card, self.rule),
            errors=_one_outage(status, self.issues),
            timings=self.timings,
        )

    def _status(self, card: Card, us_failed: bool) -> Status:
        hard = [i for i in self.issues if i.level == "error"]
        if card.freshdesk is None and us_failed:
            return "error"
        if hard:
            return "partial"
        if card.candidates:
            return "ambiguous"
        return "found" if card.upsales else "not_found"

    async def _round_one(self, fd_task: asyncio.Future[Any]) -> tuple[list[us.Contact], bool]:
        req = self.req
        if req.upsales_contact_id is not None:
            us_result = await self._timed("upsales_contact", self._by_id(req.upsales_contact_id))
        else:
            us_result = await self._timed(
                "upsales_contact",
                self.us.contacts.find_by_email(req.requester.email, deadline=self.deadline),
            )
        if isinstance(us_result, Failed):
            self.issues.append(issue_for("upsales", us_result.error))
            return [], True
        if us_result:
            return us_result, False
        await fd_task  # no match: the Freshdesk contact's other emails may have one
        if self.freshdesk is None:
            return [], False
        matches, failed = await self._other_emails(self.freshdesk)
        return ([], True) if failed else (matches, False)

    async def _fd_contact(self) -> fd.Contact | Failed | None:
        if self.req.requester.id is None:
            self.freshdesk = self._freshdesk_side(None)
            return None
        result = await self._timed(
            "freshdesk_contact", self.fd.contacts.get(self.req.requester.id, deadline=self.deadline)
        )
        self.freshdesk = self._freshdesk_side(result)
        return result

    def cut_short(self) -> CardResult:
        """What is known when the lookup had to stop at the card's deadline: the Freshdesk
        side if it came, and a timeout for what did not."""
        self._mark("total", self._started)
        source: Source = "upsales" if self.freshdesk is not None else "service"
        issues = [*self.issues, Issue(source=source, code="timeout")]
        card = Card(freshdesk=self.freshdesk)
        status: Status = "partial" if self.freshdesk is not None else "error"
        return CardResult(status=status, card=card, errors=issues, timings=self.timings)

    async def _by_id(self, contact_id: int) -> list[us.Contact]:
        return [await self.us.contacts.get(contact_id, deadline=self.deadline)]

    def _freshdesk_side(self, result: fd.Contact | Failed | None) -> FreshdeskSide | None:
        r = self.req.requester
        company = self.req.company.name if self.req.company else None
        if isinstance(result, Failed):
            self.issues.append(issue_for("freshdesk", result.error))
            return None
        if result is None:  # no contact id given: what the app sent is all we know
            return FreshdeskSide(
                name=r.name, email=r.email, phone=r.phone, mobile=r.mobile, company=company
            )
        return FreshdeskSide(
            id=result.id,
            name=result.name,
            email=result.email or r.email,
            other_emails=result.other_emails,
            phone=result.phone,
            mobile=result.mobile,
            job_title=result.job_title,
            company_id=result.company_id,
            company=company,
            updated_at=result.updated_at,
        )

    async def _other_emails(self, side: FreshdeskSide) -> tuple[list[us.Contact], bool]:
        others = [
            e.lower()
            for e in side.other_emails
            if e.lower() != self.req.requester.email and is_email(e)
        ]
        others = list(dict.fromkeys(others))[:MAX_OTHER_EMAILS]
        if not others:
            return [], False
        started = time.perf_counter()
        results = await asyncio.gather(
            *(attempt(self.us.contacts.find_by_email(e, deadline=self.deadline)) for e in others)
        )
        self._mark("upsales_other_emails", started)
        found: dict[int, us.Contact] = {}
        for result in results:
            if isinstance(result, Failed):
                self.issues.append(issue_for("upsales", result.error))
                return [], True
            found.update((c.id, c) for c in result)
        return list(found.values()), False

    async def _round_two(
        self, contact: us.Contact, fd_task: asyncio.Future[Any]
    ) -> tuple[UpsalesSide, str | None]:
        account_id = contact.client.id if contact.client else None
        deals_filter = Filters().eq("contact.id", contact.id).gte("probability", 1)
        calls: list[Awaitable[Any]] = [
            self._timed("upsales_account", self.us.accounts.get(account_id, deadline=self.deadline))
            if account_id is not None
            else _none(),
            self._timed(
                "upsales_deals",
                self.us.orders.list(
                    deals_filter, limit=DEALS_LIMIT, sort="-date", deadline=self.deadline
                ),
            ),
            self._timed(
                "upsales_activities",
                self.us.activities.list(
                    Filters().eq("contact.id", contact.id),
                    limit=ACTIVITIES_LIMIT,
                    sort="-date",
                    deadline=self.deadline,
                ),
            ),
            self._company_name(fd_task),
        ]
        account, deals, activities, company = await asyncio.gather(*calls)
        side = upsales_side(contact, self.req.requester.email)
        if self.links is not None:
            side.link = self.links.contact(contact.id, account_id)
        if isinstance(account, Failed):
            self.issues.append(issue_for("upsales", account.error))
            side.account = account_from_contact(contact)
        elif account is not None:
            side.account = account_model(account)
        for result, apply in ((deals, apply_deals), (activities, apply_activities)):
            if isinstance(result, Failed):
                self.issues.append(issue_for("upsales", result.error))
            else:
                apply(side, result.items, self.links)
        if not isinstance(activities, Failed) and self.logged_as is not None:
            side.logged = logged_state(activities.items, self.logged_as)
        return side, company

    async def _company_name(self, fd_task: asyncio.Future[Any]) -> str | None:
        """The Freshdesk company's name, only when the app did not send it."""
        await fd_task
        side = self.freshdesk
        if side is None or side.company is not None or side.company_id is None:
            return None
        result = await self._timed(
            "freshdesk_company", self.fd.companies.get(side.company_id, deadline=self.deadline)
        )
        return None if isinstance(result, Failed) else result.name


DOWN = frozenset({"unavailable", "timeout"})


def _one_outage(status: Status, issues: list[Issue]) -> list[Issue]:
    """Both upstreams down is one message, not one per upstream over an empty card."""
    sources = {i.source for i in issues if i.code in DOWN}
    if status == "error" and {"freshdesk", "upsales"} <= sources:
        rest = [i for i in issues if i.code not in DOWN]
        return [Issue(source="service", code="upstreams_down"), *rest]
    return issues


async def _none() -> None:
    return None


def differences(card: Card, rule: FieldRule) -> list[Difference]:
    """Fields where Freshdesk and Upsales disagree, by the field rule (and the company,
    which the card shows but no action writes). Two empty sides are no difference."""
    f, u = card.freshdesk, card.upsales
    if f is None or u is None:
        return []
    freshdesk = {"name": f.name, "phone": f.phone, "mobile": f.mobile, "job_title": f.job_title}
    upsales = {"name": u.name, "phone": u.phone, "cellPhone": u.cell_phone, "title": u.title}
    found = [
        Difference(field=name, freshdesk=a, upsales=b, clears=is_blank(b))
        for name, a, b in rule.differences(freshdesk, upsales)
    ]
    account = u.account.name if u.account else None
    if f.company is not None and norm_text(f.company) != norm_text(account):
        found.append(Difference(field="company", freshdesk=f.company, upsales=account))
    return found
