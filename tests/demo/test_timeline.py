"""Issue 29 in the demo: a ticket created or changed on the Freshdesk-like page reaches
the Upsales timeline by itself. The emulator's automation rules call the backend's
webhook, the page's "Upsales side" shows the ticket's one activity through Upsales' API,
and the app's card, at the sidebar's real size, says the ticket is on the timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.demo import AXE, Demo
from upsales_freshdesk.emulators.scenarios import SCENARIOS

FRAME = 520
SUBJECT = "Invoice 4711 paid twice"
ON_TIMELINE = {
    "en": "On the Upsales timeline, updated",
    "sv": "På tidslinjen i Upsales, uppdaterad",
}
LOG_BUTTON = {"en": "Log this ticket to Upsales", "sv": "Logga ärendet i Upsales"}


def requester_of(demo: Demo, scenario: str) -> dict[str, Any]:
    store = demo.host.emulators["freshdesk"].store
    requester: dict[str, Any] = store.contact(
        store.ticket(SCENARIOS[scenario].ticket_id)["requester_id"]
    )
    return requester


def marked(demo: Demo, ticket_id: int) -> list[dict[str, Any]]:
    """The ticket's activities in the Upsales emulator, found by the product's marker."""
    marker = f"[Freshdesk demo.freshdesk.com #{ticket_id}]"
    return [
        a for a in demo.upsales().store.all("activities") if a["description"].startswith(marker)
    ]


def create_ticket(page: Any, demo: Demo, scenario: str) -> int:
    """A new ticket for the scenario's requester, made on the page with the keyboard; its
    id, once the page has opened it."""
    page.goto(f"{demo.url}/?ticket={SCENARIOS['found'].ticket_id}")
    page.locator("[data-testid=upsales-side][aria-busy=false][data-ticket]").wait_for()
    page.get_by_role("button", name="New ticket").focus()
    page.keyboard.press("Enter")  # the form opens with the subject focused
    subject = page.get_by_label("Subject")
    assert subject.evaluate("e => e === document.activeElement")
    page.keyboard.type(SUBJECT)
    page.get_by_label("Requester").select_option(str(requester_of(demo, scenario)["id"]))
    subject.press("Enter")  # submits the form
    heading = page.locator("#ticket-subject", has_text=SUBJECT)
    heading.wait_for()
    return int(heading.inner_text().split()[0].removeprefix("#"))


def this_ticket(page: Any, has_text: str | None = None) -> Any:
    return page.locator("[data-testid=upsales-activity][data-this-ticket=true]", has_text=has_text)


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_new_ticket_and_its_status_reach_the_upsales_timeline(
    page: Any, demo: Demo, artifacts: Path, language: str
) -> None:
    demo.state(language=language)
    ticket_id = create_ticket(page, demo, "found")

    # The page waited for the rule's webhook and the backend's job: one activity, of the
    # account's support type, by the ticket's subject (never the marker), open.
    log = page.get_by_test_id("webhook-log")
    log.filter(has_text="Upsales timeline: ticket created").wait_for(timeout=15_000)
    assert "its webhook was delivered (202)" in log.inner_text()
    this_ticket(page).wait_for(timeout=15_000)
    assert this_ticket(page).count() == 1
    activity = this_ticket(page).first
    text = activity.inner_text()
    assert SUBJECT in text
    assert "Support" in text
    assert "Status: Open" in text
    assert "[Freshdesk" not in text
    first_id = activity.get_attribute("data-activity")
    (stored,) = marked(demo, ticket_id)
    assert str(stored["id"]) == first_id

    # Resolved in Freshdesk: the update rule's webhook brings the same activity up to date.
    page.get_by_label("Status", exact=True).select_option("4")
    page.get_by_role("button", name="Update", exact=True).click()
    log.filter(has_text="Upsales timeline: ticket updated").wait_for(timeout=15_000)
    this_ticket(page, has_text="Status: Resolved").wait_for(timeout=15_000)
    assert this_ticket(page).count() == 1
    assert this_ticket(page).first.get_attribute("data-activity") == first_id
    (stored,) = marked(demo, ticket_id)
    assert "Status: Resolved" in stored["notes"]

    # The app on that ticket: the card says it is on the timeline and offers no log.
    page.goto(f"{demo.url}/?ticket={ticket_id}")
    app = page.frame_locator("[data-testid=app-frame]")
    app.locator("#ufd-sync:not([disabled])").wait_for(timeout=10_000)
    app.locator("#ufd-sync").click()
    app.locator("#ufd-result .ufd-card").wait_for(timeout=15_000)
    app.locator("#ufd-sync:not([disabled])").wait_for(timeout=15_000)
    logged = app.locator(".ufd-logged")
    assert logged.inner_text().startswith(ON_TIMELINE[language])
    assert app.locator("[data-action=log-ticket]").count() == 0
    assert app.get_by_role("button", name=LOG_BUTTON[language]).count() == 0
    # Within the sidebar's first fold, as the card's primary actions are.
    sidebar = page.locator("[data-testid=app-frame]")
    assert sidebar.evaluate("f => f.style.height") == f"{FRAME}px"
    top, line = sidebar.bounding_box(), logged.bounding_box()
    assert line["y"] + line["height"] - top["y"] <= FRAME
    page.screenshot(path=str(artifacts / f"timeline-{language}.png"), full_page=True)
    assert page.errors == []


def test_a_requester_not_in_upsales_stays_off_the_timeline(page: Any, demo: Demo) -> None:
    """The timeline's default: a requester Upsales does not know is skipped, never
    created; the Upsales side says why it shows nothing."""
    ticket_id = create_ticket(page, demo, "not_found")
    page.get_by_test_id("webhook-log").filter(has_text="delivered (202)").wait_for()
    side = page.get_by_test_id("upsales-side")
    side.filter(has_text="No Upsales contact has the requester's email address.").wait_for()
    assert page.get_by_test_id("upsales-activity").count() == 0
    assert marked(demo, ticket_id) == []


def test_what_freshdesk_refuses_is_said_and_sets_off_nothing(page: Any, demo: Demo) -> None:
    page.goto(f"{demo.url}/?ticket={SCENARIOS['found'].ticket_id}")
    store = demo.host.emulators["freshdesk"].store
    tickets = len(store.tickets_list())
    page.get_by_role("button", name="New ticket").click()
    page.get_by_label("Subject").fill("   ")
    page.get_by_role("button", name="Create ticket").click()
    page.get_by_role("alert").filter(has_text="Give the ticket a subject.").wait_for()
    # Freshdesk down (the top bar's case): its answer is said, and the form kept.
    demo.state(freshdesk="down")
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_role("button", name="Create ticket").click()
    page.get_by_role("alert").filter(has_text="Freshdesk answered 503").wait_for()
    assert page.get_by_label("Subject").input_value() == SUBJECT
    assert len(store.tickets_list()) == tickets
    assert store.webhooks.deliveries == []


def test_the_new_parts_have_no_serious_accessibility_violations(browser: Any, demo: Demo) -> None:
    demo.state(reset=True, language="en", upsales="normal", freshdesk="normal")
    context = browser.new_context(bypass_csp=True)  # only so that axe can be injected
    page = context.new_page()
    create_ticket(page, demo, "found")
    this_ticket(page).wait_for(timeout=15_000)
    page.get_by_role("button", name="New ticket").click()  # the form open too
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "() => axe.run({include: [['#new-ticket'], ['#ticket-properties'], ['#upsales-side']]},"
        " {resultTypes: ['violations']})"
    )
    context.close()
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_with_upsales_down_the_upsales_side_says_so_and_the_job_waits(
    page: Any, demo: Demo
) -> None:
    demo.state(upsales="down")
    ticket_id = create_ticket(page, demo, "found")
    log = page.get_by_test_id("webhook-log")
    log.filter(has_text="The backend will try again later").wait_for()
    assert "its webhook was delivered (202)" in log.inner_text()  # accepted, kept for later
    page.get_by_test_id("upsales-side").filter(has_text="Upsales answered 503.").wait_for()
    assert page.get_by_test_id("upsales-activity").count() == 0
    assert marked(demo, ticket_id) == []
    assert page.errors == []
    # Last in the module: the job waits out its backoff in the backend's queue, which a
    # demo reset does not empty (it then finds no such ticket, or the same one's marker).


def test_the_upsales_side_follows_the_requesters_link(demo: Demo) -> None:
    """Ticket 10's requester is linked to an Upsales contact whose email is another: the
    panel shows that contact, as the timeline finds it."""
    demo.state(reset=True, language="en", upsales="normal", freshdesk="normal")
    linked = requester_of(demo, "linked")
    karin = int(linked["unique_external_id"].removeprefix("upsales:"))
    answer = httpx.get(f"{demo.url}/_demo/upsales/tickets/{SCENARIOS['linked'].ticket_id}")
    assert answer.status_code == 200
    assert answer.json()["contact"]["id"] == karin
