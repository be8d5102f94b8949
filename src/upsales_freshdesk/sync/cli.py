"""``upsales-freshdesk sync``: settings, lock, credential check, progress and exit codes.

Exit codes: 0 done; 2 done, some records failed; 3 settings missing or invalid, or a key
refused, or a state path (``UFD_SYNC_STATE_PATH``) that cannot be used, found before any
call upstream (or, should its file stop taking writes, during the run); 4 stopped by an
upstream error (nothing lost: the next run resumes from its checkpoint); 5 another run
holds the lock on the state file. ``--json FILE`` is written on every one of them.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pydantic
from pydantic_settings import SettingsError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ..clients import ThrottleRegistry, UpstreamError
from ..rules.contact_link import LinkField
from ..rules.fields import FieldRule
from .checks import (
    BAD_CONFIG,
    FAILED_RECORDS,
    LOCKED,
    OK,
    STOPPED,
    Stop,
    check_credentials,
    describe,
    refused,
)
from .config import SyncSettings
from .engine import Report, Sync
from .output import document, summary, write_json
from .progress import Progress as SyncProgress
from .state import LockedError, RunLock, SyncState, UnusableStateError

__all__ = ["BAD_CONFIG", "FAILED_RECORDS", "LOCKED", "OK", "STOPPED", "execute", "load", "main"]

ENV_PREFIX = "UFD_SYNC_"
STATE_VARIABLE = ENV_PREFIX + "STATE_PATH"


class RunStopped(Stop):
    """A run that began and stopped; ``report`` holds what it did until then."""

    def __init__(self, code: int, message: str, report: Report | None) -> None:
        super().__init__(code, message)
        self.report = report


def settings_error(exc: pydantic.ValidationError) -> str:
    """``UFD_SYNC_NAME: why`` for each bad setting; the values are never shown."""
    lines = []
    for e in exc.errors():
        name = ENV_PREFIX + str(e["loc"][0]).upper() if e["loc"] else ENV_PREFIX + "*"
        why = "not set" if e["type"] == "missing" else e["msg"].removeprefix("Value error, ")
        lines.append(f"{name}: {why}")
    return "; ".join(dict.fromkeys(lines))


def load(config: Path | None, create_missing: bool | None) -> SyncSettings:
    """The settings, or :class:`Stop` (exit 3) saying which variable is wrong and why."""
    if config is not None and not config.is_file():
        raise Stop(BAD_CONFIG, f"file not found: {config}")
    try:
        settings = SyncSettings(_env_file=config) if config else SyncSettings()
    except pydantic.ValidationError as exc:
        raise Stop(BAD_CONFIG, settings_error(exc)) from None
    except SettingsError as exc:  # e.g. a JSON setting that does not parse
        field = re.search(r'field "(\w+)"', str(exc))
        name = ENV_PREFIX + field.group(1).upper() if field else "a UFD_SYNC_* setting"
        raise Stop(BAD_CONFIG, f"{name}: not valid JSON") from None
    except OSError as exc:
        raise Stop(BAD_CONFIG, f"cannot read {config}: {exc.strerror}") from None
    if create_missing is not None:
        settings = settings.model_copy(update={"create_missing": create_missing})
    return settings


def _left(seconds: float | None) -> str:
    """``about 2 min 10 s left``, or what the bar shows before there is a pace."""
    if seconds is None:
        return "estimating time left…"
    whole = round(seconds)
    if whole < 60:
        return f"about {whole} s left"
    return f"about {whole // 60} min {whole % 60:02d} s left"


def _progress_bar(console: Console) -> tuple[Progress, Callable[[SyncProgress], None]]:
    bar = Progress(
        TextColumn("[bold]sync[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[eta]}"),
        console=console,
        transient=True,
    )
    task = bar.add_task("contacts", total=None, eta="reading Upsales changes…")

    def progress(now: SyncProgress) -> None:
        writes = (
            f"{now.writes_done:,}/{now.writes_planned:,} writes, " if now.writes_planned else ""
        )
        bar.update(task, completed=now.done, total=now.total, eta=writes + _left(now.eta))

    return bar, progress


async def execute(
    settings: SyncSettings, state: SyncState, *, dry_run: bool, console: Console
) -> Report:
    """Check both keys, then run. Raises :class:`Stop` with the exit code on failure."""
    async with settings.budgets() as registry:
        return await _execute(settings, registry, state, dry_run=dry_run, console=console)


async def _execute(
    settings: SyncSettings,
    registry: ThrottleRegistry,
    state: SyncState,
    *,
    dry_run: bool,
    console: Console,
) -> Report:
    fd, us = settings.clients(registry=registry)
    # The key's calls of the day so far, by every process, before the first call.
    await registry.load_daily(us.core.slot.credential)
    async with fd, us:
        await check_credentials(fd, us)
        bar, progress = _progress_bar(console)
        sync = Sync(
            fd,
            us,
            state,
            create_missing=settings.create_missing,
            rule=FieldRule.of(settings.field_mapping),
            link=LinkField.of(settings.link_field),
            dry_run=dry_run,
            list_pace=settings.list_limiter().acquire,
            progress=progress,
        )
        try:
            with bar:
                return await sync.run()
        except UpstreamError as exc:
            raise _stopped(exc, sync.report, dry_run) from None
        except sqlite3.Error as exc:  # e.g. the disk filled up, or the file went away
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            message = f"{STATE_VARIABLE}: the state could not be written ({why})"
            raise RunStopped(BAD_CONFIG, message, sync.report) from None


def _stopped(error: UpstreamError, report: Report | None, dry_run: bool) -> RunStopped:
    after = (
        "nothing was written"
        if dry_run
        else "nothing is lost: the next run resumes from its checkpoint"
    )
    if (stop := refused(error)) is not None:
        return RunStopped(stop.code, f"{stop.message} during the run; {after}", report)
    return RunStopped(STOPPED, f"the run stopped: {describe(error)}; {after}", report)


def _attempt(
    config: Path | None, create_missing: bool | None, dry_run: bool, console: Console
) -> tuple[int, str | None, Report | None]:
    """Settings, lock and run: the exit code, the error message and the report."""
    try:
        settings = load(config, create_missing)
        with RunLock(settings.state_path):
            state = SyncState(settings.state_path)  # checked before any call upstream
            try:
                report = asyncio.run(execute(settings, state, dry_run=dry_run, console=console))
            finally:
                state.close()
    except UnusableStateError as exc:
        return BAD_CONFIG, f"{STATE_VARIABLE}: {exc}", None
    except RunStopped as stop:
        return stop.code, stop.message, stop.report
    except Stop as stop:
        return stop.code, stop.message, None
    except LockedError as exc:
        return LOCKED, str(exc), None
    return (FAILED_RECORDS if report.counts.get("failed") else OK), None, report


def _write(json_out: Path, doc: dict[str, object], console: Console) -> None:
    try:
        write_json(json_out, doc)
    except OSError as exc:
        console.print(f"[red]Could not write {json_out}:[/red] {exc.strerror}", highlight=False)


def main(
    config: Path | None,
    *,
    dry_run: bool,
    json_out: Path | None,
    create_missing: bool | None,
    console: Console,
) -> int:
    started = datetime.now(UTC)
    try:
        code, error, report = _attempt(config, create_missing, dry_run, console)
    except BaseException as exc:  # still leave a report (no message: it could hold data)
        if json_out is not None:
            error = f"the sync ended unexpectedly ({type(exc).__name__})"
            doc = document(1, started=started, finished=datetime.now(UTC), error=error, report=None)
            _write(json_out, doc, console)
        raise
    if report is not None:
        summary(report, console)
    if error is not None:
        console.print(f"[red]Sync:[/red] {error}", highlight=False, soft_wrap=True)
    if json_out is not None:
        finished = datetime.now(UTC)
        _write(
            json_out,
            document(code, started=started, finished=finished, error=error, report=report),
            console,
        )
    return code
