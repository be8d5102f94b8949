"""The bulk sync against both emulators: incremental, resumable, within budget."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import RecordingSleep
from upsales_freshdesk.clients import RetryPolicy
from upsales_freshdesk.emulators.base import Emulator
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator
from upsales_freshdesk.sync.config import SyncSettings
from upsales_freshdesk.sync.engine import Report, Sync
from upsales_freshdesk.sync.state import SyncState

BASE = "http://testserver/api/v2/"
FIELDS = {"name": "name", "phone": "phone", "mobile": "cellPhone", "job_title": "title"}


class Book:
    def __init__(self, tmp_path: Path) -> None:
        self.fd: Emulator = create_freshdesk_emulator(plan=100_000)
        self.us: Emulator = create_upsales_emulator()
        self.state_path = tmp_path / "state" / "sync.sqlite3"
        self.settings = SyncSettings(
            freshdesk_domain="demo",
            freshdesk_api_key=DEFAULT_KEY,
            upsales_token=DEFAULT_TOKEN,
            freshdesk_plan="100000",
            freshdesk_base_url=BASE,
            upsales_base_url=BASE,
            state_path=self.state_path,
            _env_file=None,
        )

    async def run(
        self, *, create_missing: bool = False, dry_run: bool = False, wrap: Any = None
    ) -> Report:
        fd, us = self.settings.clients(
            {
                "freshdesk": httpx.ASGITransport(app=self.fd),
                "upsales": httpx.ASGITransport(app=self.us),
            },
            policy=RetryPolicy(backoff_base=0.001, backoff_max=0.01, sleep=RecordingSleep()),
        )
        state = SyncState(self.state_path)
        try:
            async with fd, us:
                sync = Sync(fd, us, state, create_missing=create_missing, dry_run=dry_run)
                if wrap:
                    wrap(sync)
                return await sync.run()
        finally:
            state.close()

    def expected(self) -> dict[int, dict[str, Any]]:
        """What each Freshdesk contact should hold after a sync: Upsales' values."""
        uss = self.us.store.all("contacts")  # type: ignore[attr-defined]
        by_email: dict[str, list[dict[str, Any]]] = {}
        for c in uss:
            if c.get("email"):
                by_email.setdefault(c["email"].lower(), []).append(c)
        out = {}
        for contact in self.fd.store.contacts.values():  # type: ignore[attr-defined]
            emails = {contact["email"], *contact["other_emails"]}
            match = [u for e in emails for u in by_email.get((e or "").lower(), [])]
            if len(match) == 1:
                u = match[0]
                out[contact["id"]] = {k: u.get(v) or contact.get(k) for k, v in FIELDS.items()}
        return out

    def actual(self, ids: Any) -> dict[int, dict[str, Any]]:
        contacts = self.fd.store.contacts  # type: ignore[attr-defined]
        return {i: {k: contacts[i].get(k) for k in FIELDS} for i in ids}


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return Book(tmp_path)


async def test_a_first_run_makes_freshdesk_match_upsales(book: Book) -> None:
    report = await book.run()
    expected = book.expected()
    assert book.actual(expected) == expected
    different = next(
        c
        for c in book.fd.store.contacts.values()  # type: ignore[attr-defined]
        if c["email"] == SCENARIOS["different"].email
    )
    assert (different["phone"], different["job_title"]) == ("+46 70 444 55 66", "CTO")
    assert report.counts["updated"] > 0
    assert report.reasons["skipped: email shared by several Upsales contacts"] == 2
    assert report.reasons["skipped: not in Freshdesk"] > 0
    puts = book.fd.stats.by_route.get("PUT /api/v2/contacts/{id}", 0)
    assert puts == report.counts["updated"]
    assert book.fd.stats.by_route["GET /api/v2/contacts"] == 4  # 340 contacts, 100 a page
    assert book.us.stats.by_route["GET /api/v2/contacts"] == 1  # 330 contacts, 2000 a page
    assert set(book.fd.stats.by_route) == {"GET /api/v2/contacts", "PUT /api/v2/contacts/{id}"}


async def test_a_second_run_without_changes_costs_one_page(book: Book) -> None:
    await book.run()
    book.fd.stats.reset()
    book.us.stats.reset()
    report = await book.run()
    assert report.upsales_seen == 0
    assert book.fd.stats.total == 0
    assert book.us.stats.total == 1


async def test_an_incremental_run_sees_only_what_changed(book: Book) -> None:
    await book.run()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=book.us),
        base_url="http://t",
        cookies={"token": DEFAULT_TOKEN},
    ) as c:
        for cid, title in ((1, "Chief Information Officer"), (2, "CIO")):
            await c.put(f"/api/v2/contacts/{cid}", json={"title": title})
    book.fd.stats.reset()
    report = await book.run()
    assert report.upsales_seen == 2
    assert report.counts["updated"] == 2
    astrid = next(
        c
        for c in book.fd.store.contacts.values()  # type: ignore[attr-defined]
        if c["email"] == SCENARIOS["found"].email
    )
    assert astrid["job_title"] == "Chief Information Officer"
    assert book.fd.stats.by_route == {"GET /api/v2/contacts": 4, "PUT /api/v2/contacts/{id}": 2}


