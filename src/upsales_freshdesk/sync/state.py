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

A state path that cannot be used (its folder cannot be made, a file stands where a folder
should be, no permission, a read-only file or file system, not a SQLite file) raises
:class:`UnusableStateError` when the lock is taken or the state opened, before the run
reads anything: opening checks that the database can be written, not only read.
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


class UnusableStateError(Exception):
    """The state path cannot be used; the message says which file and why, in one line."""


def _shown(path: Path) -> str:
    """The path as one line of text (a control character in it is escaped)."""
    text = str(path)
    return text if text.isprintable() else ascii(text)


def _file_in_the_way(path: Path) -> Path | None:
    """The first existing ancestor of ``path`` that is not a folder, if any."""
    for folder in reversed(path.parents):
        if folder.exists() and not folder.is_dir():
            return folder
    return None


def unusable(what: str, path: Path, error: OSError | sqlite3.Error) -> UnusableStateError:
    """One line: which file could not be used for what, and why (no traceback)."""
    if path.is_dir():
        why = "it is a folder, not a file"
    elif isinstance(error, OSError):
        blocker = _file_in_the_way(path)
        if blocker is not None:
            why = f"{_shown(blocker)} is a file, not a folder"
        else:
            why = (error.strerror or type(error).__name__).lower()
    else:
        why = str(error).splitlines()[0] if str(error) else type(error).__name__
    return UnusableStateError(f"cannot {what} {_shown(path)}: {why}")


def _make_folder(path: Path, what: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise unusable(what, path, e) from None


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
        """Take the lock, or :class:`LockedError`; :class:`UnusableStateError` when the lock
        file cannot be made."""
        _make_folder(self.path, "create the lock file")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise unusable("create the lock file", self.path, e) from None
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
        """Open (or create) the state; :class:`UnusableStateError` if it cannot be written."""
        self.path = Path(path)
        if str(path) != ":memory:":
            _make_folder(self.path, "create the state file")
        try:
            self.db = sqlite3.connect(str(path))
        except sqlite3.Error as e:
            raise unusable("open the state file", self.path, e) from None
        try:
            self.db.executescript(SCHEMA)
            self._check_writable()
        except sqlite3.Error as e:
            self.db.close()
            raise unusable("write the state file", self.path, e) from None

    def _check_writable(self) -> None:
        """A write that is rolled back: SQLite opens a file it may not write read-only,
        and would only refuse at the run's first write."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            (version,) = self.db.execute("PRAGMA user_version").fetchone()
            self.db.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            self.db.execute("ROLLBACK")

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
