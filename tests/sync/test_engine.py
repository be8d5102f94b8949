"""The bulk sync against both emulators: incremental, resumable, within budget."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

from tests.support.faults import refusing
from tests.support.sync import Book
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.sync.config import SyncSettings
from upsales_freshdesk.sync.engine import MAX_IN_FLIGHT, Progress, Sync
from upsales_freshdesk.sync.state import SyncState


async def test_a_first_run_makes_freshdesk_match_upsales(book: Book) -> None:
    report = await book.run()
    expected = book.expected()
    assert book.actual(expected) == expected
    different = next(
        c for c in book.fd.store.contacts.values() if c["email"] == SCENARIOS["different"].email
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
    for cid, title in ((1, "Chief Information Officer"), (2, "CIO")):
        await book.upsales_put(cid, {"title": title})
    book.fd.stats.reset()
    report = await book.run()
    assert report.upsales_seen == 2
    assert report.counts["updated"] == 2
    astrid = next(
        c for c in book.fd.store.contacts.values() if c["email"] == SCENARIOS["found"].email
    )
    assert astrid["job_title"] == "Chief Information Officer"
    assert book.fd.stats.by_route == {"GET /api/v2/contacts": 4, "PUT /api/v2/contacts/{id}": 2}


class Killed(Exception):
    pass


async def test_a_killed_run_resumes_from_its_checkpoint_and_skips_nothing(book: Book) -> None:
    """Kill the run while writes are in flight: some sent and unanswered, some not sent.

    The book needs 35 updates; the 27th write kills the run.
    """
    started: list[int] = []
    held = asyncio.Event()  # never set: the writes that wait on it stay in flight

    def kill_mid_flight(sync: Sync) -> None:
        update = sync.freshdesk.contacts.update

        async def in_flight(contact_id: int, fields: Any, **kw: Any) -> Any:
            started.append(contact_id)
            n = len(started)
            if n > 26:
                raise Killed  # the process dies with writes 11..26 in flight
            if 10 < n <= 18:
                await held.wait()  # not sent yet
            result = await update(contact_id, fields, **kw)
            if 18 < n <= 26:
                await held.wait()  # Freshdesk has it, the run never hears back
            return result

        sync.freshdesk.contacts.update = in_flight  # type: ignore[method-assign]

    with pytest.raises(Killed):
        await book.run(wrap=kill_mid_flight)
    db = sqlite3.connect(book.state_path)
    (last,) = db.execute("SELECT last_upsales_id FROM run WHERE finished_at IS NULL").fetchone()
    db.close()
    assert last > 0
    unanswered = {book.upsales_id_of(i) for i in started[10:26]}
    assert last < min(unanswered)  # the checkpoint never passes a write in flight
    resumed = await book.run()
    assert resumed.resumed
    expected = book.expected()
    assert book.actual(expected) == expected


async def test_writes_run_several_at_a_time_within_the_cap(book: Book) -> None:
    flight = {"now": 0, "most": 0}

    def count(sync: Sync) -> None:
        update = sync.freshdesk.contacts.update

        async def counted(contact_id: int, fields: Any, **kw: Any) -> Any:
            flight["now"] += 1
            flight["most"] = max(flight["most"], flight["now"])
            try:
                await asyncio.sleep(0)  # let the other workers start theirs
                return await update(contact_id, fields, **kw)
            finally:
                flight["now"] -= 1

        sync.freshdesk.contacts.update = counted  # type: ignore[method-assign]

    report = await book.run(wrap=count)
    assert report.counts["updated"] > MAX_IN_FLIGHT
    assert 1 < flight["most"] <= MAX_IN_FLIGHT
    expected = book.expected()
    assert book.actual(expected) == expected


async def test_the_progress_reports_every_contact_and_the_writes(book: Book) -> None:
    seen: list[Progress] = []

    def watch(sync: Sync) -> None:
        sync.progress = seen.append

    report = await book.run(wrap=watch)
    assert [p.done for p in seen] == list(range(1, len(seen) + 1))
    assert seen[-1].total == len(seen)
    assert seen[-1].writes_done == seen[-1].writes_planned == report.counts["updated"]
    assert seen[-1].eta == 0


async def test_bad_data_is_reported_and_skipped(book: Book) -> None:
    for email in ("", "not-an-email", "a@b"):
        book.insert_upsales(email, "Bad")
    book.fd.faults.set(refusing(400, match=r"/contacts/\d+$", times=2))
    report = await book.run()
    assert report.reasons["skipped: no email"] >= 1
    assert report.reasons["skipped: invalid email"] == 2
    assert report.counts["failed"] == 2
    assert all(o.action == "failed" for o in report.plan)
    assert report.counts["updated"] > 0  # the run went on


async def test_missing_contacts_are_created_only_when_asked(book: Book) -> None:
    before = len(book.fd.store.contacts)
    report = await book.run(create_missing=True)
    created = report.counts["created"]
    assert created > 0
    assert len(book.fd.store.contacts) == before + created
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
        for c in book.us.store.all("contacts")
        if c["id"] in links
        and not any(
            c["email"] in (f["email"], *f["other_emails"])
            for f in book.fd.store.contacts.values()
            if f["id"] != links[c["id"]]
        )
    )
    await book.upsales_put(created["id"], {"email": "moved.elsewhere@example.org"})
    before = len(book.fd.store.contacts)
    again = await book.run(create_missing=True)
    assert again.counts["created"] == 0
    assert again.reasons["skipped: email changed since the last sync"] == 1
    assert len(book.fd.store.contacts) == before


async def test_a_dry_run_writes_nothing_and_keeps_the_cursor(book: Book) -> None:
    report = await book.run(dry_run=True)
    assert book.fd.stats.by_route.get("PUT /api/v2/contacts/{id}", 0) == 0
    updates = [o for o in report.plan if o.action == "updated"]
    assert updates
    assert all(o.fields for o in updates)
    real = await book.run()
    assert real.counts["updated"] == len(updates)


async def test_a_dry_run_leaves_no_run_open(book: Book) -> None:
    dry = await book.run(dry_run=True, create_missing=True)
    again = await book.run(dry_run=True, create_missing=True)
    assert (dry.resumed, again.resumed) == (False, False)
    assert again.run_id == dry.run_id  # the run a real one would start
    db = sqlite3.connect(book.state_path)
    query = "SELECT COUNT(*) FROM {}"
    counts = [db.execute(query.format(t)).fetchone()[0] for t in ("run", "link")]
    db.close()
    assert counts == [0, 0]
    real = await book.run()
    assert not real.resumed
    assert real.run_id == dry.run_id


async def test_the_state_holds_only_ids_and_timestamps(book: Book) -> None:
    # so that the retry table has rows too
    refuse_creates = book.faults_after_the_index(refusing(429, match=r"/contacts$"))
    await book.run(create_missing=True, wrap=refuse_creates)
    assert book.retries()
    db = sqlite3.connect(book.state_path)
    values = [
        v
        for table in ("cursor", "run", "link", "retry")
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


async def test_an_invisible_upsales_value_empties_nothing(book: Book) -> None:
    """A phone of a zero-width space is no phone: the sync leaves Freshdesk's, and a
    contact it creates gets none."""
    marten = book.upsales_id_of(
        next(
            c["id"]
            for c in book.fd.store.contacts.values()
            if c["email"] == SCENARIOS["different"].email
        )
    )
    await book.upsales_put(marten, {"phone": "\u200b", "cellPhone": "\u2060 \u3164"})
    new = book.insert_upsales("invisible.phone@example.org")
    await book.upsales_put(new, {"phone": "\u200b", "title": "\ufeff"})
    report = await book.run(create_missing=True)
    assert not report.counts.get("failed")
    contacts = book.fd.store.contacts.values()
    different = next(c for c in contacts if c["email"] == SCENARIOS["different"].email)
    assert (different["phone"], different["job_title"]) == ("+46 70 999 88 77", "CTO")
    assert different["mobile"] not in ("\u2060 \u3164",)
    created = next(c for c in contacts if c["email"] == "invisible.phone@example.org")
    assert (created.get("phone"), created.get("job_title")) == (None, None)
