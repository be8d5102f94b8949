"""The sync's state in SQLite: cursor, checkpoints, id links and ids to retry. Never
contact data.

A run records where it started (the ``modDate`` cursor) and, as it goes, the highest
Upsales id such that every id at or below it is done. A run that is killed is resumed
from that checkpoint with the same cursor, so no record is skipped; records after the
checkpoint may be written twice, which the writes allow (they set values, they do not
add). A record whose write failed for a reason that may pass (a 429, a 5xx, a timeout)
keeps its Upsales id in ``retry`` until a later run writes it or skips it for good.

One run at a time: :class:`RunLock` holds an OS lock on ``<state file>.lock`` for the
whole run.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

SCHEMA = """
CREATE TABLE IF NOT EXISTS cursor (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    since TEXT,
    last_upsales_id INTEGER NOT NULL DEFAULT 0,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS link (
    upsales_id INTEGER PRIMARY KEY,
    freshdesk_id INTEGER NOT NULL,
    synced_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS retry (
    upsales_id INTEGER PRIMARY KEY,
    failed_at TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    started_at: datetime
    since: datetime | None
    last_upsales_id: int
    resumed: bool


def _now() -> datetime:
    return datetime.now(UTC)


class LockedError(Exception):
    """Another run holds the lock on the same state file."""

    def __init__(self, state_path: Path) -> None:
        super().__init__(f"another sync run holds the lock on {state_path}")
        self.state_path = state_path


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``<state_path>.lock``, held until released.

    The OS drops the lock when the process ends, however it ends, so a killed run never
    leaves a stale lock behind.
    """

    def __init__(self, state_path: Path | str) -> None:
        self.state_path = Path(state_path)
        self.path = self.state_path.with_name(self.state_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockedError(self.state_path) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class SyncState:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def since(self) -> datetime | None:
        row = self.db.execute(
            "SELECT value FROM cursor WHERE name = 'upsales_mod_since'"
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def begin(self, *, dry_run: bool = False) -> Run:
        """Resume the unfinished run, or start one from the cursor.

        A dry run opens nothing: it gets the run a real run would resume or start.
        """
        row = self.db.execute(
            "SELECT id, started_at, since, last_upsales_id FROM run "
            "WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row:
            return Run(
                row[0],
                datetime.fromisoformat(row[1]),
                datetime.fromisoformat(row[2]) if row[2] else None,
                row[3],
                True,
            )
        since, started = self.since(), _now()
        if dry_run:
            (last,) = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM run").fetchone()
            return Run(int(last) + 1, started, since, 0, False)
        with self.db:
            cur = self.db.execute(
                "INSERT INTO run (started_at, since) VALUES (?, ?)",
                (started.isoformat(), since.isoformat() if since else None),
            )
        return Run(int(cur.lastrowid or 0), started, since, 0, False)

    def checkpoint(self, run: Run, upsales_id: int) -> None:
        with self.db:
            self.db.execute(
                "UPDATE run SET last_upsales_id = ? WHERE id = ? AND last_upsales_id < ?",
                (upsales_id, run.id, upsales_id),
            )

    def link(self, upsales_id: int, freshdesk_id: int) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO link VALUES (?, ?, ?)",
                (upsales_id, freshdesk_id, _now().isoformat()),
            )

    def finish(self, run: Run) -> None:
        """Close the run; the next run reads what changed since this one started."""
        with self.db:
            self.db.execute(
                "UPDATE run SET finished_at = ? WHERE id = ?", (_now().isoformat(), run.id)
            )
            self.db.execute(
                "INSERT OR REPLACE INTO cursor VALUES ('upsales_mod_since', ?)",
                (run.started_at.isoformat(),),
            )

    def links(self) -> dict[int, int]:
        """Upsales id -> Freshdesk id of every contact synced so far (ids only)."""
        return dict(self.db.execute("SELECT upsales_id, freshdesk_id FROM link").fetchall())

    def retry_later(self, upsales_id: int) -> None:
        """Keep an Upsales id whose write failed for a reason that may pass."""
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO retry VALUES (?, ?)", (upsales_id, _now().isoformat())
            )

    def retried(self, upsales_ids: Iterable[int]) -> None:
        """Drop ids that were written, or skipped for a reason a retry would not change."""
        with self.db:
            self.db.executemany(
                "DELETE FROM retry WHERE upsales_id = ?", ((i,) for i in upsales_ids)
            )

    def retries(self) -> list[int]:
        """The Upsales ids to read again on the next run, lowest first."""
        rows = self.db.execute("SELECT upsales_id FROM retry ORDER BY upsales_id").fetchall()
        return [int(r[0]) for r in rows]
