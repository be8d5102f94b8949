"""One ticket event: read the ticket as it is now, and make its one Upsales activity
show it. Run by the job queue, one job per ticket at a time, so events may arrive twice,
late or out of order: the ticket's own ``updated_at`` decides, never the event."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from ..actions.activity_types import activity_type_id
from ..actions.create import NewContact, create_upsales_contact, propose_accounts
from ..actions.errors import ActionError
from ..actions.log import TicketRef
from ..actions.uncertain import create_activity, recent_activity
from ..clients import (
    Deadline,
    Filters,
    FreshdeskClient,
    NotFoundError,
    UpsalesClient,
    canonical_email,
    is_email,
)
from ..clients.blank import present
from ..clients.freshdesk.models import Ticket
from ..clients.upsales import models as us
from ..rules.contact_link import LinkField
from ..rules.logged import timeline_stamp
from .config import TimelineSettings
from .links import Link, Links
from .shape import activity_body, digest, is_done, stamp_of

#: A job's calls must be done within this; a throttle that would make it wait longer
#: ends the try, and the queue tries again later.
JOB_SECONDS = 60.0
#: Activities searched for the ticket's marker on any contact.
RECENT = 100
#: Agents' names and the activity type are read again after this long.
CACHE_SECONDS = 600.0

Status = Literal["created", "updated", "unchanged", "skipped"]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    #: Why a ticket was skipped (words for the operator's log, never contact data).
    reason: str | None = None


def _skip(reason: str) -> Outcome:
    return Outcome("skipped", reason)


class TicketLogger:
    """Keeps each ticket's activity. ``links`` remembers ticket -> activity (ids only)."""

    def __init__(
        self,
        settings: TimelineSettings,
        links: Links,
        *,
        activity_type: str | None = None,
        creating: Callable[[str], AbstractAsyncContextManager[object]] | None = None,
        link: LinkField | None = None,
    ) -> None:
        self.settings, self.links = settings, links
        #: Where the requester's link to its Upsales contact is kept: used before the email.
        self.link = link or LinkField()
        #: One creation of a missing requester at a time per email (by its hash): two
        #: tickets of a new requester must not make two Upsales contacts.
        self.creating = creating or _local_locks()
        self.activity_type = settings.activity_type or activity_type
        self._agents: dict[int, tuple[str | None, float]] = {}
        self._type: tuple[int, float] | None = None

    async def log(
        self, fd: FreshdeskClient, ups: UpsalesClient, host: str, ticket_id: int
    ) -> Outcome:
        deadline = Deadline.after(JOB_SECONDS)
        try:
            # Without include=requester: an include costs one more credit, and an update
            # (most events) needs no requester; the creation reads the contact instead.
            ticket = await fd.tickets.get(ticket_id, deadline=deadline)
        except NotFoundError:
            return _skip("ticket not found")
        if (why := self.excluded(ticket)) is not None:
            return _skip(why)
        ref = TicketRef(host, ticket.id, ticket.subject or "")
        stamp = stamp_of(ticket)
        link = await self.links.get(host, ticket.id)
        if link is not None:
            if link.stamp > stamp or self.settings.when == "created":
                return Outcome("unchanged")
            body = await self._body(fd, ups, ref, ticket, None, deadline)
            shown = digest(body["description"], body["notes"])
            if link.stamp == stamp and link.digest == shown:
                return Outcome("unchanged")  # a replay, or an older event of this state
            try:
                await ups.activities.update(link.activity_id, body, deadline=deadline)
            except NotFoundError:
                pass  # deleted in Upsales: found again (or written anew) below
            else:
                await self.links.put(host, ticket.id, Link(link.activity_id, stamp, shown))
                return Outcome("updated")
        contact = await self._contact(fd, ups, ticket, deadline)
        if isinstance(contact, Outcome):
            return contact
        found = await recent_activity(ups, contact.id, ref.logged_in, deadline)
        if found is None:  # the requester changed while the link was lost: by the marker
            found = await self._find_anywhere(ups, ref, deadline)
        if found is not None:
            kept = timeline_stamp(found)
            now_shown = digest(found.description, found.notes)
            if (kept is not None and kept > stamp) or self.settings.when == "created":
                await self.links.put(host, ticket.id, Link(found.id, kept or stamp, now_shown))
                return Outcome("unchanged")
            body = await self._body(fd, ups, ref, ticket, contact, deadline)
            shown = digest(body["description"], body["notes"])
            if kept == stamp and now_shown == shown:
                await self.links.put(host, ticket.id, Link(found.id, stamp, shown))
                return Outcome("unchanged")
            await ups.activities.update(found.id, body, deadline=deadline)
            await self.links.put(host, ticket.id, Link(found.id, stamp, shown))
            return Outcome("updated")
        if self.settings.when == "resolved" and not is_done(ticket):
            return _skip("not resolved yet")
        body = await self._body(fd, ups, ref, ticket, contact, deadline)
        activity_id = await create_activity(ups, body, contact.id, ref.logged_in, deadline)
        shown = digest(body["description"], body["notes"])
        await self.links.put(host, ticket.id, Link(activity_id, stamp, shown))
        return Outcome("created")

    def excluded(self, ticket: Ticket) -> str | None:
        """Why the settings keep this ticket off the timeline, or None."""
        s = self.settings
        if ticket.spam or ticket.deleted:
            return "spam or deleted"
        group = str(ticket.group_id) if ticket.group_id is not None else ""
        if group in s.exclude_groups or (s.include_groups and group not in s.include_groups):
            return "group"
        kind = (ticket.type or "").casefold()
        if kind in s.exclude_types or (s.include_types and kind not in s.include_types):
            return "type"
        tags = {t.casefold() for t in ticket.tags}
        if tags & s.exclude_tags or (s.include_tags and not tags & s.include_tags):
            return "tags"
        return None

    async def _contact(
        self, fd: FreshdeskClient, ups: UpsalesClient, ticket: Ticket, deadline: Deadline
    ) -> us.Contact | Outcome:
        if ticket.requester_id is None:
            return _skip("no requester")
        try:
            requester = await fd.contacts.get(ticket.requester_id, deadline=deadline)
        except NotFoundError:
            return _skip("no requester")
        if (linked := self.link.linked_id(requester)) is not None:
            try:
                return await ups.contacts.get(linked, deadline=deadline)
            except NotFoundError:
                pass  # the linked contact was deleted: the email decides, as on the card
        email = present(requester.email)
        if email is None or not is_email(email):
            return _skip("no requester email")
        matches = await ups.contacts.find_by_email(email, deadline=deadline)
        if len(matches) > 1:
            return _skip("several Upsales contacts")
        if matches:
            return matches[0]
        if self.settings.missing_requester == "skip":
            return _skip("not in Upsales")
        if self.settings.when == "resolved" and not is_done(ticket):
            return _skip("not resolved yet")  # created only once it is to be logged
        accounts = await propose_accounts(ups, email, deadline)
        if len(accounts) != 1:
            return _skip("no single account for the email's domain")
        new = NewContact(
            name=present(requester.name) or email,
            email=canonical_email(email),
            phone=present(requester.phone),
            cell_phone=present(requester.mobile),
            account_id=accounts[0].id,
        )
        digest = hashlib.sha256(canonical_email(email).encode()).hexdigest()[:32]
        async with self.creating(digest):
            try:
                return await create_upsales_contact(ups, new, deadline)
            except ActionError:  # created meanwhile (another ticket, an agent, the sync)
                again = await ups.contacts.find_by_email(email, deadline=deadline)
                return again[0] if len(again) == 1 else _skip("several Upsales contacts")

    async def _find_anywhere(
        self, ups: UpsalesClient, ref: TicketRef, deadline: Deadline
    ) -> us.Activity | None:
        """The ticket's activity on any contact, by its marker (Upsales' substring filter
        on the description; each hit checked by :meth:`TicketRef.logged_in`)."""
        hits = await ups.activities.list(
            Filters().src("description", ref.marker), limit=RECENT, sort="-id", deadline=deadline
        )
        return next((a for a in hits.items if ref.logged_in(a)), None)

    async def _body(
        self,
        fd: FreshdeskClient,
        ups: UpsalesClient,
        ref: TicketRef,
        ticket: Ticket,
        contact: us.Contact | None,
        deadline: Deadline,
    ) -> dict[str, object]:
        agent = await self._agent(fd, ticket.responder_id, deadline)
        lines = self.settings.description_lines if self.settings.send_description else None
        type_id = await self._type_id(ups, deadline)
        body = activity_body(
            ref,
            ticket,
            contact or us.Contact(id=0),
            type_id,
            agent=agent,
            description_lines=lines,
            locale=self.settings.language,
        )
        if contact is None:  # an update: the activity keeps its contact and account
            for key in ("contacts", "client"):
                body.pop(key, None)
        return body

    async def _agent(
        self, fd: FreshdeskClient, agent_id: int | None, deadline: Deadline
    ) -> str | None:
        if agent_id is None:
            return None
        cached = self._agents.get(agent_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            name = present((await fd.agents.get(agent_id, deadline=deadline)).contact.name)
        except NotFoundError:
            name = None
        self._agents[agent_id] = (name, time.monotonic() + CACHE_SECONDS)
        return name

    async def _type_id(self, ups: UpsalesClient, deadline: Deadline) -> int:
        if self._type is not None and self._type[1] > time.monotonic():
            return self._type[0]
        try:
            chosen = await activity_type_id(ups, self.activity_type, deadline=deadline)
        except ActionError:
            raise ValueError("UFD_TIMELINE_ACTIVITY_TYPE names no Upsales activity type") from None
        self._type = (chosen, time.monotonic() + CACHE_SECONDS)
        return chosen


def _local_locks() -> Callable[[str], AbstractAsyncContextManager[object]]:
    """In-process locks by name, dropped when nobody holds or awaits them."""
    locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(name: str) -> AsyncIterator[object]:
        lock, users = locks.get(name) or (asyncio.Lock(), 0)
        locks[name] = (lock, users + 1)
        try:
            async with lock:
                yield lock
        finally:
            lock, users = locks[name]
            if users == 1:
                del locks[name]
            else:
                locks[name] = (lock, users - 1)

    return hold
