"""The matching scenarios of issue 31, written over seeded records so that the rest of
the book (its size, its random stream, every other id) stays as it was: their requesters
take the place of the last people only in Freshdesk, their tickets are tickets 8 to 10.
"""

from __future__ import annotations

import html
import unicodedata
from typing import Any

from .book import Book
from .scenarios import LATE_SCENARIOS, SCENARIOS, TICKET_SUBJECTS, TICKET_TEXT


def late_scenarios(book: Book) -> list[dict[str, Any]]:
    """The requesters of the matching scenarios (issue 31), made without the book's
    random stream: a phone match, a name at the domain's company, a linked contact."""
    astrid, karin, soren = (book.contacts[i - 1] for i in (1, 3, 6))
    return [
        {  # Astrid from home: a free-mail address, her number as Swedes type it
            "name": astrid["name"],
            "email": SCENARIOS["phone_match"].email,
            "phone": None,
            "mobile": "070-111 22 33",
        },
        {  # Søren from a new address at Havbris; his name stored decomposed (å = a + ring)
            "name": unicodedata.normalize("NFD", soren["name"]),
            "email": SCENARIOS["name_at_domain"].email,
            "phone": None,
            "company_id": 900 + soren["client"],
        },
        {  # Karin at her new job, linked by an agent to her Upsales contact
            "name": karin["name"],
            "email": SCENARIOS["linked"].email,
            "phone": karin["phone"],
            "mobile": karin["cellPhone"],
            "job_title": karin["title"],
            "unique_external_id": f"upsales:{karin['id']}",
        },
    ]


def late_tickets(book: Book, by_email: dict[str, dict[str, Any]]) -> None:
    """Tickets 8 to 10 become the late scenarios' (their ids are fixed; the first
    subject of each language, no draw from the random stream)."""
    for key, (subject, language) in zip(LATE_SCENARIOS, TICKET_SUBJECTS, strict=False):
        s = SCENARIOS[key]
        requester = by_email[s.email]
        title = f"[{key}] {subject}"
        text = TICKET_TEXT[language].format(subject=title, name=requester["name"])
        book.fd_tickets[s.ticket_id - 1].update(
            subject=title,
            description_text=text,
            description=f"<div>{html.escape(text)}</div>",
            requester_id=requester["id"],
            company_id=requester.get("company_id"),
        )
