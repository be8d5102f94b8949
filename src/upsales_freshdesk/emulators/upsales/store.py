"""The Upsales emulator's in-memory store: records as seeded, keyed by id."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from ..seed import Book, build_book, iso

Record = dict[str, Any]
COLLECTIONS = ("users", "accounts", "contacts", "orders", "activities")


class UpsalesStore:
    """Users, accounts, contacts, orders and activities. ``reset()`` re-seeds."""

    def __init__(self, seed: int = 1, book: Book | None = None) -> None:
        self.seed = seed
        self._pristine = book or build_book(seed)
        self.tables: dict[str, dict[int, Record]] = {}
        self.reset()

    def reset(self) -> None:
        self.tables = {
            name: {r["id"]: copy.deepcopy(r) for r in getattr(self._pristine, name)}
            for name in COLLECTIONS
        }

    def all(self, table: str) -> list[Record]:
        return list(self.tables[table].values())

    def get(self, table: str, record_id: int) -> Record | None:
        return self.tables[table].get(record_id)

    def insert(self, table: str, record: Record) -> Record:
        rows = self.tables[table]
        record["id"] = max(rows, default=0) + 1
        now = iso(datetime.now(UTC))
        record.setdefault("regDate", now)
        record["modDate"] = now
        rows[record["id"]] = record
        return record

    def touch(self, record: Record) -> None:
        record["modDate"] = iso(datetime.now(UTC))
