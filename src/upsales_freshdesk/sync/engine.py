"""One sync run: Upsales contacts changed since the cursor, onto Freshdesk contacts.

Calls of a run: the Upsales pages of what changed (2000 a page), the Upsales contacts an
earlier run failed to write (by id, 200 a call), the Freshdesk contact list pages (100 a
page, only when there is something to do), and one write per contact whose Freshdesk copy
differs. On an incremental run, the emails about to be written are also checked against
all of Upsales (50 emails a call), since the changed batch is not all of it. Freshdesk is
never asked contact by contact.

A Freshdesk contact linked to an Upsales contact (``rules/contact_link.py``, the link the
card's "Link" keeps) is that contact's, whatever their emails: the index reads the links
from the same list pages, and the link is used before the email. A contact the email
finds but that is linked to another Upsales contact is left alone.

What to do with each contact is decided from the index, before any write; the writes then
run several at a time (:func:`.pool.run_pool`), paced by the Freshdesk client's throttle,
and the checkpoint follows the ids whose every predecessor is done (:class:`.pool.DonePrefix`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clients import (
    Filters,
    FreshdeskClient,
    MalformedResponseError,
    NotFoundError,
    UpsalesClient,
    UpstreamError,
    ValidationError,
    canonical_email,
    is_email,
)
from ..clients.blank import is_blank
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us
from ..rules.contact_link import LinkField
from ..rules.fields import FieldRule, sync_requester
from .owners import Owners
from .pool import DonePrefix, run_pool
from .progress import Pace, Progress
from .report import Outcome, Report
from .state import Run, SyncState

__all__ = ["CHECKPOINT_EVERY", "RETRY_BATCH", "SKEW", "Outcome", "Progress", "Report", "Sync"]

#: The cursor is moved back this much, so that a change made while a run started is seen.
SKEW = timedelta(seconds=5)
CHECKPOINT_EVERY = 25
#: Upsales ids read again per call (``id=eq:1,2,...``).
RETRY_BATCH = 200
#: Writes in flight at most (the throttle paces them; this only bounds the concurrency).
MAX_IN_FLIGHT = 32
SHARED = "email shared by several Upsales contacts"


def upsales_cursor(moment: datetime | None) -> str | None:
    """The cursor as Upsales writes its dates, moved back by the skew."""
    if moment is None:
        return None
    return (moment - SKEW).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _email(contact: us.Contact) -> str | None:
    """The contact's canonical email, or ``None`` when it has no valid one."""
    raw = contact.email or ""
    return canonical_email(raw) if is_email(raw) else None


def _id(contact: fd.Contact | None) -> int | None:
    return None if contact is None else contact.id


def _uncertain(error: UpstreamError) -> bool:
    """A write failure that may pass, or that may not have happened: try it next run."""
    return error.retryable or isinstance(error, NotFoundError | MalformedResponseError)


@dataclass(frozen=True, slots=True)
class Write:
    """A contact to write: an update of ``target`` (``fields`` may be none), or a create."""

    contact: us.Contact
    email: str
    target: fd.Contact | None
    fields: tuple[str, ...]
    #: Found by the link, not the email: no other Upsales contact can claim it.
    linked: bool = False

    @property
    def calls(self) -> bool:
        return self.target is None or bool(self.fields)


Step = tuple[us.Contact, Outcome | Write]


