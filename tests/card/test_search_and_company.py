"""The card's reads on demand: the agent's search for an Upsales contact (by email,
phone or name, Upsales' filters as the emulator answers them) and the company section."""

from __future__ import annotations

from tests.support.service import Service
from tests.support.writes import card_of, post
from upsales_freshdesk.card.search import kind_of
from upsales_freshdesk.emulators.scenarios import SCENARIOS


def test_what_a_query_is() -> None:
    assert kind_of("astrid.lindqvist@nordvind.example") == "email"
    assert kind_of("070-111 22 33") == "phone"
    assert kind_of("+46 70 111 22 33") == "phone"
    assert kind_of("Søren") == "name"
    assert kind_of("12") == "name"


async def search(service: Service, query: str, locale: str = "en") -> dict[str, object]:
    resp = await post(
        service,
        "search-contacts",
        {"query": query, "freshdesk_contact_id": 1, "locale": locale},
    )
    assert resp.status_code == 200, resp.text
    result: dict[str, object] = resp.json()
    return result


async def test_search_by_email_phone_and_name(service: Service) -> None:
    by_email = await search(service, SCENARIOS["found"].email.upper())
    assert by_email["details"] == {"contacts": [1]}
    by_phone = await search(service, "070-111 22 33")  # stored as +46 70 111 22 33
    assert by_phone["details"] == {"contacts": [1]}
    by_name = await search(service, "ødegård")
    assert 6 in by_name["details"]["contacts"]  # type: ignore[index]
    assert by_name["status"] == "part"
    assert 'data-action="link-contact"' in str(by_name["html"])
    assert service.us.stats.total == 3  # one call each


async def test_nothing_found_is_said(service: Service) -> None:
    sv = await search(service, "Ingen Alls", locale="sv")
    assert "Ingen kontakt i Upsales matchar." in str(sv["html"])


async def test_the_company_section_loads_on_demand(service: Service) -> None:
    card = await card_of(service, "found")
    assert 'data-lazy="company"' in card["html"]
    calls = service.upstream_calls()
    up = card["card"]["upsales"]
    resp = await post(
        service,
        "company",
        {
            "upsales_account_id": up["account"]["id"],
            "upsales_contact_id": up["id"],
            "freshdesk_company_id": card["card"]["freshdesk_company_id"],
        },
    )
    assert resp.status_code == 200, resp.text
    html = resp.json()["html"]
    store = service.us.store
    others = [c for c in store.all("contacts") if c["client"] == 1 and c["id"] != up["id"]]
    assert (others[0]["name"] in html) == bool(others)
    assert "Astrid Lindqvist" not in html  # the contact herself is not an "other"
    fd_calls, us_calls = service.upstream_calls()
    assert (fd_calls - calls[0], us_calls - calls[1]) == (1, 3)  # the section's own calls


async def test_a_missing_account_is_a_refusal(service: Service) -> None:
    resp = await post(service, "company", {"upsales_account_id": 99_999})
    assert resp.status_code == 404
    assert resp.json()["action"] == "company"
