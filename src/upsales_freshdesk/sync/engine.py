"""One sync run: Upsales contacts changed since the cursor, onto Freshdesk contacts.

Calls of a run: the Upsales pages of what changed (2000 a page), the Upsales contacts an
earlier run failed to write (by id, 200 a call), the Freshdesk contact list pages (100 a
page, only when there is something to do), and one write per contact whose Freshdesk copy
differs. On an incremental run, each email about to be written is also checked against
all of Upsales (one filtered call per email), since the changed batch is not all of it.
Freshdesk is never asked contact by contact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
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
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us
from ..lookup.fields import FieldRule, sync_requester
from .report import Outcome, Report
from .state import Run, SyncState

__all__ = ["CHECKPOINT_EVERY", "RETRY_BATCH", "SKEW", "Outcome", "Report", "Sync"]

#: The cursor is moved back this much, so that a change made while a run started is seen.
SKEW = timedelta(seconds=5)
CHECKPOINT_EVERY = 25
#: Upsales ids read again per call (``id=eq:1,2,...``).
RETRY_BATCH = 200
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


def _uncertain(error: UpstreamError) -> bool:
    """A write failure that may pass, or that may not have happened: try it next run."""
    return error.retryable or isinstance(error, NotFoundError | MalformedResponseError)


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
        list_pace: Callable[[], Awaitable[object]] | None = None,
        progress: Callable[[int, int], None] = lambda done, total: None,
    ) -> None:
        self.freshdesk, self.upsales, self.state = fd_client, us_client, state
        self.list_pace = list_pace
        self.create_missing, self.dry_run = create_missing, dry_run
        self.rule = rule or FieldRule.of(None)
        self.progress = progress
        #: Upsales id -> Freshdesk id of earlier runs: a linked contact is never created again.
        self.links: dict[int, int] = {}
        #: Upsales ids an earlier run failed to write.
        self.pending: set[int] = set()
        #: Whether the run reads all of Upsales, so the batch shows every shared email.
        self.complete = False
        #: Canonical email -> Upsales ids that hold it (incremental runs, asked once each).
        self.owners: dict[str, set[int]] = {}
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
        by_email: dict[str, list[fd.Contact]] = {}
        async for contact in self.freshdesk.contacts.list(per_page=100, pace=self.list_pace):
            for email in {contact.email or "", *contact.other_emails} - {""}:
                by_email.setdefault(email.strip().lower(), []).append(contact)
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
        """Every contact in id order, checkpointing as it goes (not on a dry run)."""
        self.links = self.state.links()
        self.complete = run.since is None and run.last_upsales_id == 0
        index = await self.index()
        shared = Counter(e for c in contacts if (e := _email(c)))
        for done, contact in enumerate(contacts, 1):
            outcome = await self.one(contact, index, shared)
            report.add(outcome, keep=self.dry_run or outcome.action == "failed")
            if not self.dry_run:
                self.remember(outcome)
                if done % CHECKPOINT_EVERY == 0 or done == len(contacts):
                    self.state.checkpoint(run, contact.id)
            self.progress(done, len(contacts))

    def remember(self, outcome: Outcome) -> None:
        """Keep a failure that may pass for the next run; drop one that is settled."""
        if outcome.retry:
            self.state.retry_later(outcome.upsales_id)
        elif outcome.upsales_id in self.pending:
            self.state.retried([outcome.upsales_id])

    async def one(
        self, contact: us.Contact, index: Mapping[str, list[fd.Contact]], shared: Counter[str]
    ) -> Outcome:
        if not (contact.email or "").strip():
            return Outcome(contact.id, "skipped", "no email")
        email = _email(contact)
        if email is None:
            return Outcome(contact.id, "skipped", "invalid email")
        if shared[email] > 1:
            return Outcome(contact.id, "skipped", SHARED)
        matches = index.get(email, [])
        if len(matches) > 1:
            return Outcome(contact.id, "skipped", "email on several Freshdesk contacts")
        if not matches:
            return await self.create(contact, email)
        return await self.update(contact, email, matches[0])

    async def shared_in_upsales(self, contact: us.Contact, email: str) -> bool:
        """Whether another Upsales contact has the email (asked only on incremental runs)."""
        if self.complete:
            return False  # the batch is all of Upsales: the count above saw every holder
        if email not in self.owners:
            found = await self.upsales.contacts.find_by_email(email)
            self.owners[email] = {c.id for c in found}
        return bool(self.owners[email] - {contact.id})

    async def update(self, contact: us.Contact, email: str, target: fd.Contact) -> Outcome:
        planned = self.rule.changes(target, contact)
        fields = tuple(c.field for c in planned)
        if planned and await self.shared_in_upsales(contact, email):
            return Outcome(contact.id, "skipped", SHARED, target.id)
        try:
            await sync_requester(self.freshdesk, target, contact, self.rule, dry_run=self.dry_run)
        except ValidationError as e:
            reason = f"Freshdesk refused: {_codes(e)}"
            return Outcome(contact.id, "failed", reason, target.id, fields)
        except UpstreamError as e:
            if not _uncertain(e):
                raise
            return Outcome(contact.id, "failed", f"Freshdesk {e.kind}", target.id, fields, True)
        if not self.dry_run:
            self.state.link(contact.id, target.id)
        if not planned:
            return Outcome(contact.id, "unchanged", freshdesk_id=target.id)
        return Outcome(contact.id, "updated", freshdesk_id=target.id, fields=fields)

    async def create(self, contact: us.Contact, email: str) -> Outcome:
        if not self.create_missing:
            return Outcome(contact.id, "skipped", "not in Freshdesk")
        if (linked := self.links.get(contact.id)) is not None:
            # Synced before, under another address: its email changed on one side.
            return Outcome(contact.id, "skipped", "email changed since the last sync", linked)
        if await self.shared_in_upsales(contact, email):
            return Outcome(contact.id, "skipped", SHARED)
        body = self.rule.create_body(contact, email)
        if self.dry_run:
            return Outcome(contact.id, "created", fields=tuple(body))
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
        return Outcome(contact.id, "created", freshdesk_id=created.id, fields=tuple(body))


def _codes(error: ValidationError) -> str:
    codes = sorted({f"{e.field}:{e.code}" for e in error.field_errors if e.code})
    return ", ".join(codes) or (error.status and str(error.status)) or "validation"
