"""Matching beyond the email in a real browser, in the demo host, English and Swedish:
a phone match and a name at the domain's company are suggestions with their reason and
a "Link" (no action that writes), a link makes the card whole, and a linked contact shows
the whole customer when the agent expands it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.demo import ROOT, Demo, sync
from upsales_freshdesk.emulators.scenarios import SCENARIOS

TEXT = {
    "en": {
        "phone": "Same phone",
        "name": "Same name at the company with this domain",
        "link": "Link this contact",
        "linked_toast": "The contacts are linked.",
        "linked": "Linked to this Upsales contact",
        "unlink": "Unlink",
        "unlinked_toast": "The link is removed.",
        "customer": "The whole customer",
        "others": "Other contacts",
        "follow": "Follow-up for the account manager",
        "create": "Create the follow-up",
        "followed": "The follow-up is created in Upsales.",
    },
    "sv": {
        "phone": "Samma telefonnummer",
        "name": "Samma namn på företaget med den här domänen",
        "link": "Länka den här kontakten",
        "linked_toast": "Kontakterna är länkade.",
        "linked": "Länkad till den här kontakten i Upsales",
        "unlink": "Ta bort länken",
        "unlinked_toast": "Länken är borttagen.",
        "customer": "Hela kunden",
        "others": "Andra kontakter",
        "follow": "Uppföljning för kundansvarig",
        "create": "Skapa uppföljningen",
        "followed": "Uppföljningen är skapad i Upsales.",
    },
}


def toast_with(page: Any, text: str) -> None:
    page.locator("[data-testid=toast]", has_text=text).first.wait_for(timeout=10_000)


def requester(demo: Demo, scenario: str) -> dict[str, Any]:
    store = demo.host.emulators["freshdesk"].store
    ticket = store.ticket(SCENARIOS[scenario].ticket_id)
    found: dict[str, Any] = store.contact(ticket["requester_id"])
    return found


def no_writes_offered(frame: Any) -> None:
    for action in ("update-freshdesk", "log-ticket", "follow-up"):
        assert frame.locator(f"[data-action={action}]").count() == 0


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_phone_match_is_a_suggestion_until_linked(page: Any, demo: Demo, language: str) -> None:
    demo.state(language=language)
    words = TEXT[language]
    frame = sync(page, demo, "phone_match")
    frame.locator("#ufd-result[data-status=suggested]").wait_for(timeout=10_000)
    suggestion = frame.locator(".ufd-candidates li")
    assert suggestion.count() == 1
    assert "Astrid Lindqvist" in suggestion.inner_text()
    assert words["phone"] in suggestion.inner_text()
    no_writes_offered(frame)
    suggestion.get_by_role("button", name=words["link"]).click()
    toast_with(page, words["linked_toast"])
    frame.locator("#ufd-result[data-status=found]").wait_for(timeout=10_000)
    assert words["linked"] in frame.locator(".ufd-linked").inner_text()
    assert requester(demo, "phone_match")["unique_external_id"] == "upsales:1"
    frame.get_by_role("button", name=words["unlink"], exact=True).click()
    toast_with(page, words["unlinked_toast"])
    frame.locator("#ufd-result[data-status=suggested]").wait_for(timeout=10_000)
    assert requester(demo, "phone_match")["unique_external_id"] is None


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_name_at_the_domains_company_is_suggested(page: Any, demo: Demo, language: str) -> None:
    demo.state(language=language)
    frame = sync(page, demo, "name_at_domain")
    frame.locator("#ufd-result[data-status=suggested]").wait_for(timeout=10_000)
    suggestion = frame.locator(".ufd-candidates li")
    assert "Søren Ødegård" in suggestion.inner_text()
    assert TEXT[language]["name"] in suggestion.inner_text()
    no_writes_offered(frame)


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_linked_contact_and_the_whole_customer(page: Any, demo: Demo, language: str) -> None:
    demo.state(language=language)
    words = TEXT[language]
    calls_before = demo.upsales().stats.total
    frame = sync(page, demo, "linked")
    frame.locator("#ufd-result[data-status=found]").wait_for(timeout=10_000)
    assert "Karin Holm" in frame.locator(".ufd-name").first.inner_text()
    assert words["linked"] in frame.locator(".ufd-linked").inner_text()
    card_calls = demo.upsales().stats.total - calls_before
    customer = frame.locator("details.ufd-customer")
    customer.locator("summary").click()  # read only now: its calls come after the card's
    customer.locator(".ufd-customer-body").wait_for(timeout=10_000)
    assert words["others"] in customer.inner_text()
    assert demo.upsales().stats.total - calls_before == card_calls + 3
    page.screenshot(path=ROOT / "test-artifacts" / f"matching-linked-{language}.png")


def test_a_follow_up_for_the_account_manager(page: Any, demo: Demo) -> None:
    words = TEXT["en"]
    frame = sync(page, demo, "linked")
    form = frame.locator("details.ufd-followup")
    form.locator("summary").click()
    form.locator("input[name=due_date]").fill("2027-02-01")
    form.locator("textarea[name=note]").fill("Renewal in March")
    form.get_by_role("button", name=words["create"]).click()
    toast_with(page, words["followed"])
    marker = f"[Freshdesk demo.freshdesk.com #{SCENARIOS['linked'].ticket_id} follow-up "
    made = [
        a for a in demo.upsales().store.all("activities") if a["description"].startswith(marker)
    ]
    assert len(made) == 1
    assert made[0]["closeDate"] is None
    assert made[0]["notes"].startswith("Renewal in March")
