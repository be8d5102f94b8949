"""The seeded book's container and the small helpers its records are written with."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .scenarios import WORDS, Words


def ascii_fold(text: str) -> str:
    text = text.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "AE")
    normal = unicodedata.normalize("NFKD", text)
    return "".join(c for c in normal if not unicodedata.combining(c))


def iso(moment: datetime, *, millis: bool = True) -> str:
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (".000Z" if millis else "Z")


@dataclass
class Book:
    """Both systems' records, as the stores keep them (see each store for the shape)."""

    users: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    appointments: list[dict[str, Any]] = field(default_factory=list)
    fd_companies: list[dict[str, Any]] = field(default_factory=list)
    fd_contacts: list[dict[str, Any]] = field(default_factory=list)
    fd_tickets: list[dict[str, Any]] = field(default_factory=list)
    fd_agent: dict[str, Any] = field(default_factory=dict)


def words_of(book: Book, account_id: int | None) -> Words:
    """The words of the records of the account ``account_id``; English for someone of
    no known account."""
    if account_id is None or not 1 <= account_id <= len(book.accounts):
        return WORDS["en"]
    return WORDS[book.accounts[account_id - 1]["language"]]
