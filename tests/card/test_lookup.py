"""The card lookup, scenario by scenario, against both emulators through the service."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.faults import hanging, outage, rate_limited
from tests.support.service import Service, running
from upsales_freshdesk.emulators.scenarios import SCENARIOS


def codes(card: dict[str, Any]) -> set[str]:
    return {f"{e['source']}:{e['code']}" for e in card["errors"]}


async def test_found_shows_everything_with_one_freshdesk_and_four_upsales_calls(
    service: Service,
) -> None:
    resp = await service.card("found")
    assert resp.status_code == 200
    card = resp.json()
    assert card["status"] == "found"
    assert card["errors"] == []
    assert card["differences"] == []
    up = card["card"]["upsales"]
    assert (up["name"], up["title"], up["phone"]) == (
        "Astrid Lindqvist",
        "IT-chef",
        "+46 70 111 22 33",
    )
    assert up["email"] == SCENARIOS["found"].email
    account = up["account"]
    seeded = service.us.store.get("accounts", 1)
    assert seeded is not None
    assert account["name"] == seeded["name"]
    assert account["phone"] == seeded["phone"]
    assert account["addresses"]
    assert {m["id"] for m in account["managers"]} == set(seeded["users"])
    assert service.upstream_calls() == (1, 4)


async def test_deals_and_activities_are_the_contacts_own(service: Service) -> None:
    store = service.us.store
    order = next(o for o in store.all("orders") if o["contact"] and 1 <= o["probability"] <= 99)
    contact = store.get("contacts", order["contact"])
    assert contact is not None
    fd_contact = next(
        c for c in service.fd.store.contacts.values() if c["email"] == contact["email"]
    )
    body = {"ticket": {"id": 10}, "requester": {"id": fd_contact["id"], "email": contact["email"]}}
    card = (await service.http.post("/v1/card", json=body, headers=HEADERS)).json()
    up = card["card"]["upsales"]
    assert order["id"] in {d["id"] for d in up["opportunities"]}
    assert all(1 <= d["probability"] <= 99 for d in up["opportunities"])
    assert all(d["probability"] == 100 for d in up["orders"])
    own = {a["id"] for a in store.all("activities") if contact["id"] in a["contacts"]}
    assert {a["id"] for a in up["activities"]} <= own
    assert len(up["activities"]) == min(5, len(own))


async def test_differences_are_listed(service: Service) -> None:
    card = (await service.card("different")).json()
    assert card["status"] == "found"
    assert {d["field"]: (d["freshdesk"], d["upsales"]) for d in card["differences"]} == {
        "phone": ("+46 70 999 88 77", "+46 70 444 55 66"),
        "title": ("Teknisk chef", "CTO"),
    }


async def test_not_found_keeps_the_freshdesk_data(service: Service) -> None:
    card = (await service.card("not_found")).json()
    assert card["status"] == "not_found"
    assert codes(card) == {"upsales:not_found"}
    assert card["errors"][0]["level"] == "warning"
    assert card["card"]["freshdesk"]["name"] == "Nils Ek"
    assert card["card"]["upsales"] is None
    # The email, then the weak steps: the phone (1), the domain's accounts by website and
    # by colleagues (2), and their people (1): none is Nils Ek.
    assert service.upstream_calls() == (1, 5)


async def test_other_emails_are_tried(service: Service) -> None:
    card = (await service.card("other_email")).json()
    assert card["status"] == "found"
    assert card["card"]["upsales"]["matched_email"] == "karin.holm@skargard.example"


async def test_ambiguous_lists_the_candidates_and_a_pick_resolves_it(service: Service) -> None:
    card = (await service.card("ambiguous")).json()
    assert card["status"] == "ambiguous"
    assert codes(card) == {"upsales:ambiguous"}
    names = sorted(c["name"] for c in card["card"]["candidates"])
    assert names == ["Lars Kvarnström", "Lena Kvarnström"]
    assert card["html"].count('class="ufd-choose"') == 2
    picked = card["card"]["candidates"][0]["id"]
    resolved = (await service.card("ambiguous", upsales_contact_id=picked)).json()
    assert resolved["status"] == "found"
    assert resolved["card"]["upsales"]["id"] == picked


async def test_non_ascii_names(service: Service) -> None:
    card = (await service.card("non_ascii", locale="sv")).json()
    assert card["card"]["upsales"]["name"] == "Søren Ødegård"
    assert "Søren Ødegård" in card["html"]


async def test_hostile_crm_text_is_escaped(service: Service) -> None:
    card = (await service.card("hostile")).json()
    html = card["html"]
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("down", "kept", "code"),
    [
        ("us", "freshdesk", "upsales:unavailable"),
        ("fd", "upsales", "freshdesk:unavailable"),
    ],
)
async def test_one_upstream_down_gives_a_partial_card(
    service: Service, down: str, kept: str, code: str
) -> None:
    getattr(service, down).faults.set(outage())
    card = (await service.card("found")).json()
    assert card["status"] == "partial"
    assert code in codes(card)
    assert card["card"][kept] is not None
    assert "Astrid Lindqvist" in card["html"]


async def test_both_down_is_an_error_status(service: Service) -> None:
    for emu in (service.fd, service.us):
        emu.faults.set(outage(500))
    card = (await service.card("found")).json()
    assert card["status"] == "error"
    # One clear message, not one per upstream over an empty card.
    assert [(e["source"], e["code"]) for e in card["errors"]] == [("service", "upstreams_down")]
    assert card["errors"][0]["message"].startswith("Neither Freshdesk nor Upsales")
    assert card["html"].count('class="ufd-notice') == 1


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("X-Freshdesk-Api-Key", "freshdesk:auth_failed"),
        ("X-Upsales-Token", "upsales:auth_failed"),
    ],
)
async def test_wrong_keys_are_told_apart(service: Service, header: str, code: str) -> None:
    card = (await service.card("found", headers={header: "wrong-key"})).json()
    assert card["status"] == "partial"
    assert codes(card) == {code}
    message = card["errors"][0]["message"]
    assert ("Freshdesk" if code.startswith("freshdesk") else "Upsales") in message


async def test_rate_limited_says_when_to_try_again(service: Service) -> None:
    service.us.faults.set(rate_limited(30, count=100))
    card = (await service.card("found", locale="sv")).json()
    (issue,) = card["errors"]
    assert issue["code"] == "rate_limited"
    assert issue["retry_after"] == 30
    assert "30 sekunder" in issue["message"]


async def test_a_hanging_upstream_still_gets_an_answer_by_the_deadline() -> None:
    async with running(card_deadline_seconds=1.0) as service:
        service.us.faults.set(hanging(60))
        started = time.monotonic()
        card = (await service.card("found")).json()
        elapsed = time.monotonic() - started
    assert elapsed < 5  # the 1 s deadline ended it, not the 60 s hang
    assert card["status"] == "partial"
    assert codes(card) == {"upsales:timeout"}
    assert card["card"]["freshdesk"]["name"] == "Astrid Lindqvist"


def test_the_deadline_leaves_room_under_the_platforms_15_seconds() -> None:
    from upsales_freshdesk.settings import Settings

    assert Settings().card_deadline_seconds + 0.5 < 10
    with pytest.raises(ValueError):
        Settings(card_deadline_seconds=14)


async def test_a_failing_detail_call_still_shows_the_contact(service: Service) -> None:
    healthy = (await service.card("found")).json()["card"]["upsales"]
    service.us.faults.set(outage(500, match="/orders"))
    card = (await service.card("found")).json()
    assert card["status"] == "partial"
    assert codes(card) == {"upsales:unavailable"}
    upsales = card["card"]["upsales"]
    assert upsales["name"] == "Astrid Lindqvist"
    assert upsales["opportunities"] == upsales["orders"] == []  # the failed call
    assert healthy["activities"], "the scenario has activities"
    assert upsales["activities"] == healthy["activities"]  # the healthy call still counts


async def test_timings_are_reported(service: Service) -> None:
    card = (await service.card("found")).json()
    assert {
        "freshdesk_contact",
        "upsales_contact",
        "upsales_account",
        "upsales_deals",
        "upsales_activities",
        "total",
    } <= set(card["timings"])


HEADERS = {
    "X-Freshdesk-Domain": "demo.freshdesk.com",
    "X-Freshdesk-Api-Key": "demo-freshdesk-key",
    "X-Upsales-Token": "demo-upsales-token",
}


async def test_the_differences_follow_a_custom_field_mapping() -> None:
    """The card shows what "Update" would write: with phone mapped to Upsales' cellPhone,
    the phone difference compares against the cell phone, and unmapped fields show none."""
    async with running() as default:
        standard = {d["field"] for d in (await default.card("different")).json()["differences"]}
    assert "title" in standard
    async with running(field_mapping={"phone": "cellPhone"}) as custom:
        card = (await custom.card("different")).json()
    upsales = card["card"]["upsales"]
    freshdesk = card["card"]["freshdesk"]
    fields = {d["field"] for d in card["differences"]} - {"company"}
    expected_phone = {"phone"} if freshdesk["phone"] != upsales["cell_phone"] else set()
    assert fields == expected_phone  # name, mobile and title are not mapped: no difference
    for d in card["differences"]:
        if d["field"] == "phone":
            assert d["upsales"] == upsales["cell_phone"]


@pytest.mark.parametrize("scenario", ["found", "different", "ambiguous", "not_found"])
async def test_the_answer_is_the_card_response_model_exactly(
    service: Service, scenario: str
) -> None:
    """The route adds ``html`` and ``locale`` to the result's JSON itself: the body is
    what the documented ``CardResponse`` model gives, field for field."""
    from upsales_freshdesk.web.routes.card import CardResponse

    resp = await service.card(scenario)
    body = resp.json()
    assert resp.headers["content-type"] == "application/json"
    model = CardResponse.model_validate(body)
    assert model.model_dump(mode="json") == body
    assert list(body)[-2:] == ["html", "locale"]
    assert body["html"].startswith("<section")
