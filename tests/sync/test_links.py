"""The bulk sync follows the link the card keeps (``UFD_LINK_FIELD``) before the email:
a changed address on either side no longer loses the contact, and an email never writes
onto a Freshdesk contact linked to someone else."""

from __future__ import annotations

from typing import Any

from tests.support.sync import Book
from upsales_freshdesk.emulators.scenarios import SCENARIOS


def fd_by_email(book: Book, email: str) -> dict[str, Any]:
    record: dict[str, Any] = next(c for c in book.fd.store.contacts.values() if c["email"] == email)
    return record


async def test_a_linked_contact_is_synced_whatever_its_email(book: Book) -> None:
    astrid = fd_by_email(book, SCENARIOS["found"].email)
    astrid.update(email="astrid@changed.example", unique_external_id="upsales:1")
    await book.upsales_put(1, {"title": "CIO", "email": "astrid.l@nordvind-new.example"})
    report = await book.run(dry_run=True)
    (outcome,) = [o for o in report.plan if o.upsales_id == 1]
    assert (outcome.action, outcome.freshdesk_id) == ("updated", astrid["id"])
    await book.run()
    assert astrid["job_title"] == "CIO"
    assert astrid["email"] == "astrid@changed.example"  # the email is not the sync's to write


async def test_an_email_never_writes_onto_a_contact_linked_to_another(book: Book) -> None:
    marten = fd_by_email(book, SCENARIOS["different"].email)
    marten["unique_external_id"] = "upsales:1"  # linked to Astrid by an agent
    report = await book.run(dry_run=True)
    (by_email,) = [o for o in report.plan if o.upsales_id == 2]
    assert (by_email.action, by_email.reason) == ("skipped", "linked to another Upsales contact")
    (by_link,) = [o for o in report.plan if o.upsales_id == 1]
    assert by_link.freshdesk_id == marten["id"]
