"""The demo's CRM data as a real Upsales account holds it: "Log this ticket" makes an
activity of the account's support type, and each card is in its company's language
(Swedish for a Swedish company, English for the others), whatever the agent's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.demo import Demo, sync
from upsales_freshdesk.emulators.upsales import sales

SWEDISH = ("Telefonsamtal", "Att göra", "Prospekt", "Offert", "Förhandling")
ENGLISH = ("Phone call", "Todo", "Prospect", "Quote", "Negotiation", "Head of Operations")


def card_text(frame: Any) -> str:
    """The whole card, folded parts included (``textContent``, not what is on screen)."""
    return str(frame.locator("#ufd-result .ufd-card").first.text_content())


def test_log_this_ticket_makes_a_support_activity(page: Any, demo: Demo) -> None:
    frame = sync(page, demo, "found")
    frame.get_by_role("button", name="Log this ticket to Upsales").click()
    page.locator("[data-testid=toast]", has_text="The ticket is logged to Upsales.").first.wait_for(
        timeout=10_000
    )
    frame.locator(".ufd-logged").wait_for(timeout=10_000)
    store = demo.upsales().store
    marker = "[Freshdesk demo.freshdesk.com #1]"
    (activity,) = [a for a in store.all("activities") if a["description"].startswith(marker)]
    assert sales.activity(store, activity)["activityType"]["name"] == "Support"
    latest = frame.locator(".ufd-latest-activity").inner_text()
    assert "Support:" in latest


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_swedish_companys_card_is_swedish(page: Any, demo: Demo, language: str) -> None:
    demo.state(language=language)
    text = card_text(sync(page, demo, "found"))
    assert "IT-chef" in text
    assert "Telefonsamtal" in text
    assert "Prospekt" in text
    assert not [word for word in ENGLISH if word in text]


def test_an_english_companys_card_is_english(page: Any, demo: Demo) -> None:
    demo.state(language="sv")
    text = card_text(sync(page, demo, "non_ascii"))
    assert "Head of Operations" in text
    assert "Phone call" in text or "Todo" in text
    assert not [word for word in SWEDISH if word in text]
