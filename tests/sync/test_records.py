"""Records a run could not write, or must not: retried next run, or skipped with a reason."""

from __future__ import annotations

import pytest

from tests.support.faults import refusing
from tests.support.sync import Book
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.sync.owners import EMAIL_BATCH

SHARED = "skipped: email shared by several Upsales contacts"


async def test_creates_refused_with_429_are_done_by_the_next_run(book: Book) -> None:
    before = len(book.fd.store.contacts)
    refused = book.faults_after_the_index(refusing(429, match=r"/contacts$"))
    first = await book.run(create_missing=True, wrap=refused)
    failed = {o.upsales_id for o in first.failures}
    assert failed
    assert first.counts["created"] == 0
    assert all(o.retry and o.reason == "Freshdesk rate_limited" for o in first.failures)
    assert set(book.retries()) == failed
    assert first.retry_pending == len(failed)
    book.fd.faults.clear()

    second = await book.run(create_missing=True)
    assert second.upsales_seen == 0  # nothing changed in Upsales...
    assert second.retried == len(failed)  # ...but the failed ones are read again
    assert second.counts["created"] == len(failed)
    assert second.counts["failed"] == 0
    assert book.retries() == []
    assert len(book.fd.store.contacts) == before + len(failed)
    third = await book.run(create_missing=True)
    assert (third.retried, third.counts["created"]) == (0, 0)


async def test_updates_that_kept_getting_429_are_done_by_the_next_run(book: Book) -> None:
    refused = book.faults_after_the_index(refusing(429, match=r"/contacts/\d+$"))
    first = await book.run(wrap=refused)  # each PUT is retried, then given up
    assert first.counts["updated"] == 0
    failed = {o.upsales_id for o in first.failures}
    assert failed
    assert set(book.retries()) == failed
    book.fd.faults.clear()

    second = await book.run()
    assert second.counts["updated"] == len(failed)
    assert book.retries() == []
    expected = book.expected()
    assert book.actual(expected) == expected


async def test_a_retried_record_gone_from_upsales_is_dropped(book: Book) -> None:
    refused = book.faults_after_the_index(refusing(429, match=r"/contacts$"))
    await book.run(create_missing=True, wrap=refused)
    failed = book.retries()
    gone = failed[0]
    book.us.store.delete("contacts", gone)
    book.fd.faults.clear()
    second = await book.run(create_missing=True)
    assert second.retried == len(failed) - 1
    assert book.retries() == []


async def test_a_dry_run_reads_retries_but_keeps_them(book: Book) -> None:
    refused = book.faults_after_the_index(refusing(429, match=r"/contacts$"))
    await book.run(create_missing=True, wrap=refused)
    failed = book.retries()
    book.fd.faults.clear()
    dry = await book.run(create_missing=True, dry_run=True)
    assert dry.retried == len(failed)
    assert dry.counts["created"] == len(failed)
    assert book.retries() == failed


async def test_an_email_shared_in_upsales_is_skipped_on_an_incremental_run(book: Book) -> None:
    email = SCENARIOS["ambiguous"].email
    owners = [c for c in book.us.store.all("contacts") if c.get("email") == email]
    assert len(owners) == 2
    first = await book.run()
    assert first.reasons[SHARED] == 2  # the full run sees both in its batch
    target = next(c for c in book.fd.store.contacts.values() if c["email"] == email)
    title = target.get("job_title")
    await book.upsales_put(owners[0]["id"], {"title": "Head of Purchasing"})
    book.us.stats.reset()

    second = await book.run()
    assert second.upsales_seen == 1
    assert second.reasons[SHARED] == 1
    assert second.counts["updated"] == 0
    assert target.get("job_title") == title  # not overwritten by one of the two
    # One batched Upsales call for the emails about to be written, besides the page.
    assert book.us.stats.by_route["GET /api/v2/contacts"] == 2


async def test_an_incremental_run_asks_upsales_only_about_emails_it_writes(book: Book) -> None:
    await book.run()
    matched = [book.upsales_id_of(i) for i in sorted(book.expected())]
    ids, same = matched[: EMAIL_BATCH + 10], matched[EMAIL_BATCH + 10]
    for n, contact_id in enumerate(ids):
        await book.upsales_put(contact_id, {"title": f"Title {n}"})
    await book.upsales_put(same, {"phone": None})  # nothing to write: no question asked
    book.insert_upsales("nobody.in.freshdesk@kvarnby.example")  # nor here
    book.us.stats.reset()
    report = await book.run()
    assert report.upsales_seen == len(ids) + 2
    assert report.counts["updated"] == len(ids)
    assert report.counts["unchanged"] == 1
    assert report.reasons["skipped: not in Freshdesk"] == 1
    # The changed page, then the 60 emails it writes, 50 a call: not one call per email.
    assert book.us.stats.by_route["GET /api/v2/contacts"] == 1 + 2


@pytest.mark.parametrize(
    "email",
    [
        "zero\u200bwidth@kvarnby.example",  # U+200B ZERO WIDTH SPACE (Cf)
        "evil\u202e@kvarnby.example",  # U+202E RIGHT-TO-LEFT OVERRIDE (Cf)
        "line\u2028break@kvarnby.example",  # U+2028 LINE SEPARATOR (Zl)
        "bell\x07@kvarnby.example",  # a control character (Cc)
        "nul\x00@kvarnby.example",
    ],
)
async def test_an_email_with_a_control_or_format_character_is_skipped(
    book: Book, email: str
) -> None:
    inserted = book.insert_upsales(email, "Odd")
    before = len(book.fd.store.contacts)
    report = await book.run(create_missing=True, dry_run=True)
    odd = next(o for o in report.plan if o.upsales_id == inserted)
    assert (odd.action, odd.reason) == ("skipped", "invalid email")
    real = await book.run(create_missing=True)
    assert real.reasons["skipped: invalid email"] == 1
    created = len(book.fd.store.contacts) - before
    assert created == real.counts["created"]
    stored = {c["email"] for c in book.fd.store.contacts.values()}
    assert email not in stored
