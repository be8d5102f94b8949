"""The real app in a real browser, in the demo host, as an agent uses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support.demo import AXE, Demo, open_ticket, sync, toasts
from upsales_freshdesk.demo.platform import DEMO_SECRET


def test_a_found_requester_shows_the_upsales_data(page: Any, demo: Demo, artifacts: Path) -> None:
    frame = sync(page, demo, "found")
    text = str(frame.locator("#ufd-result").text_content())  # the folded details too
    store = demo.upsales().store
    contact = store.get("contacts", 1)
    account = store.get("accounts", contact["client"])
    for value in (
        contact["name"],
        contact["title"],
        contact["phone"],
        contact["email"],
        account["name"],
    ):
        assert value in text
    if contact["cellPhone"]:
        assert contact["cellPhone"] in text
    for manager_id in account["users"]:
        assert store.get("users", manager_id)["name"] in text
    opportunities = [
        o for o in store.all("orders") if o["contact"] == 1 and 1 <= o["probability"] <= 99
    ]
    for o in opportunities[:5]:
        assert o["description"] in text
    if not opportunities:
        assert "No open opportunities" in text
    activities = [a for a in store.all("activities") if 1 in a["contacts"]]
    assert activities
    assert any(a["description"] in text for a in activities)
    assert frame.locator("a.ufd-open").get_attribute("href").startswith("https://")
    assert page.locator("[data-testid=app-frame]").evaluate("f => f.style.height") == "520px"
    page.screenshot(path=str(artifacts / "found.png"), full_page=True)
    assert page.errors == []


def test_a_requester_not_in_upsales_is_said_and_notified(
    page: Any, demo: Demo, artifacts: Path
) -> None:
    frame = sync(page, demo, "not_found")
    said = "No Upsales contact has this email address."
    assert frame.locator("#ufd-result").inner_text().count(said) == 1  # once on the card
    assert [t for t in toasts(page) if said in t] != []  # and once as a notification
    page.screenshot(path=str(artifacts / "not-found.png"), full_page=True)


def test_upsales_down_gives_a_partial_card_and_the_page_stays_usable(
    page: Any,
    demo: Demo,
    artifacts: Path,
) -> None:
    demo.state(upsales="down")
    frame = sync(page, demo, "found")
    result = frame.locator("#ufd-result")
    assert result.get_attribute("data-status") == "partial"
    assert "Astrid Lindqvist" in result.inner_text()  # what Freshdesk gave is still shown
    # The toast may follow the card by a moment: wait for it rather than read at once.
    page.locator("[data-testid=toast]", has_text="Upsales is not answering").first.wait_for(
        timeout=10_000
    )
    page.screenshot(path=str(artifacts / "partial.png"), full_page=True)
    page.get_by_test_id("ticket-2").click()
    # (The subject is also in the ticket list: wait for the header itself to change.)
    page.locator("#ticket-subject", has_text="Password reset link expired").wait_for()
    assert page.locator("#ticket-subject").inner_text().startswith("#2")


def test_a_wrong_upsales_token_blocks_the_install(page: Any, demo: Demo) -> None:
    page.goto(f"{demo.url}/install")
    settings = page.frame_locator("[data-testid=settings-frame]")
    upsales_key = settings.get_by_label("Upsales API key")
    upsales_key.wait_for()
    page.wait_for_function(
        "() => document.querySelector('iframe').contentDocument"
        ".getElementById('freshdesk_domain').value !== ''"
    )
    upsales_key.fill("not-the-right-token")
    # The saved secret comes masked: a new key is checked with the secret typed anew.
    settings.locator("fw-input#service_secret input:not([type=hidden])").fill(DEMO_SECRET)
    page.get_by_test_id("install").click()
    page.get_by_text("Install blocked").wait_for()
    message = settings.locator("#msg-upsales_api_key").inner_text()
    assert "The Upsales API key was refused" in message
    kept = settings.locator("#msg-freshdesk_api_key").inner_text()
    assert kept.startswith("Unchanged")  # masked when saved: kept, never sent as a key
    saved = httpx.get(f"{demo.url}/_demo/iparams").json()["iparams"]
    assert saved["upsales_api_key"] == "demo-upsales-token"  # nothing was saved
    upsales_key.fill("demo-upsales-token")
    page.get_by_test_id("install").click()
    page.get_by_text("Installed.").wait_for()


def test_a_swedish_agent_sees_swedish(page: Any, demo: Demo) -> None:
    demo.state(language="sv")
    frame = sync(page, demo, "found")
    assert frame.locator("#ufd-sync").inner_text() == "Synka kontakt från Upsales"
    text = frame.locator("#ufd-result").text_content()  # the words, not their CSS case
    for word in ("Kontaktuppgifter", "Kundansvariga", "Senaste aktiviteter", "Öppna i Upsales"):
        assert word in text


def test_a_hostile_crm_name_renders_as_text(page: Any, demo: Demo) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    frame = open_ticket(page, demo, "hostile")
    app = page.frame(url=lambda u: "/app/index.html" in u)
    scripts_before = app.evaluate("document.scripts.length")
    frame.locator("#ufd-sync").click()
    frame.locator("#ufd-result .ufd-card").wait_for()
    page.wait_for_timeout(300)
    text = frame.locator("#ufd-result").inner_text()
    assert '<img src=x onerror="alert(1)">Eve <script>alert(2)</script>' in text
    assert app.evaluate("document.scripts.length") == scripts_before
    assert (
        app.evaluate("document.querySelectorAll('#ufd-result img, #ufd-result script').length") == 0
    )
    assert app.evaluate("document.title") != "pwned"
    assert dialogs == []
    assert (
        page.locator("[data-testid=ticket-list] img, [data-testid=ticket-list] script").count() == 0
    )


def test_a_double_click_sends_one_request(page: Any, demo: Demo) -> None:
    frame = open_ticket(page, demo, "found")
    before = demo.state()["relayed"]
    frame.locator("#ufd-sync").dblclick()
    frame.locator("#ufd-result .ufd-card").wait_for()
    frame.locator("#ufd-sync:not([disabled])").wait_for()
    assert demo.state()["relayed"] == before + 1


def test_the_sidebar_has_no_serious_accessibility_violations(browser: Any, demo: Demo) -> None:
    demo.state(reset=True, language="en", upsales="normal", freshdesk="normal")
    context = browser.new_context(bypass_csp=True)  # only so that axe can be injected
    page = context.new_page()
    sync(page, demo, "different")
    app = page.frame(url=lambda u: "/app/index.html" in u)
    app.add_script_tag(path=str(AXE))
    results = app.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []
