"""Each made-up customer's records are in one language, as one real account's are:
Swedish for a Swedish company (an ``AB``), English for the others. Checked on what the
Upsales emulator answers (contacts, deals with their rows, activities, meetings, each
with the names of their types and stages) and on the book's Freshdesk side (job titles),
the texts of each against the language's words. A ticket is in its subject's language."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import httpx
import pytest

from upsales_freshdesk.emulators.scenarios import (
    ACTIVITY_TYPES,
    HOSTILE_TITLE,
    SCENARIOS,
    TICKET_SUBJECTS,
    TICKET_TEXT,
    WORDS,
    Language,
    Words,
)
from upsales_freshdesk.emulators.seed import build_book

#: Words both languages use as they are.
SHARED = {"CFO", "CTO", "Demo", "Support", "Onboarding"}
SWEDISH_LETTERS = re.compile("[åäöÅÄÖ]")


def vocabulary(words: Words) -> set[str]:
    types = {tid: name for tid, name, _ in ACTIVITY_TYPES}
    return {
        *words.titles,
        *words.deals,
        *words.activities,
        *words.meetings,
        *(name for _, name, _ in words.stages),
        *(types[tid] for tid in words.tasks.values()),
        *(name for _, name, _ in words.meeting_types),
        *(name for _, name, *_ in words.products),
        *(category for *_, (_, category) in words.products),
    }


#: The named cases' own titles, beside the drawn ones.
SCENARIO_TITLES: dict[Language, set[str]] = {"sv": {"Inköpare", "Lagerchef", "Teknisk chef"}}
VOCABULARY: dict[Language, set[str]] = {
    lang: vocabulary(w) | SCENARIO_TITLES.get(lang, set()) for lang, w in WORDS.items()
}


def language_of(company: str) -> Language:
    return "sv" if company.endswith(" AB") else "en"


def test_the_two_languages_share_only_international_words() -> None:
    assert VOCABULARY["sv"] & VOCABULARY["en"] == SHARED
    assert not any(SWEDISH_LETTERS.search(w) for w in VOCABULARY["en"])
    for pool in ("titles", "deals", "activities", "meetings", "stages", "products"):
        sizes = {len(getattr(w, pool)) for w in WORDS.values()}
        assert len(sizes) == 1, pool  # a draw picks the same place in either language


async def every(c: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    resp = await c.get(f"/api/v2/{path}", params={"limit": 2000})
    assert resp.status_code == 200, resp.text
    rows: list[dict[str, Any]] = resp.json()["data"]
    assert rows
    return rows


async def texts_by_account(c: httpx.AsyncClient) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = defaultdict(list)
    for contact in await every(c, "contacts"):
        if contact["title"] and contact["title"] != HOSTILE_TITLE:
            texts[contact["client"]["id"]].append(contact["title"])
    for order in await every(c, "orders"):
        product, year = order["description"].rsplit(" ", 1)
        assert year.isdigit()
        texts[order["client"]["id"]] += [product, order["stage"]["name"]]
        for row in order["orderRow"]:
            texts[order["client"]["id"]] += [row["product"]["name"]]
            texts[order["client"]["id"]] += [row["product"]["category"]["name"]]
    for path in ("activities", "appointments"):
        for a in await every(c, path):
            texts[a["client"]["id"]] += [a["description"], a["activityType"]["name"]]
    return texts


async def test_each_account_and_its_records_in_one_language(us_raw: httpx.AsyncClient) -> None:
    accounts = {a["id"]: a for a in await every(us_raw, "accounts")}
    texts = await texts_by_account(us_raw)
    seen: dict[Language, int] = defaultdict(int)
    for account_id, found in texts.items():
        language = language_of(accounts[account_id]["name"])
        assert set(found) <= VOCABULARY[language], (accounts[account_id]["name"], found)
        seen[language] += 1
    assert seen["sv"] > 10
    assert seen["en"] > 10
    for account in accounts.values():
        other = WORDS["en"].cities
        cities = {a["city"] for a in account["addresses"]}
        if language_of(account["name"]) == "sv":
            assert not cities & set(other.values()), account["name"]
        else:
            assert not cities & set(other), account["name"]


async def test_the_found_card_is_swedish(us_raw: httpx.AsyncClient) -> None:
    """The demo's first ticket: a Swedish company, every text Swedish."""
    email = SCENARIOS["found"].email
    (astrid,) = (await us_raw.get("/api/v2/contacts", params={"email": email})).json()["data"]
    assert language_of(astrid["client"]["name"]) == "sv"
    activities = await us_raw.get("/api/v2/activities", params={"contact.id": astrid["id"]})
    names = {a["activityType"]["name"] for a in activities.json()["data"]}
    assert names
    assert names <= {"Att göra", "Telefonsamtal"}


@pytest.fixture(scope="module")
def book() -> Any:
    return build_book(1)


def test_freshdesk_titles_follow_the_company_and_a_ticket_is_in_one_language(
    book: Any,
) -> None:
    languages = {900 + a["id"]: language_of(a["name"]) for a in book.accounts}
    subjects = dict(TICKET_SUBJECTS)
    contacts = {c["id"]: c for c in book.fd_contacts}
    checked: dict[Language, int] = defaultdict(int)
    for ticket in book.fd_tickets:
        language = subjects[re.sub(r"^\[\w+\] ", "", ticket["subject"])]
        name = contacts[ticket["requester_id"]]["name"]
        text = TICKET_TEXT[language].format(subject=ticket["subject"], name=name)
        assert ticket["description_text"] == text
        checked[language] += 1
    assert checked["sv"] > 50
    assert checked["en"] > 50
    assert {"Hej", "Vänliga"}.isdisjoint(TICKET_TEXT["en"].split())
    titled = 0
    for contact in book.fd_contacts:
        title = contact.get("job_title")
        if title and title != HOSTILE_TITLE and contact["company_id"] is not None:
            assert title in VOCABULARY[languages[contact["company_id"]]], title
            titled += 1
    assert titled > 200
