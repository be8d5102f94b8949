"""The sync's state in SQLite: cursor, checkpoints and id links. Never contact data.

A run records where it started (the ``modDate`` cursor) and, as it goes, the last Upsales
id it finished. A run that is killed is resumed from that checkpoint with the same
cursor, so no record is skipped; records after the checkpoint may be written twice,
which the writes allow (they set values, they do not add).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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

    def begin(self) -> Run:
        """Resume the unfinished run, or start one from the cursor."""
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
