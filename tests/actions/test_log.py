"""Logging a ticket to Upsales: once per ticket of each account, on the requester's match."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.faults import garbled, lost_answer, not_arrived, outage, rate_limited, refusing
from tests.support.service import HEADERS, Service
from tests.support.writes import act, card_of, log_body, post, ten_at_once, writes
from upsales_freshdesk.actions import log
from upsales_freshdesk.actions.activity_types import TypeChoice, pick
from upsales_freshdesk.actions.errors import ActionError
from upsales_freshdesk.actions.log import LogResult
from upsales_freshdesk.clients import Deadline
from upsales_freshdesk.emulators.faults import Faults, Storm
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.scenarios import ACTIVITY_TYPES, SCENARIOS
from upsales_freshdesk.emulators.seed import TODO_TYPES
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN
from upsales_freshdesk.web.deps import Credentials, make_clients

POST = "POST /api/v2/activities"
TICKET = SCENARIOS["found"].ticket_id


def logged(service: Service, marker: str) -> list[dict[str, Any]]:
    activities = service.us.store.all("activities")
    return [a for a in activities if (a.get("description") or "").startswith(marker)]


async def test_logging_a_ticket_makes_one_closed_activity(service: Service) -> None:
    body = await log_body(service, locale="sv")
    first = await act(service, "log-ticket", body)
    assert first["status"] == "done"
    assert first["message"] == "Ärendet är loggat i Upsales."
    activity = service.us.store.get("activities", first["details"]["activity_id"])
    assert activity is not None
    subject = service.fd.store.tickets[TICKET]["subject"]
    assert activity["description"] == f"[Freshdesk demo.freshdesk.com #{TICKET}] {subject}"
    assert f"https://demo.freshdesk.com/a/tickets/{TICKET}" in activity["notes"]
    assert activity["closeDate"] is not None
    assert activity["contacts"] == [body["upsales_contact_id"]]
    again = await act(service, "log-ticket", {**body, "idempotency_key": "second-click-1"})
    assert again["status"] == "unchanged"
    assert again["details"]["activity_id"] == first["details"]["activity_id"]
    assert len(logged(service, f"[Freshdesk demo.freshdesk.com #{TICKET}]")) == 1


async def test_the_same_ticket_number_in_another_account_is_another_ticket(
    service: Service,
) -> None:
    body = await log_body(service)
    await act(service, "log-ticket", body)
    other = {**HEADERS, "X-Freshdesk-Domain": "other.freshdesk.com"}
    resp = await service.http.post("/v1/actions/log-ticket", json=body, headers=other)
    assert resp.status_code == 200
    assert resp.json()["status"] == "done"
    assert len(logged(service, f"[Freshdesk other.freshdesk.com #{TICKET}]")) == 1
    assert writes(service, POST) == 2


async def test_a_ticket_logged_with_the_old_marker_is_recognised(service: Service) -> None:
    """Before the marker named the account, the notes' link did: still one ticket."""
    body = await log_body(service)
    subject = service.fd.store.tickets[TICKET]["subject"]
    old = await service.edit_upsales(
        "activities",
        {
            "description": f"[Freshdesk #{TICKET}] {subject}",
            "notes": f"Freshdesk ticket #{TICKET}: {subject}\n"
            f"https://demo.freshdesk.com/a/tickets/{TICKET}",
            "date": "2025-01-02",
            "closeDate": "2025-01-02",
            "contacts": [{"id": body["upsales_contact_id"]}],
            "activityType": {"id": TODO_TYPES["TODO"][0]},
        },
        method="POST",
    )
    again = await act(service, "log-ticket", body)
    assert again["status"] == "unchanged"
    assert again["details"]["activity_id"] == old["data"]["id"]
    other = {**HEADERS, "X-Freshdesk-Domain": "other.freshdesk.com"}
    elsewhere = await service.http.post("/v1/actions/log-ticket", json=body, headers=other)
    assert elsewhere.json()["status"] == "done"  # the old link names demo, not other


