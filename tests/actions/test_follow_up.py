"""A follow-up for the account manager: an open Upsales to-do or call, assigned to one
of the account's managers, due on the agent's date, linking back to the ticket; once per
click whatever the network does."""

from __future__ import annotations

from typing import Any

from tests.support.faults import lost_answer, not_arrived, rate_limited
from tests.support.service import Service
from tests.support.writes import act, card_of, post, ten_at_once, writes
from upsales_freshdesk.emulators.scenarios import SCENARIOS

POST = "POST /api/v2/activities"
TICKET = SCENARIOS["found"].ticket_id


async def follow_body(service: Service, **extra: Any) -> dict[str, Any]:
    card = await card_of(service, "found")
    up = card["card"]["upsales"]
    return {
        "ticket": {"id": TICKET},
        "upsales_contact_id": up["id"],
        "user_id": up["account"]["managers"][0]["id"],
        "due_date": "2027-01-15",
        "note": "Call about the  renewal",
        "kind": "todo",
        **extra,
    }


def follow_ups(service: Service) -> list[dict[str, Any]]:
    marker = f"[Freshdesk demo.freshdesk.com #{TICKET} follow-up "
    return [
        a
        for a in service.us.store.all("activities")
        if (a.get("description") or "").startswith(marker)
    ]


async def test_a_follow_up_is_an_open_task_for_the_manager(service: Service) -> None:
    body = await follow_body(service, locale="sv")
    done = await act(service, "follow-up", body)
    assert (done["status"], done["message"]) == ("done", "Uppföljningen är skapad i Upsales.")
    (made,) = follow_ups(service)
    assert made["id"] == done["details"]["activity_id"]
    assert made["closeDate"] is None  # open: a to-do to do
    assert made["date"].startswith("2027-01-15")
    assert made["users"] == [body["user_id"]]
    assert made["contacts"] == [body["upsales_contact_id"]]
    assert made["notes"].splitlines()[0] == "Call about the renewal"
    assert f"https://demo.freshdesk.com/a/tickets/{TICKET}" in made["notes"]
    # the agent's language (sv): the line the account manager reads
    assert made["notes"].splitlines()[-1] == (
        f"Freshdesk-ärende #{TICKET}: https://demo.freshdesk.com/a/tickets/{TICKET}"
    )
    another = await act(service, "follow-up", {**body, "idempotency_key": "second-follow-up"})
    assert another["details"]["activity_id"] != made["id"]  # a new click is a new follow-up


async def test_ten_at_once_make_one(service: Service) -> None:
    answers = await ten_at_once(service, "follow-up", await follow_body(service))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["details"]["activity_id"] for a in answers}) == 1
    assert writes(service, POST) == 1


async def test_a_replay_answers_the_first_result(service: Service) -> None:
    body = await follow_body(service, idempotency_key="follow-click-01")
    first = await post(service, "follow-up", body)
    replay = await post(service, "follow-up", body)
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert len(follow_ups(service)) == 1


async def test_a_lost_answer_is_looked_up_never_posted_again(service: Service) -> None:
    body = await follow_body(service, idempotency_key="follow-click-02")
    service.us.faults.set(lost_answer("POST"))
    answer = await post(service, "follow-up", body)
    service.us.faults.clear()
    assert answer.status_code == 200, answer.text
    assert writes(service, POST) == 1
    assert len(follow_ups(service)) == 1


async def test_one_that_did_not_arrive_is_reported_then_made(service: Service) -> None:
    body = await follow_body(service, idempotency_key="follow-click-03")
    service.us.faults.set(not_arrived("POST"))
    assert (await post(service, "follow-up", body)).status_code == 502
    service.us.faults.clear()
    assert (await post(service, "follow-up", body)).status_code == 200
    assert len(follow_ups(service)) == 1


async def test_ids_that_do_not_belong_together_are_refused(service: Service) -> None:
    body = await follow_body(service)
    other = await card_of(service, "different")
    not_the_requesters = {**body, "upsales_contact_id": other["card"]["upsales"]["id"]}
    refused = await act(service, "follow-up", not_the_requesters, 409)
    assert refused["errors"][0]["code"] == "mismatch"
    managers = {
        m["id"] for m in (await card_of(service, "found"))["card"]["upsales"]["account"]["managers"]
    }
    stranger = next(u for u in range(1, 10) if u not in managers)
    refused = await act(service, "follow-up", {**body, "user_id": stranger}, 409)
    assert refused["errors"][0]["code"] == "mismatch"  # not one of the account's managers
    assert writes(service, POST) == 0


async def test_a_rate_limited_follow_up_is_done_later(service: Service) -> None:
    body = await follow_body(service, idempotency_key="follow-click-04")
    service.us.faults.set(rate_limited(30, method="POST"))
    limited = await post(service, "follow-up", body)
    assert limited.status_code == 429
    service.pass_time(30)
    assert (await post(service, "follow-up", body)).status_code == 200
    assert len(follow_ups(service)) == 1
