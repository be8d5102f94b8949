"""Link and unlink: the pick kept on the Freshdesk contact, once however often it is sent,
never on a contact that is not the ticket's requester, and looked up when an answer is
lost. Then the card finds the contact by the link, whatever its email."""

from __future__ import annotations

from typing import Any

from tests.support.faults import lost_answer, not_arrived, rate_limited
from tests.support.service import Service
from tests.support.writes import act, card_of, post, ten_at_once, writes
from upsales_freshdesk.emulators.scenarios import SCENARIOS

PUT = "PUT /api/v2/contacts/{id}"
MARTEN = 2  # Mårten Sjöberg's Upsales id


def requester_of(service: Service, scenario: str) -> dict[str, Any]:
    ticket = service.fd.store.tickets[SCENARIOS[scenario].ticket_id]
    record: dict[str, Any] = service.fd.store.contacts[ticket["requester_id"]]
    return record


async def link_body(service: Service, scenario: str = "not_found", **extra: Any) -> dict[str, Any]:
    card = await card_of(service, scenario)
    return {
        "ticket_id": SCENARIOS[scenario].ticket_id,
        "freshdesk_contact_id": card["card"]["freshdesk"]["id"],
        "upsales_contact_id": MARTEN,
        **extra,
    }


async def test_a_link_is_kept_and_the_card_follows_it(service: Service) -> None:
    body = await link_body(service, locale="sv")
    done = await act(service, "link-contact", body)
    assert (done["status"], done["message"]) == ("done", "Kontakterna är länkade.")
    assert requester_of(service, "not_found")["unique_external_id"] == f"upsales:{MARTEN}"
    card = await card_of(service, "not_found")
    assert card["status"] == "found"
    assert (card["card"]["upsales"]["id"], card["card"]["upsales"]["matched_by"]) == (
        MARTEN,
        "link",
    )
    assert 'data-action="unlink-contact"' in card["html"]
    again = await act(service, "link-contact", {**body, "idempotency_key": "another-click"})
    assert again["status"] == "unchanged"
    assert writes(service, PUT, "fd") == 1


async def test_the_link_survives_an_email_change_in_either_system(service: Service) -> None:
    await act(service, "link-contact", await link_body(service))
    requester_of(service, "not_found")["email"] = "nils.new@kustlinje.example"
    marten = service.us.store.get("contacts", MARTEN)
    assert marten is not None
    marten["email"] = "marten.new@fjallgruppen.example"
    card = await card_of(service, "not_found")
    assert (card["status"], card["card"]["upsales"]["id"]) == ("found", MARTEN)


async def test_ten_links_at_once_write_once(service: Service) -> None:
    answers = await ten_at_once(service, "link-contact", await link_body(service))
    assert {a.status_code for a in answers} == {200}
    assert writes(service, PUT, "fd") == 1


async def test_a_replay_answers_the_first_result(service: Service) -> None:
    body = await link_body(service, idempotency_key="link-click-0001")
    first = await post(service, "link-contact", body)
    replay = await post(service, "link-contact", body)
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert writes(service, PUT, "fd") == 1


async def test_a_lost_answer_is_looked_up(service: Service) -> None:
    """A 502 after Freshdesk wrote the link: read again, found, done; no second PUT."""
    body = await link_body(service)
    service.fd.faults.set(lost_answer("PUT"))
    answer = await post(service, "link-contact", body)
    service.fd.faults.clear()
    assert answer.status_code == 200, answer.text
    # The PUT of one value is idempotent (the client retries it); the link is there, once.
    assert requester_of(service, "not_found")["unique_external_id"] == f"upsales:{MARTEN}"
    again = await act(service, "link-contact", {**body, "idempotency_key": "after-the-loss"})
    assert again["status"] == "unchanged"


async def test_a_link_that_did_not_arrive_is_reported_then_done(service: Service) -> None:
    body = await link_body(service)
    service.fd.faults.set(not_arrived("PUT"))
    failed = await post(service, "link-contact", body)
    service.fd.faults.clear()
    assert failed.status_code == 502
    assert requester_of(service, "not_found")["unique_external_id"] is None
    assert (await post(service, "link-contact", body)).status_code == 200


