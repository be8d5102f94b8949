"""The stores' read API: typed look-ups that hand out copies, never the stored records."""

from __future__ import annotations

import pytest

from upsales_freshdesk.emulators.freshdesk.store import FreshdeskStore
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales.store import UpsalesStore


@pytest.fixture
def fd() -> FreshdeskStore:
    return FreshdeskStore(seed=1)


@pytest.fixture
def us() -> UpsalesStore:
    return UpsalesStore(seed=1)


def test_freshdesk_ticket_and_its_requester(fd: FreshdeskStore) -> None:
    found = SCENARIOS["found"]
    ticket = fd.ticket(found.ticket_id)
    assert ticket is not None
    assert ticket["id"] == found.ticket_id
    contact = fd.contact(ticket["requester_id"])
    assert contact is not None
    assert contact["email"] == found.email
    company = fd.company(contact["company_id"])
    assert company is not None
    assert (company["id"], company["name"]) == (901, "Nordvind Data AB")


def test_freshdesk_missing_records_are_none(fd: FreshdeskStore) -> None:
    assert fd.ticket(999_999) is None
    assert fd.contact(1) is None
    assert fd.company(0) is None
    assert fd.notes(999_999) == []


def test_freshdesk_tickets_list_is_by_id_and_limited(fd: FreshdeskStore) -> None:
    assert [t["id"] for t in fd.tickets_list(limit=3)] == [1, 2, 3]
    everything = fd.tickets_list()
    assert len(everything) == 327
    assert [t["id"] for t in everything] == sorted(fd.tickets)


def test_freshdesk_reads_are_copies(fd: FreshdeskStore) -> None:
    ticket = fd.ticket(1)
    assert ticket is not None
    ticket["subject"] = "changed"
    ticket["tags"].append("changed")
    fd.tickets_list(limit=1)[0]["status"] = 99
    agent = fd.current_agent()
    agent["contact"]["name"] = "changed"
    fresh = fd.ticket(1)
    assert fresh is not None
    assert fresh["subject"] != "changed"
    assert "changed" not in fresh["tags"]
    assert fresh["status"] != 99
    assert fd.current_agent()["contact"]["name"] != "changed"


def test_freshdesk_notes_and_agent(fd: FreshdeskStore) -> None:
    assert fd.notes(1) == []
    fd.add_note(1, "first", private=True)
    fd.add_note(1, "second", private=False)
    notes = fd.notes(1)
    assert [(n["body_text"], n["private"]) for n in notes] == [("first", True), ("second", False)]
    me = fd.current_agent()
    assert me["id"] == 77000000001
    assert all(n["user_id"] == me["id"] for n in notes)
    fd.reset()
    assert fd.notes(1) == []


def test_upsales_typed_look_ups(us: UpsalesStore) -> None:
    account = us.account(1)
    assert account is not None
    assert account["name"] == "Nordvind Data AB"
    assert us.account(10_000) is None
    user = us.user(1)
    assert user is not None
    assert user["id"] == 1
    contact = us.contact(1)
    assert contact is not None
    assert contact["client"] == 1
    assert us.record("orders", 1) == us.get("orders", 1)


def test_upsales_records_and_contacts_of(us: UpsalesStore) -> None:
    assert [len(us.records(t)) for t in ("users", "accounts", "contacts")] == [9, 64, 330]
    assert [c["id"] for c in us.contacts_of(1)] == [1, 49, 126, 213]
    assert len(us.contacts_of(1)) == us.contacts_per_account()[1]
    assert us.contacts_of(10_000) == []


def test_upsales_reads_are_copies(us: UpsalesStore) -> None:
    account = us.account(1)
    assert account is not None
    account["name"] = "changed"
    us.records("accounts")[0]["name"] = "changed too"
    us.contacts_of(1)[0]["client"] = 2
    assert us.get("accounts", 1)["name"] == "Nordvind Data AB"  # type: ignore[index]
    assert [c["id"] for c in us.contacts_of(1)] == [1, 49, 126, 213]