async def test_ten_logs_at_once_log_once(service: Service) -> None:
    body = await log_body(service)
    answers = await ten_at_once(service, "log-ticket", body)
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["details"]["activity_id"] for a in answers}) == 1
    assert writes(service, POST) == 1


async def test_a_replay_answers_the_first_result(service: Service) -> None:
    body = await log_body(service, idempotency_key="click-0123456")
    first = await post(service, "log-ticket", body)
    replay = await post(service, "log-ticket", body)
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert writes(service, POST) == 1


async def test_a_lost_answer_is_looked_up_never_posted_again(service: Service) -> None:
    body = await log_body(service)
    service.us.faults.set(lost_answer("POST"))
    answer = await post(service, "log-ticket", body)
    service.us.faults.clear()
    assert answer.status_code == 200, answer.text
    assert writes(service, POST) == 1
    assert len(logged(service, f"[Freshdesk demo.freshdesk.com #{TICKET}]")) == 1


async def test_a_log_that_did_not_arrive_is_reported_and_retried(service: Service) -> None:
    body = await log_body(service)
    service.us.faults.set(not_arrived("POST"))
    failed = await post(service, "log-ticket", body)
    service.us.faults.clear()
    assert failed.status_code == 502
    retried = await post(service, "log-ticket", body)
    assert retried.status_code == 200
    assert len(logged(service, f"[Freshdesk demo.freshdesk.com #{TICKET}]")) == 1


async def test_a_rate_limited_log_is_done_later(service: Service) -> None:
    body = await log_body(service)
    service.us.faults.set(rate_limited(30, method="POST"))
    limited = await post(service, "log-ticket", body)
    assert limited.status_code == 429
    service.pass_time(30)
    later = await post(service, "log-ticket", body)
    assert later.status_code == 200
    assert len(logged(service, f"[Freshdesk demo.freshdesk.com #{TICKET}]")) == 1


async def test_a_contact_that_is_not_the_requesters_match_is_refused(service: Service) -> None:
    """Ticket of Astrid, Upsales contact of Mårten: nothing is logged to Mårten."""
    marten = await card_of(service, "different")
    body = {"ticket": {"id": TICKET}, "upsales_contact_id": marten["card"]["upsales"]["id"]}
    refused = await act(service, "log-ticket", body, status=409)
    assert refused["errors"][0]["code"] == "mismatch"
    assert writes(service, POST) == 0


async def test_an_outage_is_reported(service: Service) -> None:
    body = await log_body(service)
    service.us.faults.set(outage())
    down = await act(service, "log-ticket", body, status=502)
    assert down["errors"][0]["code"] == "unavailable"
    assert down["errors"][0]["source"] == "upsales"


# The activity type: UFD_LOG_ACTIVITY_TYPE by id or name, else the account's support type,
# else never a to-do by accident.

TYPES = {name: tid for tid, name, _ in ACTIVITY_TYPES}
TYPES_ROUTE = "GET /api/v2/activitytypes/activity"
TODO_ROUTE = "get /api/v2/todotypes"  # counted as called, in the caller's case


def calls(service: Service, route: str) -> int:
    return int(service.us.stats.by_route.get(route, 0))


def todo_calls(service: Service) -> int:
    return sum(n for r, n in service.us.stats.by_route.items() if r.lower() == TODO_ROUTE)


async def log_as(service: Service, activity_type: str | None) -> LogResult:
    """The action with the setting's value, as the route passes it."""
    body = await log_body(service)
    clients = make_clients(
        service.app.state.settings,
        service.app.state.upstreams,
        Credentials("demo.freshdesk.com", DEFAULT_KEY, DEFAULT_TOKEN),
    )
    return await log.log_ticket(
        clients.freshdesk,
        clients.upsales,
        host="demo.freshdesk.com",
        ticket_id=TICKET,
        upsales_contact_id=body["upsales_contact_id"],
        deadline=Deadline.after(10),
        activity_type=activity_type,
    )


def type_of(service: Service, result: LogResult) -> Any:
    activity = service.us.store.get("activities", result.activity_id)
    assert activity is not None
    return activity["activityType"]