class Sync:
    def __init__(
        self,
        fd_client: FreshdeskClient,
        us_client: UpsalesClient,
        state: SyncState,
        *,
        create_missing: bool = False,
        dry_run: bool = False,
        rule: FieldRule | None = None,
        link: LinkField | None = None,
        list_pace: Callable[[], Awaitable[object]] | None = None,
        progress: Callable[[Progress], None] = lambda progress: None,
        in_flight: int | None = None,
    ) -> None:
        self.freshdesk, self.upsales, self.state = fd_client, us_client, state
        self.list_pace = list_pace
        self.create_missing, self.dry_run = create_missing, dry_run
        self.rule = rule or FieldRule.of(None)
        self.link = link or LinkField()
        #: Upsales id -> the Freshdesk contacts whose link names it (from the list pages).
        self.by_link: dict[int, list[fd.Contact]] = {}
        self.progress = progress
        throttle = fd_client.core.throttle
        #: Writes in flight at most: never more than the budget of one window, nor 32.
        self.in_flight = in_flight or max(1, min(MAX_IN_FLIGHT, throttle.limit))
        #: Upsales id -> Freshdesk id of earlier runs: a linked contact is never created again.
        self.links: dict[int, int] = {}
        #: Upsales ids an earlier run failed to write.
        self.pending: set[int] = set()
        #: Whether the run reads all of Upsales, so the batch shows every shared email.
        self.complete = False
        #: Freshdesk list pages read by the current run (they spend from the same budget).
        self.list_pages = 0
        #: The report of the current run, as far as it got (also when a run stops).
        self.report: Report | None = None

    async def changed(self, run: Run) -> list[us.Contact]:
        since = upsales_cursor(run.since)
        filters = Filters().gte("modDate", since) if since else None
        return [
            c async for c in self.upsales.contacts.iterate(filters, after_id=run.last_upsales_id)
        ]

    async def to_retry(self, exclude: set[int]) -> list[us.Contact]:
        """The contacts an earlier run failed to write, read again by id."""
        self.pending = set(self.state.retries())
        ids = sorted(self.pending - exclude)
        found: list[us.Contact] = []
        for start in range(0, len(ids), RETRY_BATCH):
            batch = ids[start : start + RETRY_BATCH]
            page = await self.upsales.contacts.list(Filters().eq("id", *batch), limit=len(batch))
            found.extend(c for c in page.items if c.id in batch)
        if not self.dry_run:  # gone from Upsales: nothing left to write
            self.state.retried(set(ids) - {c.id for c in found})
        return found

    async def index(self) -> dict[str, list[fd.Contact]]:
        """Freshdesk contacts by every email they have, from the list pages."""

        async def pace() -> None:
            self.list_pages += 1
            if self.list_pace is not None:
                await self.list_pace()

        by_email: dict[str, list[fd.Contact]] = {}
        self.by_link = {}
        async for contact in self.freshdesk.contacts.list(per_page=100, pace=pace):
            for email in {contact.email or "", *contact.other_emails} - {""}:
                by_email.setdefault(email.strip().lower(), []).append(contact)
            if (linked := self.link.linked_id(contact)) is not None:
                self.by_link.setdefault(linked, []).append(contact)
        return by_email

    async def run(self) -> Report:
        run = self.state.begin(dry_run=self.dry_run)
        report = self.report = Report(run.id, run.resumed, self.dry_run, since=run.since)
        changed = await self.changed(run)
        retry = await self.to_retry({c.id for c in changed})
        report.upsales_seen, report.retried = len(changed), len(retry)
        contacts = sorted([*changed, *retry], key=lambda c: c.id)
        if contacts:
            await self.each(run, contacts, report)
        if not self.dry_run:
            self.state.finish(run)
        report.retry_pending = len(self.state.retries())
        return report

    async def each(self, run: Run, contacts: Sequence[us.Contact], report: Report) -> None:
        """Decide every contact, then write, several at a time, checkpointing as it goes."""
        self.links = self.state.links() if self.create_missing else {}  # only creates read it
        self.complete = run.since is None and run.last_upsales_id == 0
        index = await self.index()
        shared = Counter(e for c in contacts if (e := _email(c)))
        steps: list[Step] = [(c, self.decide(c, index, shared)) for c in contacts]
        writes = [w for _, w in steps if isinstance(w, Write) and w.calls]
        check = [] if self.complete else [w.email for w in writes]
        owners = Owners(self.upsales, check)
        throttle = self.freshdesk.core.throttle
        pace = Pace(
            throttle.limit,
            throttle.window,
            0 if self.dry_run else len(writes),
            burst=throttle.burst,
            spent=self.list_pages,
        )
        prefix = DonePrefix([c.id for c in contacts])
        done = 0

        async def work(step: Step) -> None:
            nonlocal done
            contact, todo = step
            outcome = todo if isinstance(todo, Outcome) else await self.apply(todo, owners, pace)
            report.add(outcome, keep=self.dry_run or outcome.action == "failed")
            done += 1
            if not self.dry_run:
                self.remember(outcome)
                prefix.mark(contact.id)
                if done % CHECKPOINT_EVERY == 0 and prefix.checkpoint is not None:
                    self.state.checkpoint(run, prefix.checkpoint)
            self.progress(Progress(done, len(steps), pace.eta(), pace.done, pace.planned))

        try:
            await run_pool(steps, work, self.in_flight)
        finally:
            await owners.close()
            report.plan.sort(key=lambda o: o.upsales_id)
            if not self.dry_run and prefix.checkpoint is not None:
                self.state.checkpoint(run, prefix.checkpoint)  # only what is surely done

    def remember(self, outcome: Outcome) -> None:
        """Keep a failure that may pass for the next run; drop one that is settled."""
        if outcome.retry:
            self.state.retry_later(outcome.upsales_id)
        elif outcome.upsales_id in self.pending:
            self.state.retried([outcome.upsales_id])

    def decide(
        self, contact: us.Contact, index: Mapping[str, list[fd.Contact]], shared: Counter[str]
    ) -> Outcome | Write:
        """What to do with a contact, from what the run has read (no call)."""
        by_link = self.by_link.get(contact.id, [])
        if len(by_link) > 1:
            return Outcome(contact.id, "skipped", "linked from several Freshdesk contacts")
        if by_link:
            fields = tuple(c.field for c in self.rule.changes(by_link[0], contact))
            return Write(contact, _email(contact) or "", by_link[0], fields, linked=True)
        if is_blank(contact.email):
            return Outcome(contact.id, "skipped", "no email")
        email = _email(contact)
        if email is None:
            return Outcome(contact.id, "skipped", "invalid email")
        if shared[email] > 1:
            return Outcome(contact.id, "skipped", SHARED)
        matches = index.get(email, [])
        if len(matches) > 1:
            return Outcome(contact.id, "skipped", "email on several Freshdesk contacts")
        if matches and self.link.linked_id(matches[0]) not in (None, contact.id):
            return Outcome(contact.id, "skipped", "linked to another Upsales contact")
        if matches:
            fields = tuple(c.field for c in self.rule.changes(matches[0], contact))
            return Write(contact, email, matches[0], fields)
        if not self.create_missing:
            return Outcome(contact.id, "skipped", "not in Freshdesk")
        if (linked := self.links.get(contact.id)) is not None:
            # Synced before, under another address: its email changed on one side.
            return Outcome(contact.id, "skipped", "email changed since the last sync", linked)
        return Write(contact, email, None, tuple(self.rule.create_body(contact, email)))

    async def apply(self, write: Write, owners: Owners, pace: Pace) -> Outcome:
        """Make one write, unless another Upsales contact holds the email."""
        contact, target = write.contact, write.target
        if not write.calls:
            if not self.dry_run and target is not None:
                self.state.link(contact.id, target.id)
            return Outcome(contact.id, "unchanged", freshdesk_id=_id(target))
        if not write.linked and not self.complete and await owners.of(write.email) - {contact.id}:
            pace.not_written()
            return Outcome(contact.id, "skipped", SHARED, _id(target))
        if self.dry_run:
            action = "created" if target is None else "updated"
            return Outcome(contact.id, action, freshdesk_id=_id(target), fields=write.fields)
        pace.write_started()
        try:
            if target is None:
                return await self.create(contact, write)
            return await self.update(contact, target, write.fields)
        finally:
            pace.write_done()

    async def update(
        self, contact: us.Contact, target: fd.Contact, fields: tuple[str, ...]
    ) -> Outcome:
        try:
            await sync_requester(self.freshdesk, target, contact, self.rule)
        except ValidationError as e:
            reason = f"Freshdesk refused: {_codes(e)}"
            return Outcome(contact.id, "failed", reason, target.id, fields)
        except UpstreamError as e:
            if not _uncertain(e):
                raise
            return Outcome(contact.id, "failed", f"Freshdesk {e.kind}", target.id, fields, True)
        self.state.link(contact.id, target.id)
        return Outcome(contact.id, "updated", freshdesk_id=target.id, fields=fields)

    async def create(self, contact: us.Contact, write: Write) -> Outcome:
        body = self.rule.create_body(contact, write.email)
        try:
            created = await self.freshdesk.contacts.create(body)
        except ValidationError as e:
            return Outcome(contact.id, "failed", f"Freshdesk refused: {_codes(e)}")
        except UpstreamError as e:
            if not _uncertain(e):
                raise
            # Perhaps created after all: the next run's index finds it and updates it.
            return Outcome(contact.id, "failed", f"Freshdesk {e.kind}", retry=True)
        self.state.link(contact.id, created.id)
        return Outcome(contact.id, "created", freshdesk_id=created.id, fields=write.fields)


def _codes(error: ValidationError) -> str:
    codes = sorted({f"{e.field}:{e.code}" for e in error.field_errors if e.code})
    return ", ".join(codes) or (error.status and str(error.status)) or "validation"
