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
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..clients import Deadline, Filters, FreshdeskClient, UpsalesClient, UpstreamError, is_email
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us
from .fields import FieldRule, norm_text
from .issues import Issue, issue_for
from .models import (
    Account,
    ActivityItem,
    Address,
    Candidate,
    Card,
    CardRequest,
    CardResult,
    Deal,
    Difference,
    FreshdeskSide,
    Person,
    Status,
    UpsalesSide,
)

T = TypeVar("T")
MAX_OTHER_EMAILS = 5
DEALS_LIMIT = 30
ACTIVITIES_LIMIT = 5
SHOWN_DEALS = 5


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
        link_for: Callable[[int, int | None], str | None] = lambda c, a: None,
        rule: FieldRule | None = None,
    ) -> None:
        self.req = request
        self.fd = fd_client
        self.us = us_client
        self.deadline = deadline
        self.link_for = link_for
        self.rule = rule or FieldRule.of(None)
        self.issues: list[Issue] = []
        self.timings: dict[str, float] = {}
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
        fd_side, matches, us_failed = await self._round_one()
        card = Card(freshdesk=fd_side)
        if len(matches) > 1:
            card.candidates = [_candidate(c) for c in matches]
            self.issues.append(Issue(source="upsales", code="ambiguous", level="warning"))
        elif len(matches) == 1:
            card.upsales, company = await self._round_two(matches[0], fd_side)
            if fd_side is not None and company is not None:
                fd_side.company = company
        elif not us_failed:
            self.issues.append(Issue(source="upsales", code="not_found", level="warning"))
        self._mark("total", self._started)
        return CardResult(
            status=self._status(card, us_failed),
            card=card,
            differences=differences(card, self.rule),
            errors=self.issues,
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

    async def _round_one(self) -> tuple[FreshdeskSide | None, list[us.Contact], bool]:
        req = self.req
        fd_call = self._fd_contact()
        if req.upsales_contact_id is not None:
            us_call = self._timed("upsales_contact", self._by_id(req.upsales_contact_id))
        else:
            us_call = self._timed(
                "upsales_contact",
                self.us.contacts.find_by_email(req.requester.email, deadline=self.deadline),
            )
        fd_result, us_result = await asyncio.gather(fd_call, us_call)
        fd_side = self._freshdesk_side(fd_result)
        if isinstance(us_result, Failed):
            self.issues.append(issue_for("upsales", us_result.error))
            return fd_side, [], True
        matches = us_result
        if not matches and fd_side is not None:
            matches, failed = await self._other_emails(fd_side)
            if failed:
                return fd_side, [], True
        return fd_side, matches, False

    async def _fd_contact(self) -> fd.Contact | Failed | None:
        if self.req.requester.id is None:
            return None
        return await self._timed(
            "freshdesk_contact", self.fd.contacts.get(self.req.requester.id, deadline=self.deadline)
        )

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
        self, contact: us.Contact, fd_side: FreshdeskSide | None
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
            self._company_name(fd_side),
        ]
        account, deals, activities, company = await asyncio.gather(*calls)
        side = _upsales_side(contact, self.req.requester.email)
        side.link = self.link_for(contact.id, account_id)
        if isinstance(account, Failed):
            self.issues.append(issue_for("upsales", account.error))
            side.account = _account_from_contact(contact)
        elif account is not None:
            side.account = _account(account)
        for result, apply in ((deals, _apply_deals), (activities, _apply_activities)):
            if isinstance(result, Failed):
                self.issues.append(issue_for("upsales", result.error))
            else:
                apply(side, result.items)
        return side, company

    async def _company_name(self, side: FreshdeskSide | None) -> str | None:
        """The Freshdesk company's name, only when the app did not send it."""
        if side is None or side.company is not None or side.company_id is None:
            return None
        result = await self._timed(
            "freshdesk_company", self.fd.companies.get(side.company_id, deadline=self.deadline)
        )
        return None if isinstance(result, Failed) else result.name


async def _none() -> None:
    return None


def _aware(moment: datetime | None) -> datetime | None:
    """Upsales sends some dates without a time zone ("2025-05-22"): read them as UTC, so
    that every timestamp the card gives is RFC 3339."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _candidate(c: us.Contact) -> Candidate:
    return Candidate(
        id=c.id,
        name=c.name,
        email=c.email,
        title=c.title,
        account=c.client.name if c.client else None,
    )


def _upsales_side(c: us.Contact, requested: str) -> UpsalesSide:
    matched = c.email.lower() if c.email else None
    return UpsalesSide(
        id=c.id,
        name=c.name,
        email=c.email,
        title=c.title,
        phone=c.phone,
        cell_phone=c.cellPhone,
        account=_account_from_contact(c),
        matched_email=matched if matched != requested else None,
    )


def _address_text(a: us.Address) -> str:
    parts = [a.address, " ".join(p for p in (a.zipcode, a.city) if p), a.country]
    return ", ".join(p for p in parts if p)


def _managers(users: list[us.UserRef]) -> list[Person]:
    return [Person(id=u.id, name=u.name, email=u.email) for u in users]


def _addresses(addresses: list[us.Address]) -> list[Address]:
    texts = ((a.type, _address_text(a)) for a in addresses)
    return [Address(type=kind, text=text) for kind, text in texts if text]


def _account_from_contact(c: us.Contact) -> Account | None:
    if c.client is None:
        return None
    return Account(
        id=c.client.id,
        name=c.client.name,
        managers=_managers(c.client.users),
        addresses=_addresses(c.client.addresses),
    )


def _account(a: us.Account) -> Account:
    return Account(
        id=a.id,
        name=a.name,
        phone=a.phone,
        webpage=a.webpage,
        managers=_managers(a.users),
        addresses=_addresses(a.addresses),
    )


def _deal(o: us.Order) -> Deal:
    return Deal(
        id=o.id,
        description=o.description,
        stage=o.stage.name if o.stage else None,
        value=o.value,
        currency=o.currency,
        probability=o.probability,
        date=_aware(o.date),
    )


def _apply_deals(side: UpsalesSide, orders: list[us.Order]) -> None:
    side.opportunities = [_deal(o) for o in orders if o.is_open_opportunity][:SHOWN_DEALS]
    side.orders = [_deal(o) for o in orders if o.is_order][:SHOWN_DEALS]


def _apply_activities(side: UpsalesSide, activities: list[us.Activity]) -> None:
    side.activities = [
        ActivityItem(
            id=a.id,
            description=a.description,
            date=_aware(a.date or a.regDate),
            type=a.activityType.name if a.activityType else None,
            closed=a.is_closed,
        )
        for a in activities
    ]


def differences(card: Card, rule: FieldRule) -> list[Difference]:
    """Fields where Freshdesk and Upsales disagree, by the field rule (and the company,
    which the card shows but no action writes). Two empty sides are no difference."""
    f, u = card.freshdesk, card.upsales
    if f is None or u is None:
        return []
    freshdesk = {"name": f.name, "phone": f.phone, "mobile": f.mobile, "job_title": f.job_title}
    upsales = {"name": u.name, "phone": u.phone, "cellPhone": u.cell_phone, "title": u.title}
    found = [
        Difference(field=name, freshdesk=a, upsales=b, clears=not (b or "").strip())
        for name, a, b in rule.differences(freshdesk, upsales)
    ]
    account = u.account.name if u.account else None
    if f.company is not None and norm_text(f.company) != norm_text(account):
        found.append(Difference(field="company", freshdesk=f.company, upsales=account))
    return found