async def test_the_default_type_is_the_accounts_support_type(service: Service) -> None:
    """The emulated account lists Todo, Phone call, Att göra, Telefonsamtal and Support."""
    done = await act(service, "log-ticket", await log_body(service))
    activity = service.us.store.get("activities", done["details"]["activity_id"])
    assert activity is not None
    assert activity["activityType"] == TYPES["Support"]
    assert calls(service, TYPES_ROUTE) == 1
    assert todo_calls(service) == 0  # the account's list was enough
    card = await card_of(service, "found")
    assert card["card"]["upsales"]["activities"][0]["type"] == "Support"


async def test_the_activity_names_the_agent_who_logged_it(service: Service) -> None:
    body = await log_body(service, agent={"name": "Anna  Agent", "email": "anna@example.com"})
    done = await act(service, "log-ticket", body)
    activity = service.us.store.get("activities", done["details"]["activity_id"])
    assert activity is not None
    assert activity["notes"].splitlines()[-1] == "Logged in Freshdesk by Anna Agent"
    card = await card_of(service, "found")
    assert card["card"]["upsales"]["logged"]["by"] == "Anna Agent"
    latest = card["card"]["upsales"]["activities"][0]
    assert latest["id"] == activity["id"]
    assert not latest["description"].startswith("[Freshdesk")


@pytest.mark.parametrize(
    ("locale", "first", "last"),
    [
        ("sv-SE", "Freshdesk-ärende #", "Loggat i Freshdesk av Anna Agent"),
        ("nb-NO", "Freshdesk-sak #", "Logget i Freshdesk av Anna Agent"),
        ("da", "Freshdesk-sag #", "Logget i Freshdesk af Anna Agent"),
        ("fi", "Freshdesk-tiketti #", "Kirjaaja Freshdeskissä: Anna Agent"),
    ],
)
async def test_the_notes_are_in_the_agents_language_and_read_back_in_any(
    service: Service, locale: str, first: str, last: str
) -> None:
    """The Upsales user reads the notes in the logging agent's language; the card of an
    agent in another language still names who logged it."""
    agent = {"name": "Anna Agent", "email": "anna@example.com"}
    done = await act(service, "log-ticket", await log_body(service, agent=agent, locale=locale))
    activity = service.us.store.get("activities", done["details"]["activity_id"])
    assert activity is not None
    notes = activity["notes"].splitlines()
    assert notes[0].startswith(first)
    assert notes[-1] == last
    card = await card_of(service, "found")  # an English agent's card
    assert card["card"]["upsales"]["logged"]["by"] == "Anna Agent"


async def test_an_app_that_sends_no_agent_still_logs(service: Service) -> None:
    done = await act(service, "log-ticket", await log_body(service))
    activity = service.us.store.get("activities", done["details"]["activity_id"])
    assert activity is not None
    assert "Logged in Freshdesk by" not in activity["notes"]
    card = await card_of(service, "found")
    assert card["card"]["upsales"]["logged"]["by"] is None


@pytest.mark.parametrize(
    "fault",
    [
        refusing(404, match="activitytypes"),  # an account that does not serve the path
        refusing(403, match="activitytypes"),
        refusing(400, match="activitytypes"),
        outage(500, match="activitytypes"),
        garbled(match="activitytypes"),
    ],
    ids=["404", "403", "400", "500", "garbled"],
)
async def test_without_the_accounts_types_it_logs_as_a_phone_call(
    service: Service, fault: Faults
) -> None:
    """Upsales' own task types stand in: a phone call, never a to-do by accident."""
    service.us.faults.set(fault)
    done = await act(service, "log-ticket", await log_body(service))
    assert done["status"] == "done"
    activity = service.us.store.get("activities", done["details"]["activity_id"])
    assert activity is not None
    assert activity["activityType"] == TODO_TYPES["PHONE_CALL"][0]
    assert todo_calls(service) == 1
    assert writes(service, POST) == 1


async def test_an_account_with_no_types_listed_uses_the_task_types(service: Service) -> None:
    service.us.faults.set(refusing(404, match="activitytypes"))
    result = await log_as(service, "PHONE_CALL")  # the task type's key names it
    assert type_of(service, result) == TODO_TYPES["PHONE_CALL"][0]


