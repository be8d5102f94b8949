"""The card an agent needs, in a real browser: what matters lies in the first 520 px,
deals and activities link into Upsales, money follows the agent's locale, and each
action shows its own progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.demo import Demo, open_ticket, sync
from upsales_freshdesk.emulators.scenarios import SCENARIOS

FOLD = 520
#: What must be visible without scrolling, when the card has it.
FIRST_FOLD = (
    ".ufd-name",
    ".ufd-sub",
    ".ufd-managers-line",
    ".ufd-focus-deal",
    ".ufd-latest-activity",
    ".ufd-differences",
    "[data-action=update-freshdesk]",
    ".ufd-open",
    "[data-action=log-ticket]",
)


def bottom_in_frame(page: Any, frame: Any, selector: str) -> float | None:
    """The element's bottom edge, in px from the top of the sidebar frame."""
    element = frame.locator(selector).first
    if element.count() == 0:
        return None
    box = element.bounding_box()
    top = page.locator("[data-testid=app-frame]").bounding_box()
    return float(box["y"] + box["height"] - top["y"])


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("scenario", ["found", "different", "other_email"])
def test_what_matters_is_in_the_first_520_px(
    page: Any, demo: Demo, artifacts: Path, scenario: str, language: str
) -> None:
    demo.state(language=language)
    frame = sync(page, demo, scenario)
    seen = {}
    for selector in FIRST_FOLD:
        bottom = bottom_in_frame(page, frame, selector)
        if bottom is not None:
            seen[selector] = bottom
    assert ".ufd-name" in seen
    assert ".ufd-open" in seen
    assert "[data-action=log-ticket]" in seen or frame.locator(".ufd-logged").count() == 1
    late = {s: round(b) for s, b in seen.items() if b > FOLD}
    assert late == {}, f"below the fold: {late}"
    page.locator("[data-testid=app-frame]").screenshot(
        path=str(artifacts / f"card-{scenario}-{language}.png")
    )


@pytest.mark.parametrize("language", ["en", "sv"])
def test_an_ambiguous_choice_fits_and_holds(
    page: Any, demo: Demo, artifacts: Path, language: str
) -> None:
    demo.state(language=language)
    frame = sync(page, demo, "ambiguous")
    choices = frame.locator(".ufd-choose")
    assert choices.count() >= 2
    for i in range(choices.count()):
        box_bottom = bottom_in_frame(page, frame, f".ufd-candidates li:nth-child({i + 1})")
        assert box_bottom is not None
        assert box_bottom <= FOLD
    page.locator("[data-testid=app-frame]").screenshot(
        path=str(artifacts / f"card-ambiguous-{language}.png")
    )
    picked = choices.first.get_attribute("data-upsales-contact-id")
    choices.first.click()
    frame.locator(".ufd-card[data-upsales-contact-id]").wait_for(timeout=10_000)
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=10_000)
    frame.locator("#ufd-sync").click()  # a refresh keeps the pick
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=10_000)
    card = frame.locator(".ufd-card[data-upsales-contact-id]")
    assert card.get_attribute("data-upsales-contact-id") == picked


def test_deals_and_activities_link_into_upsales_and_money_follows_the_locale(
    page: Any, demo: Demo
) -> None:
    frame = sync(page, demo, "found")
    deal = frame.locator(".ufd-focus-deal a")
    assert deal.get_attribute("href", timeout=5000).startswith("https://power.upsales.com/")
    activity = frame.locator(".ufd-latest-activity a")
    assert activity.get_attribute("href").startswith("https://power.upsales.com/")
    english = frame.locator(".ufd-focus-deal").inner_text().replace("\u00a0", " ")
    assert "SEK 137,000" in english
    assert ".00" not in english
    demo.state(language="sv")
    frame = sync(page, demo, "found")
    swedish = frame.locator(".ufd-focus-deal").inner_text().replace("\u00a0", " ")
    assert "137 000 kr" in swedish


def test_each_action_shows_its_own_progress_and_the_card_dims(page: Any, demo: Demo) -> None:
    frame = sync(page, demo, "found")
    demo.state(upsales="slow")  # reloads the frame, as a mode change does
    frame = open_ticket(page, demo, "found")
    frame.locator("#ufd-sync").click()
    dimmed = frame.locator("#ufd-result.ufd-refreshing")
    dimmed.wait_for(state="attached", timeout=5_000)  # dimmed meanwhile
    frame.locator("#ufd-result .ufd-card").wait_for(timeout=20_000)
    dimmed.wait_for(state="detached", timeout=20_000)
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=20_000)
    log = frame.get_by_role("button", name="Log this ticket to Upsales")
    log.click()
    busy = frame.locator("[data-action=log-ticket][aria-busy=true]")
    busy.wait_for(timeout=5_000)  # the clicked button says it is working
    assert frame.locator("#ufd-sync[disabled]").count() == 1  # and nothing else starts
    page.locator("[data-testid=toast]").first.wait_for(timeout=20_000)  # then it says how it went


def test_the_create_form_has_cancel_and_a_named_new_company(page: Any, demo: Demo) -> None:
    frame = sync(page, demo, "not_found")
    texts = frame.locator("#ufd-result").inner_text()
    assert texts.count("not in Upsales") + texts.count("No Upsales contact") <= 1  # said once
    frame.get_by_role("button", name="Create the contact in Upsales").click()
    form = frame.locator("form.ufd-create")
    form.wait_for()
    form.locator("input[name=account_id][value=new]").check()
    frame.get_by_role("button", name="Create in Upsales").click()
    frame.locator(".ufd-field-error").wait_for(timeout=5_000)
    assert "Name the new company" in frame.locator(".ufd-field-error").inner_text()
    assert form.locator("input[name=name]").input_value() == "Nils Ek"  # kept as filled
    frame.get_by_role("button", name="Cancel").click()
    frame.locator("form.ufd-create").wait_for(state="detached", timeout=5_000)
    assert frame.get_by_role("button", name="Create the contact in Upsales").count() == 1
    assert SCENARIOS["not_found"].ticket_id == 3


def test_the_optional_auto_lookup_shows_the_card_without_a_click(page: Any, demo: Demo) -> None:
    import httpx

    saved = httpx.get(f"{demo.url}/_demo/iparams").json()["iparams"]
    frame = open_ticket(page, demo, "found")
    page.wait_for_timeout(500)
    assert frame.locator("#ufd-result .ufd-card").count() == 0  # off by default
    httpx.post(f"{demo.url}/_demo/iparams", json={**saved, "auto_lookup": True})
    try:
        frame = open_ticket(page, demo, "found")
        frame.locator("#ufd-result .ufd-card").wait_for(timeout=10_000)
        assert "Astrid Lindqvist" in frame.locator("#ufd-result .ufd-name").inner_text()
    finally:
        httpx.post(f"{demo.url}/_demo/iparams", json=saved)
