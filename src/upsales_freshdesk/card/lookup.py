"""The contact-card lookup: two rounds of parallel calls, and nothing stored.

Round 1, in parallel: the requester's Freshdesk contact (fresh, with ``other_emails`` and
the link to its Upsales contact) and the Upsales contact with the requester's email.
Round 2, in parallel:

- for a linked contact (the link wins over any email): the Upsales contact by id, its
  deals and activities at once (their filters need only the id), its account as the
  contact embeds it. A link to a deleted contact is said, and the emails are tried.
- for a single email match: the account (phone, addresses, account managers), the
  contact's deals (open opportunities and orders in one call) and its recent activities.

No match: the ``other_emails``, then the weak steps (``card/suggest.py``: same phone,
same name at the company of the email's domain), which only suggest. A failure of one
upstream never hides what the other gave. Round two's Upsales reads, and the card's
Upsales side built from them, are ``card/details.py``'s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ..clients import (
    Deadline,
    FreshdeskClient,
    NotFoundError,
    UpsalesClient,
    UpstreamError,
    is_email,
)
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us
from ..rules.codes import Issue, Source, issue_for
from ..rules.contact_link import LinkField
from ..rules.fields import FieldRule
from ..rules.matching import MatchHow
from .details import UpsalesDetails
from .links import Links
from .models import Card, CardRequest, CardResult, FreshdeskSide, Status
from .results import Failed, Trace, attempt, differences, kept, one_outage, status_of
from .shaping import account_from_contact, candidate
from .suggest import Requester, suggestions

MAX_OTHER_EMAILS = 5


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
        link: LinkField | None = None,
        region: str = "SE",
    ) -> None:
        self.req = request
        self.fd = fd_client
        self.us = us_client
        self.deadline = deadline
        self.rule = rule or FieldRule.of(None)
        self.link = link or LinkField()
        self.region = region
        #: The issues met and each call's time, this lookup's and its round two's.
        self.trace = Trace()
        #: Round two's Upsales reads for the contact found, and the card's side from them.
        self.details = UpsalesDetails(
            us_client,
            deadline,
            self.trace,
            request.requester.email,
            links=links,
            logged_as=logged_as,
        )
        #: The Freshdesk side as soon as it is known: kept if the whole lookup is cut short.
        self.freshdesk: FreshdeskSide | None = None
        self._started = time.perf_counter()

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
        req = self.req
        card = Card(freshdesk_company_id=req.company.id if req.company else None)
        email_task: asyncio.Future[Any] | None = None
        if req.upsales_contact_id is None:
            email_task = asyncio.ensure_future(
                self.trace.timed(
                    "upsales_contact",
                    self.us.contacts.find_by_email(req.requester.email, deadline=self.deadline),
                )
            )
        try:
            us_failed, company = await self._match(card, fd_task, email_task)
        finally:
            if email_task is not None:
                email_task.cancel()
        await fd_task
        card.freshdesk = self.freshdesk
        if card.freshdesk is not None and company is not None:
            card.freshdesk.company = company
        self.trace.mark("total", self._started)
        status = status_of(card, self.trace.issues, us_failed)
        return CardResult(
            status=status,
            card=card,
            differences=differences(card, self.rule),
            errors=one_outage(status, self.trace.issues),
            timings=self.trace.timings,
        )

    async def _match(
        self,
        card: Card,
        fd_task: asyncio.Future[Any],
        email_task: asyncio.Future[Any] | None,
    ) -> tuple[bool, str | None]:
        """The matching order: the agent's pick, the link, the emails, then suggestions.
        Fills ``card``; answers whether Upsales failed, and the Freshdesk company's name."""
        chosen = self.req.upsales_contact_id
        if chosen is not None:
            result = await self.trace.timed("upsales_contact", self._by_id(chosen))
            if isinstance(result, Failed):
                self.trace.issues.append(issue_for("upsales", result.error))
                return True, None
            return await self._found(card, result[0], "chosen", fd_task)
        # The link comes first: wait for the Freshdesk contact, but never so long that a
        # hanging Freshdesk starves the rest of the deadline.
        await asyncio.wait({fd_task}, timeout=self.deadline.remaining() / 2)
        side = self.freshdesk if fd_task.done() else None
        if side is not None and side.linked_id is not None:
            linked = await self._linked(card, side.linked_id, fd_task)
            if linked is not None:
                return linked
        assert email_task is not None
        matches, us_failed = await self._by_email(email_task, fd_task)
        if us_failed:
            return True, None
        if len(matches) > 1:
            card.candidates = [candidate(c) for c in matches]
            self.trace.issues.append(Issue(source="upsales", code="ambiguous", level="warning"))
            return False, None
        if matches:
            return await self._found(card, matches[0], self._how(matches[0]), fd_task)
        return await self._suggest(card, fd_task), None

    def _how(self, contact: us.Contact) -> MatchHow:
        email = (contact.email or "").lower()
        return "email" if email == self.req.requester.email else "other_email"

    async def _found(
        self, card: Card, contact: us.Contact, how: MatchHow, fd_task: asyncio.Future[Any]
    ) -> tuple[bool, str | None]:
        await asyncio.wait({fd_task}, timeout=self.deadline.remaining() / 2)
        card.upsales, company = await self.details.round_two(
            contact, how, lambda: self._company_name(fd_task)
        )
        return False, company

    async def _linked(
        self, card: Card, upsales_id: int, fd_task: asyncio.Future[Any]
    ) -> tuple[bool, str | None] | None:
        """The linked contact, read in one round with its deals and activities (their
        filters need only its id). ``None`` when it no longer exists: the card says so and
        the emails are tried."""
        contact_call = self.trace.timed(
            "upsales_contact", self.us.contacts.get(upsales_id, deadline=self.deadline)
        )
        details = self.details.deals_and_activities(upsales_id, lambda: self._company_name(fd_task))
        contact, (deals, activities, company) = await asyncio.gather(contact_call, details)
        if isinstance(contact, Failed):
            if isinstance(contact.error, NotFoundError):
                self.trace.issues.append(Issue(source="upsales", code="link_gone", level="warning"))
                return None
            self.trace.issues.append(issue_for("upsales", contact.error))
            return True, None
        shown = account_from_contact(contact)
        card.upsales = self.details.side(contact, "link", shown, deals, activities)
        return False, company

    async def _suggest(self, card: Card, fd_task: asyncio.Future[Any]) -> bool:
        """Steps 4 and 5: suggestions only. Answers whether Upsales failed."""
        await fd_task
        side, r = self.freshdesk, self.req.requester
        phones = (side.phone, side.mobile) if side and side.id else (r.phone, r.mobile)
        person = Requester(r.email, (side.name if side else None) or r.name, kept(phones))
        started = time.perf_counter()
        try:
            found = await suggestions(self.us, person, self.region, self.deadline)
        except UpstreamError as error:
            self.trace.issues.append(issue_for("upsales", error))
            return True
        finally:
            self.trace.mark("upsales_suggestions", started)
        if found is None:
            self.trace.issues.append(Issue(source="upsales", code="not_found", level="warning"))
            return False
        how, contacts = found
        card.candidates = [candidate(c, how) for c in contacts]
        self.trace.issues.append(Issue(source="upsales", code="suggested", level="warning"))
        return False

    async def _by_email(
        self, email_task: asyncio.Future[Any], fd_task: asyncio.Future[Any]
    ) -> tuple[list[us.Contact], bool]:
        """Steps 2 and 3: the primary email, then the Freshdesk contact's other emails."""
        us_result = await email_task
        if isinstance(us_result, Failed):
            self.trace.issues.append(issue_for("upsales", us_result.error))
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
        result = await self.trace.timed(
            "freshdesk_contact", self.fd.contacts.get(self.req.requester.id, deadline=self.deadline)
        )
        self.freshdesk = self._freshdesk_side(result)
        return result

    def cut_short(self) -> CardResult:
        """What is known when the lookup had to stop at the card's deadline: the Freshdesk
        side if it came, and a timeout for what did not."""
        self.trace.mark("total", self._started)
        source: Source = "upsales" if self.freshdesk is not None else "service"
        issues = [*self.trace.issues, Issue(source=source, code="timeout")]
        card = Card(freshdesk=self.freshdesk)
        status: Status = "partial" if self.freshdesk is not None else "error"
        return CardResult(status=status, card=card, errors=issues, timings=self.trace.timings)

    async def _by_id(self, contact_id: int) -> list[us.Contact]:
        return [await self.us.contacts.get(contact_id, deadline=self.deadline)]

    def _freshdesk_side(self, result: fd.Contact | Failed | None) -> FreshdeskSide | None:
        r = self.req.requester
        company = self.req.company.name if self.req.company else None
        if isinstance(result, Failed):
            self.trace.issues.append(issue_for("freshdesk", result.error))
            return None
        link = self.link.read(result) if result is not None else None
        if result is None or link is None:  # no contact id given: what the app sent is all
            return FreshdeskSide(  # we know
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
            linked_id=link.upsales_id,
            link_foreign=link.foreign,
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
        self.trace.mark("upsales_other_emails", started)
        found: dict[int, us.Contact] = {}
        for result in results:
            if isinstance(result, Failed):
                self.trace.issues.append(issue_for("upsales", result.error))
                return [], True
            found.update((c.id, c) for c in result)
        return list(found.values()), False

    async def _company_name(self, fd_task: asyncio.Future[Any]) -> str | None:
        """The Freshdesk company's name, only when the app did not send it."""
        await fd_task
        side = self.freshdesk
        if side is None or side.company is not None or side.company_id is None:
            return None
        result = await self.trace.timed(
            "freshdesk_company", self.fd.companies.get(side.company_id, deadline=self.deadline)
        )
        return None if isinstance(result, Failed) else result.name