class Killed(Exception):
    pass


async def test_a_killed_run_resumes_from_its_checkpoint_and_skips_nothing(book: Book) -> None:
    writes = {"n": 0}

    def kill_after_30(sync: Sync) -> None:
        update = sync.freshdesk.contacts.update

        async def counting(contact_id: int, fields: Any, **kw: Any) -> Any:
            writes["n"] += 1
            if writes["n"] > 30:
                raise Killed
            return await update(contact_id, fields, **kw)

        sync.freshdesk.contacts.update = counting  # type: ignore[method-assign]

    with pytest.raises(Killed):
        await book.run(wrap=kill_after_30)
    db = sqlite3.connect(book.state_path)
    (last,) = db.execute("SELECT last_upsales_id FROM run WHERE finished_at IS NULL").fetchone()
    db.close()
    assert last > 0
    resumed = await book.run()
    assert resumed.resumed
    expected = book.expected()
    assert book.actual(expected) == expected


async def test_bad_data_is_reported_and_skipped(book: Book) -> None:
    store = book.us.store  # type: ignore[attr-defined]
    for email in ("", "not-an-email", "a@b"):
        store.insert(
            "contacts",
            {
                "name": "Bad",
                "email": email,
                "client": 1,
                "active": 1,
                "firstName": "Bad",
                "lastName": "",
                "phone": None,
                "cellPhone": None,
                "title": None,
                "regBy": None,
            },
        )
    book.fd.faults.set(Faults(error_rates={400: 1.0}, match=r"/contacts/\d+$", times=2))
    report = await book.run()
    assert report.reasons["skipped: no email"] >= 1
    assert report.reasons["skipped: invalid email"] == 2
    assert report.counts["failed"] == 2
    assert all(o.action == "failed" for o in report.plan)
    assert report.counts["updated"] > 0  # the run went on


async def test_missing_contacts_are_created_only_when_asked(book: Book) -> None:
    before = len(book.fd.store.contacts)  # type: ignore[attr-defined]
    report = await book.run(create_missing=True)
    created = report.counts["created"]
    assert created > 0
    assert len(book.fd.store.contacts) == before + created  # type: ignore[attr-defined]
    again = await book.run(create_missing=True)
    assert again.upsales_seen == 0


async def test_a_linked_contact_whose_email_changed_is_not_created_again(book: Book) -> None:
    first = await book.run(create_missing=True)
    assert first.counts["created"] > 0
    state = SyncState(book.state_path)
    links = state.links()
    state.close()
    created = next(
        c
        for c in book.us.store.all("contacts")  # type: ignore[attr-defined]
        if c["id"] in links
        and not any(
            c["email"] in (f["email"], *f["other_emails"])
            for f in book.fd.store.contacts.values()  # type: ignore[attr-defined]
            if f["id"] != links[c["id"]]
        )
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=book.us),
        base_url="http://t",
        cookies={"token": DEFAULT_TOKEN},
    ) as c:
        resp = await c.put(
            f"/api/v2/contacts/{created['id']}", json={"email": "moved.elsewhere@example.org"}
        )
        assert resp.status_code == 200
    before = len(book.fd.store.contacts)  # type: ignore[attr-defined]
    again = await book.run(create_missing=True)
    assert again.counts["created"] == 0
    assert again.reasons["skipped: email changed since the last sync"] == 1
    assert len(book.fd.store.contacts) == before  # type: ignore[attr-defined]


async def test_a_dry_run_writes_nothing_and_keeps_the_cursor(book: Book) -> None:
    report = await book.run(dry_run=True)
    assert book.fd.stats.by_route.get("PUT /api/v2/contacts/{id}", 0) == 0
    updates = [o for o in report.plan if o.action == "updated"]
    assert updates
    assert all(o.fields for o in updates)
    real = await book.run()
    assert real.counts["updated"] == len(updates)


async def test_the_state_holds_only_ids_and_timestamps(book: Book) -> None:
    await book.run()
    db = sqlite3.connect(book.state_path)
    values = [
        v
        for table in ("cursor", "run", "link")
        for row in db.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608 - fixed names
        for v in row
    ]
    db.close()
    assert values
    assert all(
        isinstance(v, int | type(None)) or (isinstance(v, str) and v[:2] in ("20", "up"))
        for v in values
    )
    assert not any(isinstance(v, str) and "@" in v for v in values)


def test_the_budget_leaves_agents_their_share() -> None:
    settings = SyncSettings(
        freshdesk_domain="acme",
        freshdesk_api_key="k",
        upsales_token="t",
        freshdesk_plan="pro",
        _env_file=None,
    )
    assert settings.freshdesk_calls_per_window == 240  # 60 % of 400
    assert settings.list_pages_per_window == 60  # 60 % of pro's 100 list calls
    fd, _ = settings.clients()
    assert fd.core.throttle.limit == 240
    with pytest.raises(ValueError):
        SyncSettings(
            freshdesk_domain="acme",
            freshdesk_api_key="k",
            upsales_token="t",
            share=1.5,
            _env_file=None,
        )
