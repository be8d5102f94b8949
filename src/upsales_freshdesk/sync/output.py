"""What a run prints, and the ``--json`` document. Ids, counts and reasons only."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .checks import STATUS
from .report import ACTIONS, Report

#: Failed records listed on the console; the ``--json`` report has every one.
MAX_LISTED = 50
WOULD = {"created": "would create", "updated": "would update"}


def summary(report: Report, console: Console) -> None:
    if report.dry_run:
        console.print("Dry run: nothing was written.", highlight=False)
    _changes(report, console)
    title = "Sync plan" if report.dry_run else "Sync run"
    table = Table(title=f"{title} #{report.run_id}{' (resumed)' if report.resumed else ''}")
    table.add_column("result")
    table.add_column("contacts", justify="right")
    for key in ACTIONS:
        label = WOULD.get(key, key) if report.dry_run else key
        table.add_row(label, str(report.counts.get(key, 0)))
    console.print(table)
    for reason, count in report.reasons.most_common():
        console.print(f"  {count:>6}  {reason}", highlight=False)
    if not report.dry_run:
        console.print(
            f"Repaired: {report.repaired} record(s) differed from Upsales and were written "
            "(a missed push, or a change made in Freshdesk).",
            highlight=False,
        )
    if report.dry_run:
        for o in report.plan:
            if o.action in WOULD:
                console.print(
                    f"  Upsales {o.upsales_id} -> Freshdesk {o.freshdesk_id or 'new'}: "
                    f"{WOULD[o.action]} {', '.join(o.fields)}",
                    highlight=False,
                )
    _failures(report, console)


def _changes(report: Report, console: Console) -> None:
    if report.upsales_seen == 0:
        if report.since is not None:
            when = report.since.astimezone(UTC).isoformat(timespec="seconds")
            console.print(f"Upsales: no changes since {when}.", highlight=False)
        else:
            console.print("Upsales: no contacts.", highlight=False)
    if report.retried:
        console.print(
            f"Read again: {report.retried} contact(s) an earlier run failed to write.",
            highlight=False,
        )


def _failures(report: Report, console: Console) -> None:
    failures = report.failures
    if not failures:
        return
    console.print("Failed records (Upsales id: reason):", highlight=False)
    for o in failures[:MAX_LISTED]:
        again = " (tried again on the next run)" if o.retry and not report.dry_run else ""
        console.print(f"  Upsales {o.upsales_id}: {o.reason}{again}", highlight=False)
    if len(failures) > MAX_LISTED:
        console.print(f"  … and {len(failures) - MAX_LISTED} more (see --json)", highlight=False)


def document(
    code: int,
    *,
    started: datetime,
    finished: datetime,
    error: str | None,
    report: Report | None,
) -> dict[str, object]:
    """The ``--json`` document, whatever the exit code."""
    return {
        "status": STATUS.get(code, "error"),
        "exit_code": code,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "duration_seconds": round((finished - started).total_seconds(), 3),
        "error": error,
        "report": report.as_dict() if report is not None else None,
    }


def write_json(path: Path, doc: dict[str, object]) -> None:
    """Write ``doc`` whole or not at all (a temporary file, then a rename)."""
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    ) as tmp:
        tmp.write(json.dumps(doc, indent=2) + "\n")
    os.replace(tmp.name, path)
