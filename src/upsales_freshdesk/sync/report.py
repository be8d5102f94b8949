"""What a run did: counts, reasons, and the records a reader needs by id. Never contact data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

ACTIONS = ("created", "updated", "unchanged", "skipped", "failed")


@dataclass
class Outcome:
    upsales_id: int
    action: str  # created, updated, unchanged, skipped, failed
    reason: str | None = None
    freshdesk_id: int | None = None
    fields: tuple[str, ...] = ()
    #: Failed for a reason that may pass (429, 5xx, timeout): the next run tries again.
    retry: bool = False


@dataclass
class Report:
    run_id: int
    resumed: bool
    dry_run: bool
    #: The ``modDate`` cursor of the run (``None`` on a first, full run).
    since: datetime | None = None
    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    plan: list[Outcome] = field(default_factory=list)
    #: Upsales contacts changed since the cursor.
    upsales_seen: int = 0
    #: Upsales contacts read again because an earlier run failed to write them.
    retried: int = 0
    #: Upsales ids the next run will read again (failed for a reason that may pass).
    retry_pending: int = 0

    def add(self, outcome: Outcome, keep: bool) -> None:
        self.counts[outcome.action] += 1
        if outcome.reason:
            self.reasons[f"{outcome.action}: {outcome.reason}"] += 1
        if keep:
            self.plan.append(outcome)

    @property
    def repaired(self) -> int:
        """Records the run had to write: each differed from Upsales (a push that was
        lost or never sent, or a change made in Freshdesk). With Upsales' pushes on,
        a healthy nightly run repairs none."""
        return 0 if self.dry_run else self.counts["created"] + self.counts["updated"]

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.plan if o.action == "failed"]

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "resumed": self.resumed,
            "dry_run": self.dry_run,
            "since": self.since.isoformat() if self.since else None,
            "upsales_changed": self.upsales_seen,
            "retried": self.retried,
            "retry_next_run": self.retry_pending,
            "counts": {k: self.counts.get(k, 0) for k in ACTIONS},
            "repaired": self.repaired,
            "reasons": dict(self.reasons),
            "plan": [
                {
                    "upsales_id": o.upsales_id,
                    "action": o.action,
                    "reason": o.reason,
                    "freshdesk_id": o.freshdesk_id,
                    "fields": list(o.fields),
                    "retry": o.retry,
                }
                for o in self.plan
            ],
        }
