"""One sync run: Upsales contacts changed since the cursor, onto Freshdesk contacts.

Calls of a run: the Upsales pages of what changed (2000 a page), the Freshdesk contact
list pages (100 a page, only when something changed), and one write per contact whose
Freshdesk copy differs. Freshdesk is never asked contact by contact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..clients import (
    Filters,
    FreshdeskClient,
    UpsalesClient,
    UpstreamError,
    ValidationError,
    is_email,
)
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us
from ..lookup.fields import FieldRule, sync_requester
from .state import Run, SyncState

#: The cursor is moved back this much, so that a change made while a run started is seen.
SKEW = timedelta(seconds=5)
CHECKPOINT_EVERY = 25


@dataclass
class Outcome:
    upsales_id: int
    action: str  # created, updated, unchanged, skipped, failed
    reason: str | None = None
    freshdesk_id: int | None = None
    fields: tuple[str, ...] = ()


@dataclass
class Report:
    run_id: int
    resumed: bool
    dry_run: bool
    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    plan: list[Outcome] = field(default_factory=list)
    upsales_seen: int = 0

    def add(self, outcome: Outcome, keep: bool) -> None:
        self.counts[outcome.action] += 1
        if outcome.reason:
            self.reasons[f"{outcome.action}: {outcome.reason}"] += 1
        if keep:
            self.plan.append(outcome)

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "resumed": self.resumed,
            "dry_run": self.dry_run,
            "upsales_changed": self.upsales_seen,
            "counts": {
                k: self.counts.get(k, 0)
                for k in ("created", "updated", "unchanged", "skipped", "failed")
            },
            "reasons": dict(self.reasons),
            "plan": [
                {
                    "upsales_id": o.upsales_id,
                    "action": o.action,
                    "reason": o.reason,
                    "freshdesk_id": o.freshdesk_id,
                    "fields": list(o.fields),
                }
                for o in self.plan
            ],
        }


def upsales_cursor(moment: datetime | None) -> str | None:
    """The cursor as Upsales writes its dates, moved back by the skew."""
    if moment is None:
        return None
    return (moment - SKEW).strftime("%Y-%m-%dT%H:%M:%S.000Z")


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

    async def changed(self, run: Run) -> list[us.Contact]:
        since = upsales_cursor(run.since)
        filters = Filters().gte("modDate", since) if since else None
        return [
            c async for c in self.upsales.contacts.iterate(filters, after_id=run.last_upsales_id)
        ]

    async def index(self) -> dict[str, list[fd.Contact]]:
        """Freshdesk contacts by every email they have, from the list pages."""
        by_email: dict[str, list[fd.Contact]] = {}
        async for contact in self.freshdesk.contacts.list(per_page=100, pace=self.list_pace):
            for email in {contact.email or "", *contact.other_emails} - {""}:
                by_email.setdefault(email.lower(), []).append(contact)
        return by_email

    async def run(self) -> Report:
        run = self.state.begin()
        report = Report(run.id, run.resumed, self.dry_run)
        changed = await self.changed(run)
        report.upsales_seen = len(changed)
        if changed:
            self.links = self.state.links()
            index = await self.index()
            shared = Counter((c.email or "").lower() for c in changed if c.email)
            for done, contact in enumerate(sorted(changed, key=lambda c: c.id), 1):
                outcome = await self.one(contact, index, shared)
                report.add(outcome, keep=self.dry_run or outcome.action == "failed")
                if not self.dry_run and (done % CHECKPOINT_EVERY == 0 or done == len(changed)):
                    self.state.checkpoint(run, contact.id)
                self.progress(done, len(changed))
        if not self.dry_run:
            self.state.finish(run)
        return report

    async def one(
        self, contact: us.Contact, index: Mapping[str, list[fd.Contact]], shared: Counter[str]
    ) -> Outcome:
        email = (contact.email or "").strip().lower()
        if not email:
            return Outcome(contact.id, "skipped", "no email")
        if not is_email(email):
            return Outcome(contact.id, "skipped", "invalid email")
        if shared[email] > 1:
            return Outcome(contact.id, "skipped", "email shared by several Upsales contacts")
        matches = index.get(email, [])
        if len(matches) > 1:
            return Outcome(contact.id, "skipped", "email on several Freshdesk contacts")
        if not matches:
            return await self.create(contact, email)
        target = matches[0]
        planned = self.rule.changes(target, contact)
        fields = tuple(c.field for c in planned)
        try:
            await sync_requester(self.freshdesk, target, contact, self.rule, dry_run=self.dry_run)
        except ValidationError as e:
            reason = f"Freshdesk refused: {_codes(e)}"
            return Outcome(contact.id, "failed", reason, target.id, fields)
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
        body = self.rule.create_body(contact, email)
        if self.dry_run:
            return Outcome(contact.id, "created", fields=tuple(body))
        try:
            created = await self.freshdesk.contacts.create(body)
        except ValidationError as e:
            return Outcome(contact.id, "failed", f"Freshdesk refused: {_codes(e)}")
        except UpstreamError as e:
            return Outcome(contact.id, "failed", f"Freshdesk {e.kind}")
        self.state.link(contact.id, created.id)
        return Outcome(contact.id, "created", freshdesk_id=created.id, fields=tuple(body))


def _codes(error: ValidationError) -> str:
    codes = sorted({f"{e.field}:{e.code}" for e in error.field_errors if e.code})
    return ", ".join(codes) or (error.status and str(error.status)) or "validation"
