"""The app under the platform's behaviour: ticket switches without a reload, the settings
page's edit cycle, Crayons missing, and the template rules applied at run time."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.demo import ROOT, Demo, open_ticket, sync, toasts
from upsales_freshdesk.emulators.scenarios import SCENARIOS


def card_name(frame: Any) -> str:
    return str(frame.locator("#ufd-result .ufd-name").first.inner_text())


def test_a_ticket_switch_keeps_the_app_and_never_shows_the_last_card(page: Any, demo: Demo) -> None:
    """Open A, start a slow lookup, open B while it runs: only B's card ever shows, and
    "Log" logs B to B's contact."""
    frame = open_ticket(page, demo, "found")
    frame.locator("body").evaluate("() => { window.__sameApp = true; }")
    demo.state(upsales="slow")  # 3 s an Upsales call; the host reloads the frame for modes
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=10_000)
    frame.locator("body").evaluate("() => { window.__sameApp = true; }")
    frame.locator("#ufd-sync").click()
    page.wait_for_timeout(300)  # A's lookup is under way
    page.get_by_test_id(f"ticket-{SCENARIOS['different'].ticket_id}").click()
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=5_000)
    assert frame.locator("body").evaluate("() => window.__sameApp === true")  # not reloaded
    assert frame.locator("#ufd-result").inner_html() == ""
    demo.state(upsales="normal")
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=10_000)
    frame.locator("#ufd-sync").click()
    frame.locator("#ufd-result .ufd-card").wait_for(timeout=15_000)
    page.wait_for_timeout(3_500)  # long enough for A's slow answer to have come back
    assert card_name(frame) == "Mårten Sjöberg"
    assert "Astrid" not in frame.locator("#ufd-result").inner_text()
    frame.get_by_role("button", name="Log this ticket to Upsales").click()
    page.locator("[data-testid=toast]", has_text="logged").first.wait_for(timeout=10_000)
    activities = demo.upsales().store.all("activities")
    ticket_b = SCENARIOS["different"].ticket_id
    logged = [
        a
        for a in activities
        if a["description"].startswith(f"[Freshdesk demo.freshdesk.com #{ticket_b}]")
    ]
    assert len(logged) == 1
    marten = next(
        c
        for c in demo.upsales().store.all("contacts")
        if c["email"] == SCENARIOS["different"].email
    )
    assert logged[0]["contacts"] == [marten["id"]]


def test_editing_one_setting_keeps_the_stored_keys(page: Any, demo: Demo) -> None:
    before = httpx.get(f"{demo.url}/_demo/iparams").json()["iparams"]
    page.goto(f"{demo.url}/install")
    settings = page.frame_locator("[data-testid=settings-frame]")
    domain = settings.get_by_label("Freshdesk domain")
    domain.wait_for()
    page.wait_for_function(
        "() => document.querySelector('iframe').contentDocument"
        ".getElementById('freshdesk_domain').value !== ''"
    )
    domain.fill("other.freshdesk.com")
    page.get_by_test_id("install").click()
    page.get_by_text("Installed.").wait_for(timeout=15_000)
    after = httpx.get(f"{demo.url}/_demo/iparams").json()["iparams"]
    assert after["freshdesk_domain"] == "other.freshdesk.com"
    for key in ("freshdesk_api_key", "upsales_api_key", "service_host", "service_secret"):
        assert after[key] == before[key], key
    httpx.post(f"{demo.url}/_demo/iparams", json=before)


@pytest.mark.parametrize("crayons", ["blocked"])
def test_the_app_works_with_plain_controls_without_crayons(
    page: Any, demo: Demo, crayons: str
) -> None:
    frame = sync(page, demo, "found")
    assert frame.locator("#ufd-sync").evaluate("e => e.tagName") == "BUTTON"
    assert card_name(frame) == "Astrid Lindqvist"
    frame.get_by_role("button", name="Log this ticket to Upsales").click()
    page.locator("[data-testid=toast]", has_text="logged").first.wait_for(timeout=10_000)


def test_crayons_controls_are_used_when_it_loads(page: Any, demo: Demo) -> None:
    frame = sync(page, demo, "found")
    assert frame.locator("#ufd-sync").evaluate("e => e.tagName") == "FW-BUTTON"
    log = frame.get_by_role("button", name="Log this ticket to Upsales")
    assert log.evaluate("e => e.getRootNode().host && e.getRootNode().host.tagName") == "FW-BUTTON"


def test_context_in_a_sidebar_header_fails_as_on_the_platform(page: Any, demo: Demo) -> None:
    """The stand-in applies the validator's rules: a template that puts context in a
    header of a sidebar request is refused before anything is sent."""
    templates = json.loads((ROOT / "freshworks-app/config/requests.json").read_text("utf-8"))
    templates["card"]["schema"]["headers"]["Accept-Language"] = "<%= context.locale %>"
    page.route(
        "**/_fdk/requests.json",
        lambda route: route.fulfill(
            status=200, body=json.dumps(templates), headers={"content-type": "application/json"}
        ),
    )
    relayed = demo.state()["relayed"]
    frame = open_ticket(page, demo, "found")
    frame.locator("#ufd-sync").click()
    assert any("failed" in t for t in toasts(page))
    assert demo.state()["relayed"] == relayed  # nothing left the platform
