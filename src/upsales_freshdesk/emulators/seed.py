"""A deterministic, made-up Nordic B2B book for both emulators.

The same ``seed`` always gives the same book. Word pools and the named scenarios
live in :mod:`.scenarios`.
"""

from __future__ import annotations

import copy
import html
import random
from datetime import datetime, timedelta
from typing import Any

from .book import Book, ascii_fold, iso, words_of
from .deals import appointments, deals_and_activities
from .late import late_scenarios, late_tickets
from .scenarios import (
    CITIES,
    EPOCH,
    FIRST,
    FORM_LANGUAGE,
    FRESHDESK_AGENT,
    FRESHDESK_CONTACT_BASE,
    HOSTILE_NAME,
    HOSTILE_TITLE,
    LAST,
    LATE_SCENARIOS,
    SCENARIOS,
    STAGES,
    STEMS,
    STREETS,
    TICKET_SUBJECTS,
    TICKET_TEXT,
    TODO_TYPES,
    TRADES,
    WORDS,
    Language,
)

__all__ = ["SCENARIOS", "STAGES", "TODO_TYPES", "Book", "build_book", "iso"]


class _Builder:
    def __init__(self, seed: int, accounts: int, contacts: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.book = Book()
        self.n_accounts = accounts
        self.n_contacts = contacts
        self.emails: set[str] = set()

    def when(self, lo_days: int = 30, hi_days: int = 1500) -> datetime:
        return EPOCH - timedelta(
            days=self.rng.randint(lo_days, hi_days), seconds=self.rng.randint(0, 86_399)
        )

    def phone(self, country: str = "SE") -> str:
        r = self.rng
        if country == "SE":
            return f"+46 70 {r.randint(100, 999)} {r.randint(10, 99)} {r.randint(10, 99)}"
        prefix = {"NO": "+47", "DK": "+45", "FI": "+358"}[country]
        return f"{prefix} {r.randint(400, 999)} {r.randint(10, 99)} {r.randint(100, 999)}"

    def build(self) -> Book:
        self.users()
        self.accounts()
        self.scenario_people()
        self.people()
        deals_and_activities(self.rng, self.seed, self.book, self.when)
        self.book.appointments = appointments(self.seed, self.book)
        self.freshdesk()
        return self.book

    def users(self) -> None:
        roles = ({"id": 1, "name": "Nordic Sales"}, {"id": 2, "name": "Key Accounts"})
        for i in range(1, 9):
            first, last = FIRST[(i * 7) % len(FIRST)], LAST[(i * 5) % len(LAST)]
            self.book.users.append(
                {
                    "id": i,
                    "name": f"{first} {last}",
                    "email": f"{ascii_fold(first + '.' + last).lower()}@upsales-demo.example",
                    "administrator": int(i == 1),
                    "role": roles[i % 2],
                    "active": 1,
                    "ghost": 0,
                    "userTitle": "Account Manager",
                    "userPhone": self.phone(),
                    "regDate": iso(self.when()),
                }
            )
        self.book.users.append(
            {
                "id": 12,
                "name": "API Integration",
                "email": "api-integration@upsales-demo.example",
                "administrator": 1,
                "role": None,
                "active": 1,
                "ghost": 1,
                "userTitle": None,
                "userPhone": None,
                "regDate": iso(self.when()),
            }
        )

    def accounts(self) -> None:
        for i in range(1, self.n_accounts + 1):
            stem = STEMS[(i - 1) % len(STEMS)]
            trade, industry = TRADES[((i - 1) // len(STEMS) + i) % len(TRADES)]
            slug = ascii_fold(stem).lower() + ("" if i <= len(STEMS) else str(i))
            language = FORM_LANGUAGE[trade.rsplit(" ", 1)[-1]]
            city, country, zip_prefix = self.rng.choice(CITIES)
            city = WORDS[language].cities.get(city, city)
            managers = self.rng.sample(range(1, 9), k=self.rng.choice((1, 1, 2)))
            created = self.when(200, 3000)
            self.book.accounts.append(
                {
                    "id": i,
                    "name": f"{stem} {trade}",
                    "slug": slug,
                    "language": language,
                    "industry": industry,
                    "phone": self.phone(country),
                    "webpage": f"https://www.{slug}.example",
                    "users": managers,
                    "regBy": managers[0],
                    "orgNo": f"55{self.rng.randint(10**7, 10**8 - 1)}",
                    "journeyStep": (
                        step := self.rng.choice(("lead", "customer", "customer", "assigned"))
                    ),
                    "assigned": managers[0] if step == "assigned" else None,
                    "addresses": [
                        {
                            "type": t,
                            "address": f"{self.rng.choice(STREETS[country])} "
                            f"{self.rng.randint(1, 80)}",
                            "zipcode": f"{zip_prefix}{self.rng.randint(10, 99)}",
                            "city": city,
                            "country": country,
                        }
                        for t in ("Visit", "Mail")
                    ],
                    "regDate": iso(created),
                    "modDate": iso(self.when(1, 200)),
                    "active": 1,
                }
            )
        named = {
            "nordvind": 1,
            "fjallgruppen": 2,
            "kustlinje": 26,
            "kvarnby": 4,
            "havbris": 5,
            "tundra": 6,
        }
        for slug, account_id in named.items():  # scenario domains are fixed, whatever the seed
            self.book.accounts[account_id - 1]["slug"] = slug
            self.book.accounts[account_id - 1]["webpage"] = f"https://www.{slug}.example"
        self.book.accounts[1]["name"] = "Fjällgruppen AB"
        self.book.accounts[3].update(name="Kvarnby Software AB", language="sv")

    def contact(
        self,
        first: str,
        last: str,
        account_id: int,
        *,
        email: str | None = None,
        title: str | None = None,
        phone: str | None = None,
    ) -> dict[str, Any]:
        account = self.book.accounts[account_id - 1]
        if email is None:
            base = f"{ascii_fold(first).lower()}.{ascii_fold(last).lower()}".replace(" ", "")
            email, n = f"{base}@{account['slug']}.example", 2
            while email in self.emails:
                email, n = f"{base}{n}@{account['slug']}.example", n + 1
        self.emails.add(email)
        created = self.when(30, 1200)
        record = {
            "id": len(self.book.contacts) + 1,
            "firstName": first,
            "lastName": last,
            "name": f"{first} {last}",
            "email": email,
            "phone": phone or self.phone(account["addresses"][0]["country"]),
            "cellPhone": self.phone() if self.rng.random() < 0.4 else None,
            "title": title or self.rng.choice(WORDS[account["language"]].titles),
            "client": account_id,
            "regBy": self.rng.choice((None, account["regBy"])),
            "active": 1,
            "regDate": iso(created),
            "modDate": iso(created + timedelta(days=self.rng.randint(0, 25))),
            "journeyStep": account["journeyStep"],
        }
        self.book.contacts.append(record)
        return record

    def scenario_people(self) -> None:
        self.contact(
            "Astrid",
            "Lindqvist",
            1,
            email=SCENARIOS["found"].email,
            title="IT-chef",
            phone="+46 70 111 22 33",
        )
        self.contact(
            "Mårten",
            "Sjöberg",
            2,
            email=SCENARIOS["different"].email,
            title="CTO",
            phone="+46 70 444 55 66",
        )
        self.contact("Karin", "Holm", 3, email="karin.holm@skargard.example", title="CFO")
        for first in ("Lena", "Lars"):
            self.contact(
                first, "Kvarnström", 4, email=SCENARIOS["ambiguous"].email, title="Inköpare"
            )
        self.contact(
            "Søren", "Ødegård", 5, email=SCENARIOS["non_ascii"].email, title="Head of Operations"
        )
        hostile = self.contact(
            "Eve", "Payload", 6, email=SCENARIOS["hostile"].email, title=HOSTILE_TITLE
        )
        hostile["name"], hostile["notes"] = HOSTILE_NAME, "<b>bold</b> & <i>javascript:alert(3)</i>"

    def people(self) -> None:
        while len(self.book.contacts) < self.n_contacts:
            account_id = self.rng.randint(1, self.n_accounts)
            self.contact(self.rng.choice(FIRST), self.rng.choice(LAST), account_id)

    def freshdesk(self) -> None:
        book = self.book
        for account in book.accounts:
            book.fd_companies.append(
                {
                    "id": 900 + account["id"],
                    "name": account["name"],
                    "domains": [f"{account['slug']}.example"],
                    "industry": account["industry"],
                    "created_at": account["regDate"][:19] + "Z",
                    "updated_at": account["modDate"][:19] + "Z",
                }
            )
        for i, entry in enumerate(self.fd_contact_entries()):
            created = self.when(10, 900)
            book.fd_contacts.append(
                {
                    "id": FRESHDESK_CONTACT_BASE + i,
                    "other_emails": [],
                    "mobile": None,
                    "job_title": None,
                    "company_id": None,
                    **entry,
                    "created_at": iso(created, millis=False),
                    "updated_at": iso(
                        created + timedelta(days=self.rng.randint(0, 9)), millis=False
                    ),
                }
            )
        by_email = {c["email"]: c for c in book.fd_contacts}
        for s in SCENARIOS.values():
            if s.key in LATE_SCENARIOS:
                continue
            subject, language = self.rng.choice(TICKET_SUBJECTS)
            self.ticket(by_email[s.email], f"[{s.key}] {subject}", language)
        for contact in self.rng.sample(book.fd_contacts, k=min(320, len(book.fd_contacts))):
            subject, language = self.rng.choice(TICKET_SUBJECTS)
            self.ticket(contact, subject, language)
        late_tickets(self.book, by_email)
        book.fd_agent = copy.deepcopy(FRESHDESK_AGENT)

    def fd_contact_entries(self) -> list[dict[str, Any]]:
        """Freshdesk's contacts, before ids and times: most of Upsales' people, the
        scenarios' own, and people Upsales does not know."""
        book = self.book
        mirrored = [c for c in book.contacts if c["name"] != HOSTILE_NAME][
            : int(len(book.contacts) * 0.82)
        ]
        fd: list[dict[str, Any]] = []
        fixed = {s.email for s in SCENARIOS.values()}
        for c in mirrored:
            entry = {
                "name": c["name"],
                "email": c["email"],
                "phone": c["phone"],
                "mobile": c["cellPhone"],
                "job_title": c["title"],
                "company_id": 900 + c["client"],
            }
            if c["email"] == SCENARIOS["different"].email:
                entry.update(phone="+46 70 999 88 77", job_title="Teknisk chef")
            elif c["email"] == "karin.holm@skargard.example":
                entry.update(email=SCENARIOS["other_email"].email, other_emails=[c["email"]])
            elif c["email"] not in fixed and self.rng.random() < 0.12:
                titles = words_of(book, c["client"]).titles
                entry.update(job_title=self.rng.choice(titles), phone=self.phone())
            if c["email"] != SCENARIOS["ambiguous"].email or not any(
                e.get("email") == c["email"] for e in fd
            ):
                fd.append(entry)
        fd.append(
            {
                "name": "Nils Ek",
                "email": SCENARIOS["not_found"].email,
                "phone": "+46 70 123 45 67",
                "job_title": "Lagerchef",
                "company_id": 926,
            }
        )
        fd.append(
            {
                "name": HOSTILE_NAME,
                "email": SCENARIOS["hostile"].email,
                "job_title": HOSTILE_TITLE,
                "company_id": 906,
            }
        )
        padded = max(0, 340 - len(fd))
        for n in range(padded):
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            fd.append(
                {
                    "name": f"{first} {last}",
                    "email": f"{ascii_fold(first).lower()}.{n}@freshmail.example",
                    "phone": self.phone(),
                }
            )
        # The late scenarios take the place of the last people only in Freshdesk (so the
        # book keeps its size and its random stream), or come after them.
        late = late_scenarios(self.book)
        kept = len(fd) - min(padded, len(late))
        return [*fd[:kept], *late]

    def ticket(self, contact: dict[str, Any], subject: str, language: Language) -> None:
        created = self.when(0, 60)
        text = TICKET_TEXT[language].format(subject=subject, name=contact["name"])
        self.book.fd_tickets.append(
            {
                "id": len(self.book.fd_tickets) + 1,
                "subject": subject,
                "description_text": text,
                "description": f"<div>{html.escape(text)}</div>",
                "status": self.rng.choice((2, 2, 3, 4)),
                "priority": self.rng.randint(1, 4),
                "source": self.rng.choice((1, 2, 3, 7)),
                "requester_id": contact["id"],
                "company_id": contact.get("company_id"),
                "created_at": iso(created, millis=False),
                "updated_at": iso(created, millis=False),
                # The vendor's ticket sample: created 2015-08-24T11:56:51Z, fr_due_by a day
                # on, due_by three days on (developers.freshdesk.com "View a Ticket").
                "fr_due_by": iso(created + timedelta(days=1), millis=False),
                "due_by": iso(created + timedelta(days=3), millis=False),
            }
        )


def build_book(seed: int = 1, *, accounts: int = 64, contacts: int = 330) -> Book:
    """The book for ``seed``: at least 60 accounts and 300 contacts by default."""
    if accounts < 30 or contacts < 20:
        raise ValueError("the book needs at least 30 accounts and 20 contacts")
    return _Builder(seed, accounts, contacts).build()