async def test_a_rate_limited_type_list_is_reported_not_guessed(service: Service) -> None:
    """Upsales over its limit would refuse the task types too: the log says so and
    writes nothing."""
    service.us.faults.set(Faults(storm=Storm(count=5, retry_after=30), match="activitytypes"))
    limited = await post(service, "log-ticket", await log_body(service))
    assert limited.status_code == 429
    assert todo_calls(service) == 0
    assert writes(service, POST) == 0


async def test_the_setting_picks_the_type_by_name_in_any_case(service: Service) -> None:
    result = await log_as(service, "  todo ")
    assert result.created
    assert type_of(service, result) == TYPES["Todo"]  # asked for: not by accident


@pytest.mark.parametrize(
    "setting", ["telefonsamtal", "TELEFON-SAMTAL", str(TYPES["Telefonsamtal"])]
)
async def test_the_setting_picks_a_custom_type_by_name_or_id(
    service: Service, setting: str
) -> None:
    result = await log_as(service, setting)
    assert type_of(service, result) == TYPES["Telefonsamtal"]


async def test_an_unknown_type_is_refused_and_nothing_is_logged(service: Service) -> None:
    with pytest.raises(ActionError) as refused:
        await log_as(service, "Ärende")
    assert str(refused.value.code) == "rejected"
    assert writes(service, POST) == 0
    assert logged(service, f"[Freshdesk demo.freshdesk.com #{TICKET}]") == []


def choices(*names: str) -> list[TypeChoice]:
    return [TypeChoice(100 + i, name) for i, name in enumerate(names)]


@pytest.mark.parametrize(
    ("names", "setting", "picked"),
    [
        (("Todo", "Phone call", "Ticket", "Support"), None, "Support"),
        (("Todo", "ticket", "Phone call"), None, "ticket"),
        (("Att göra", "Telefonsamtal", "Ärende"), None, "Ärende"),
        (("Telefonsamtal", "Kundsupport", "Ärende"), None, "Ärende"),  # a whole name first
        (("Möte", "Telefonsamtal", "Kundsupport"), None, "Kundsupport"),
        (("Oppgave", "Kundeservice"), None, "Kundeservice"),  # Norwegian, Danish
        (("Tehtävä", "Puhelu", "Asiakastuki"), None, "Asiakastuki"),  # Finnish
        (("Todo", "Support call"), None, "Support call"),
        (("To-do", "Phone call"), None, "Phone call"),
        (("Att göra", "Telefonsamtal"), None, "Telefonsamtal"),  # Swedish to-do: not picked
        (("TODO", "Meeting"), None, "Meeting"),
        (("Todo",), None, "Todo"),  # the only type
        (("Todo", "Phone call"), "phone call", "Phone call"),
        (("Todo", "Phone call"), "100", "Todo"),
        (("Todo", "Support"), "  ", "Support"),  # blank: not set
        (("Support", "Ärende"), "ärende", "Ärende"),  # the setting wins
    ],
)
def test_the_picked_type(names: tuple[str, ...], setting: str | None, picked: str) -> None:
    types = choices(*names)
    chosen = pick(types, setting)
    assert next(t.name for t in types if t.id == chosen) == picked


def test_an_unknown_id_or_no_type_at_all_is_refused() -> None:
    for types, setting in ((choices("Todo", "Phone call"), "102"), ([], None)):
        with pytest.raises(ActionError) as refused:
            pick(types, setting)
        assert str(refused.value.code) == "rejected"


def test_a_task_types_key_names_it_too() -> None:
    """``/todoTypes`` keys its types (``TODO``, ``PHONE_CALL``): a setting may name either."""
    tasks = [TypeChoice(10, "Todo", "TODO"), TypeChoice(11, "Phone call", "PHONE_CALL")]
    assert pick(tasks) == 11
    assert pick(tasks, "todo") == 10
    assert pick(tasks, "PHONE_CALL") == 11
    assert pick([TypeChoice(11, "", "PHONE_CALL")], "phone call") == 11