async def test_ids_that_do_not_belong_together_are_refused(service: Service) -> None:
    """The Freshdesk contact is not the ticket's requester: nothing is written."""
    body = await link_body(service)
    other = requester_of(service, "found")["id"]
    refused = await act(service, "link-contact", {**body, "freshdesk_contact_id": other}, 409)
    assert refused["errors"][0]["code"] == "mismatch"
    assert refused["action"] == "link-contact"
    assert writes(service, PUT, "fd") == 0


async def test_a_link_made_since_the_card_is_not_overwritten(service: Service) -> None:
    body = await link_body(service)
    requester_of(service, "not_found")["unique_external_id"] = "upsales:1"
    refused = await act(service, "link-contact", body, 409)
    assert refused["errors"][0]["code"] == "changed"
    relinked = await act(service, "link-contact", {**body, "replaces": 1})
    assert relinked["status"] == "done"


async def test_another_systems_id_is_never_overwritten(service: Service) -> None:
    body = await link_body(service)
    requester_of(service, "not_found")["unique_external_id"] = "ERP-4711"
    refused = await act(service, "link-contact", body, 409)
    assert refused["errors"][0]["code"] == "link_taken"
    assert requester_of(service, "not_found")["unique_external_id"] == "ERP-4711"


async def test_a_rate_limited_link_is_done_later(service: Service) -> None:
    body = await link_body(service)
    service.fd.faults.set(rate_limited(30, method="PUT"))
    limited = await post(service, "link-contact", body)
    assert limited.status_code == 429
    assert limited.json()["errors"][0]["retry_after"] == 30
    service.pass_time(30)
    later = await post(service, "link-contact", body)
    assert later.status_code == 200
    assert writes(service, PUT, "fd") == 2  # the refused one, then the write


async def unlink_body(service: Service, **extra: Any) -> dict[str, Any]:
    await act(service, "link-contact", await link_body(service))
    service.fd.stats.reset()
    return {
        "ticket_id": SCENARIOS["not_found"].ticket_id,
        "freshdesk_contact_id": requester_of(service, "not_found")["id"],
        "upsales_contact_id": MARTEN,
        **extra,
    }


async def test_unlink_removes_the_link_once(service: Service) -> None:
    body = await unlink_body(service)
    answers = await ten_at_once(service, "unlink-contact", body)
    assert {a.status_code for a in answers} == {200}
    assert writes(service, PUT, "fd") == 1
    assert requester_of(service, "not_found")["unique_external_id"] is None
    assert (await card_of(service, "not_found"))["status"] == "not_found"


async def test_unlink_replay_lost_answer_mismatch_and_rate_limit(service: Service) -> None:
    body = await unlink_body(service, idempotency_key="unlink-click-01")
    service.fd.faults.set(lost_answer("PUT"))
    first = await post(service, "unlink-contact", body)
    service.fd.faults.clear()
    assert first.status_code == 200, first.text
    replay = await post(service, "unlink-contact", body)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert requester_of(service, "not_found")["unique_external_id"] is None
    # A link to another contact than the card showed: not removed.
    requester_of(service, "not_found")["unique_external_id"] = "upsales:1"
    changed = await act(service, "unlink-contact", {**body, "idempotency_key": "unlink-2"}, 409)
    assert changed["errors"][0]["code"] == "changed"
    other = requester_of(service, "found")["id"]
    mismatch = await act(
        service,
        "unlink-contact",
        {**body, "idempotency_key": "unlink-3", "freshdesk_contact_id": other},
        409,
    )
    assert mismatch["errors"][0]["code"] == "mismatch"  # not the ticket's requester
    service.fd.faults.set(rate_limited(30, method="PUT"))
    limited = await post(
        service, "unlink-contact", {**body, "idempotency_key": "unlink-4", "upsales_contact_id": 1}
    )
    assert limited.status_code == 429
    service.pass_time(30)
    later = await post(
        service, "unlink-contact", {**body, "idempotency_key": "unlink-4", "upsales_contact_id": 1}
    )
    assert later.status_code == 200
    assert requester_of(service, "not_found")["unique_external_id"] is None
