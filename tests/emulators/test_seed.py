"""The seeded book: deterministic, large enough, made up, and with every named case."""

from __future__ import annotations

import re

import pytest

from upsales_freshdesk.emulators.scenarios import HOSTILE_NAME, SCENARIOS
from upsales_freshdesk.emulators.seed import Book, build_book


@pytest.fixture(scope="module")
def book() -> Book:
    return build_book(1)


def upsales_by_email(book: Book, email: str) -> list[dict[str, object]]:
    return [c for c in book.contacts if str(c["email"]).lower() == email.lower()]


def freshdesk_by_email(book: Book, email: str) -> list[dict[str, object]]:
    return [c for c in book.fd_contacts if c["email"] == email]


def test_the_same_seed_gives_the_same_book(book: Book) -> None:
    assert build_book(1) == book
    other = build_book(2)
    assert other.contacts != book.contacts
    assert {s.email for s in SCENARIOS.values()} <= {c["email"] for c in other.fd_contacts}


def test_sizes(book: Book) -> None:
    assert len(book.contacts) >= 300
    assert len(book.accounts) >= 60
    assert len(book.fd_contacts) >= 300
    assert len(book.fd_tickets) >= 300
    assert any(o["probability"] == 100 for o in book.orders)
    assert any(1 <= o["probability"] <= 99 for o in book.orders)
    assert book.activities
    assert all(a["users"] for a in book.accounts)  # every account has an account manager
    assert all(a["addresses"] and a["phone"] for a in book.accounts)


def test_emails_overlap_between_the_systems(book: Book) -> None:
    upsales = {c["email"] for c in book.contacts}
    freshdesk = {c["email"] for c in book.fd_contacts}
    assert len(upsales & freshdesk) >= 200
    assert freshdesk - upsales
    assert upsales - freshdesk


def test_everything_is_made_up(book: Book) -> None:
    emails = [c["email"] for c in book.contacts + book.fd_contacts] + [
        u["email"] for u in book.users
    ]
    assert all(re.search(r"\.example$", str(e)) for e in emails)
    assert all(str(a["webpage"]).endswith(".example") for a in book.accounts)


def test_found_is_the_same_in_both(book: Book) -> None:
    (u,) = upsales_by_email(book, SCENARIOS["found"].email)
    (f,) = freshdesk_by_email(book, SCENARIOS["found"].email)
    assert (u["name"], u["phone"], u["title"]) == (f["name"], f["phone"], f["job_title"])


def test_different_has_another_phone_and_title(book: Book) -> None:
    (u,) = upsales_by_email(book, SCENARIOS["different"].email)
    (f,) = freshdesk_by_email(book, SCENARIOS["different"].email)
    assert u["name"] == f["name"]
    assert u["phone"] != f["phone"]
    assert u["title"] != f["job_title"]


def test_not_found_is_only_in_freshdesk(book: Book) -> None:
    assert not upsales_by_email(book, SCENARIOS["not_found"].email)
    assert freshdesk_by_email(book, SCENARIOS["not_found"].email)


def test_other_email_is_found_only_through_other_emails(book: Book) -> None:
    (f,) = freshdesk_by_email(book, SCENARIOS["other_email"].email)
    assert not upsales_by_email(book, str(f["email"]))
    assert f["other_emails"]
    assert upsales_by_email(book, f["other_emails"][0])  # type: ignore[index]


def test_ambiguous_has_two_upsales_contacts(book: Book) -> None:
    assert len(upsales_by_email(book, SCENARIOS["ambiguous"].email)) == 2
    assert len(freshdesk_by_email(book, SCENARIOS["ambiguous"].email)) == 1


def test_non_ascii_and_hostile_names(book: Book) -> None:
    (f,) = freshdesk_by_email(book, SCENARIOS["non_ascii"].email)
    assert not str(f["name"]).isascii()
    assert sum(1 for c in book.contacts if not str(c["name"]).isascii()) > 20
    (u,) = upsales_by_email(book, SCENARIOS["hostile"].email)
    (fh,) = freshdesk_by_email(book, SCENARIOS["hostile"].email)
    assert u["name"] == fh["name"] == HOSTILE_NAME
    assert "<script>" in str(u["title"])


def test_scenario_tickets_point_at_their_requesters(book: Book) -> None:
    by_id = {c["id"]: c for c in book.fd_contacts}
    for s in SCENARIOS.values():
        ticket = book.fd_tickets[s.ticket_id - 1]
        assert by_id[ticket["requester_id"]]["email"] == s.email
        assert "<script>" not in ticket["description"]  # stored HTML is sanitised


def test_a_tiny_book_is_refused() -> None:
    with pytest.raises(ValueError):
        build_book(1, accounts=5)
