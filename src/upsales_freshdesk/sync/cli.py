"""``upsales-freshdesk sync``: output, progress and exit codes of a run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pydantic
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ..clients import UpstreamError
from ..lookup.fields import FieldRule
from .config import SyncSettings
from .engine import Report, Sync
from .state import SyncState

#: Exit codes (documented in README).
OK, FAILED_RECORDS, BAD_CONFIG, STOPPED = 0, 2, 3, 4


def load(config: Path | None, create_missing: bool | None) -> SyncSettings:
    settings = SyncSettings(_env_file=config) if config else SyncSettings()
    if create_missing is not None:
        settings = settings.model_copy(update={"create_missing": create_missing})
    return settings


async def execute(settings: SyncSettings, *, dry_run: bool, console: Console) -> Report:
    fd, us = settings.clients()
    state = SyncState(settings.state_path)
    rate = settings.freshdesk_calls_per_window / settings.freshdesk_window_seconds
    with Progress(
        TextColumn("[bold]sync[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[eta]}"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("contacts", total=None, eta="reading Upsales changes…")

        def progress(done: int, total: int) -> None:
            left = (total - done) / rate  # at worst one Freshdesk write per contact
            bar.update(
                task,
                completed=done,
                total=total,
                eta=f"≤ {left:,.0f} s left at {rate * 60:,.0f} Freshdesk calls/min",
            )

        try:
            async with fd, us:
                sync = Sync(
                    fd,
                    us,
                    state,
                    create_missing=settings.create_missing,
                    rule=FieldRule.of(settings.field_mapping),
                    dry_run=dry_run,
                    list_pace=settings.list_limiter().acquire,
                    progress=progress,
                )
                return await sync.run()
        finally:
            state.close()


def summary(report: Report, console: Console) -> None:
    if report.dry_run:
        console.print("Dry run: nothing was written.", highlight=False)
    title = "Sync plan" if report.dry_run else "Sync run"
    table = Table(title=f"{title} #{report.run_id}{' (resumed)' if report.resumed else ''}")
    table.add_column("result")
    table.add_column("contacts", justify="right")
    for key in ("created", "updated", "unchanged", "skipped", "failed"):
        table.add_row(key, str(report.counts.get(key, 0)))
    console.print(table)
    for reason, count in report.reasons.most_common():
        console.print(f"  {count:>6}  {reason}", highlight=False)
    if report.dry_run:
        for o in report.plan:
            if o.action in ("created", "updated"):
                console.print(
                    f"  Upsales {o.upsales_id} -> Freshdesk {o.freshdesk_id or 'new'}: "
                    f"{o.action} {', '.join(o.fields)}",
                    highlight=False,
                )


def main(
    config: Path | None,
    *,
    dry_run: bool,
    json_out: Path | None,
    create_missing: bool | None,
    console: Console,
) -> int:
    try:
        settings = load(config, create_missing)
    except pydantic.ValidationError as exc:
        names = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        console.print(
            f"[red]Sync settings missing or invalid:[/red] {names} "
            "(set UFD_SYNC_* or pass --config FILE)",
            highlight=False,
        )
        return BAD_CONFIG
    try:
        report = asyncio.run(execute(settings, dry_run=dry_run, console=console))
    except UpstreamError as exc:
        console.print(
            f"[red]The run stopped:[/red] {exc}. It resumes from its checkpoint next time.",
            highlight=False,
        )
        return STOPPED
    summary(report, console)
    if json_out:
        json_out.write_text(json.dumps(report.as_dict(), indent=2))
    return FAILED_RECORDS if report.counts.get("failed") else OK
