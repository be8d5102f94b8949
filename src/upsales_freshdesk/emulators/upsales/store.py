"""The Upsales emulator's in-memory store: records as seeded, keyed by id."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, Literal

from ..seed import Book, build_book, iso
from .outbox import TriggerOutbox
from .triggers import TriggerBook

Record = dict[str, Any]
Table = Literal["users", "accounts", "contacts", "orders", "activities", "appointments"]
COLLECTIONS: tuple[Table, ...] = (
    "users",
    "accounts",
    "contacts",
    "orders",
    "activities",
    "appointments",
)


class UpsalesStore:
    """Users, accounts, contacts, orders, activities, appointments; the account's
    triggers and their web requests. ``reset()`` re-seeds, and forgets the triggers and
    the deliveries (calls in flight are cancelled; the outbox's sender stays).

    ``version`` changes with every write, so shaped answers can be cached between writes.
    The emulator's routes use ``get``/``all`` (the stored records); anything else reads
    through the typed methods below, which hand out copies.
    """

    def __init__(self, seed: int = 1, book: Book | None = None) -> None:
        self.seed = seed
        self._pristine = book or build_book(seed)
        self.tables: dict[str, dict[int, Record]] = {}
        self._counts: tuple[int, dict[int, int]] = (-1, {})
        self.version = 0
        self.triggers = TriggerBook()
        self.webhooks = TriggerOutbox(seed=seed)
        self.reset()

    def reset(self) -> None:
        self.version += 1
        self.triggers.clear()
        self.webhooks.clear()
        self.tables = {
            name: {r["id"]: copy.deepcopy(r) for r in getattr(self._pristine, name)}
            for name in COLLECTIONS
        }

    def contacts_per_account(self) -> dict[int, int]:
        """Contacts by account id, counted once per store version."""
        if self._counts[0] != self.version:
            counts: dict[int, int] = {}
            for c in self.tables["contacts"].values():
                counts[c["client"]] = counts.get(c["client"], 0) + 1
            self._counts = (self.version, counts)
        return self._counts[1]

    def all(self, table: str) -> list[Record]:
        return list(self.tables[table].values())

    def get(self, table: str, record_id: int) -> Record | None:
        return self.tables[table].get(record_id)

    # -- read API ----------------------------------------------------------------------

    def record(self, table: Table, record_id: int) -> Record | None:
        found = self.tables[table].get(record_id)
        return None if found is None else copy.deepcopy(found)

    def records(self, table: Table) -> list[Record]:
        """Every record of ``table``, by id."""
        rows = self.tables[table]
        return [copy.deepcopy(rows[i]) for i in sorted(rows)]

    def account(self, account_id: int) -> Record | None:
        return self.record("accounts", account_id)

    def contact(self, contact_id: int) -> Record | None:
        return self.record("contacts", contact_id)

    def user(self, user_id: int) -> Record | None:
        return self.record("users", user_id)

    def contacts_of(self, account_id: int) -> list[Record]:
        """An account's contacts, by id."""
        rows = self.tables["contacts"]
        return [copy.deepcopy(rows[i]) for i in sorted(rows) if rows[i]["client"] == account_id]

    # -- writes ----------------------------------------------------------------------

    def insert(self, table: str, record: Record) -> Record:
        self.version += 1
        rows = self.tables[table]
        record["id"] = max(rows, default=0) + 1
        now = iso(datetime.now(UTC))
        record.setdefault("regDate", now)
        record["modDate"] = now
        rows[record["id"]] = record
        return record

    def touch(self, record: Record) -> None:
        """Mark ``record`` (already changed in place) as modified now."""
        self.version += 1
        record["modDate"] = iso(datetime.now(UTC))

    def delete(self, table: str, record_id: int) -> None:
        self.version += 1
        del self.tables[table][record_id]
