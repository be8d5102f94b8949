"""The write-back actions in a real browser, in the demo host."""

from __future__ import annotations

from typing import Any

from tests.support.demo import Demo, sync
from upsales_freshdesk.emulators.scenarios import SCENARIOS


def toast_with(page: Any, text: str) -> None:
    page.locator("[data-testid=toast]", has_text=text).first.wait_for(timeout=10_000)


def test_update_freshdesk_with_a_picked_upsales_value(page: Any, demo: Demo) -> None:
    frame = sync(page, demo, "different")
    frame.locator("tr[data-field=phone] input[name=apply]").check()
    frame.get_by_role("button", name="Update Freshdesk", exact=True).click()
    toast_with(page, "Updated in Freshdesk: Phone.")
    frame.locator("tr[data-field=phone]").wait_for(state="detached", timeout=10_000)
    assert frame.locator("tr[data-field=title]").count() == 1  # not picked, still differs
    fd = demo.host.emulators["freshdesk"].store
    contact = next(c for c in fd.contacts.values() if c["email"] == SCENARIOS["different"].email)
    assert contact["phone"] == "+46 70 444 55 66"
    # Undo puts the old value back, and the difference shows again.
    frame.get_by_role("button", name="Undo the update").click()
    toast_with(page, "Put back in Freshdesk: Phone.")
    frame.locator("tr[data-field=phone]").wait_for(timeout=10_000)
    contact = next(c for c in fd.contacts.values() if c["email"] == SCENARIOS["different"].email)
    assert contact["phone"] == "+46 70 999 88 77"
    assert frame.get_by_role("button", name="Undo the update").count() == 0


def test_log_the_ticket_once(page: Any, demo: Demo) -> None:
    frame = sync(page, demo, "found")
    frame.get_by_role("button", name="Log this ticket to Upsales").click()
    toast_with(page, "The ticket is logged to Upsales.")
    frame.locator("#ufd-sync:not([disabled])").wait_for()
    # The refreshed card says it is logged (when, by whom) instead of offering it again.
    logged = frame.locator(".ufd-logged")
    logged.wait_for(timeout=10_000)
    assert "Logged to Upsales" in logged.inner_text()
    assert frame.get_by_role("button", name="Log this ticket to Upsales").count() == 0
    activities = demo.upsales().store.all("activities")
    marker = "[Freshdesk demo.freshdesk.com #1]"
    assert sum(a["description"].startswith(marker) for a in activities) == 1
    # It names the agent who logged it (not the API key's user), and the card shows it by
    # the ticket's subject, never by the marker.
    agent = demo.host.emulators["freshdesk"].store.current_agent()["contact"]["name"]
    assert agent in logged.inner_text()
    assert "API Integration" not in logged.inner_text()
    (activity,) = [a for a in activities if a["description"].startswith(marker)]
    assert f"Logged in Freshdesk by {agent}" in activity["notes"]
    latest = frame.locator(".ufd-latest-activity").inner_text()
    assert "[Freshdesk" not in latest
    assert activity["description"].removeprefix(marker).strip() in latest


def test_create_a_missing_contact_on_the_proposed_account(page: Any, demo: Demo) -> None:
    frame = sync(page, demo, "not_found")
    frame.get_by_role("button", name="Create the contact in Upsales").click()
    form = frame.locator("form.ufd-create")
    form.wait_for()
    assert form.locator("input[name=name]").input_value() == "Nils Ek"
    requester = next(
        c
        for c in demo.host.emulators["freshdesk"].store.contacts.values()
        if c["email"] == SCENARIOS["not_found"].email
    )
    title = requester["job_title"] or ""
    assert form.locator("input[name=title]").input_value() == title  # every mapped field
    assert form.locator("input[name=account_id]:checked").get_attribute("value") == "26"
    frame.get_by_role("button", name="Create in Upsales").click()
    toast_with(page, "The contact is created in Upsales.")
    frame.locator("#ufd-result[data-status=found]").wait_for(timeout=10_000)
    assert "Nils Ek" in frame.locator("#ufd-result").inner_text()


def test_cancel_gives_back_a_create_button_that_works(page: Any, demo: Demo) -> None:
    """The create button came back from Cancel busy and disabled until the next sync."""
    frame = sync(page, demo, "not_found")
    frame.get_by_role("button", name="Create the contact in Upsales").click()
    frame.locator("form.ufd-create").wait_for()
    frame.get_by_role("button", name="Cancel").click()
    frame.locator("form.ufd-create").wait_for(state="detached", timeout=5_000)
    create = frame.locator("[data-action=contact-form]")
    assert create.get_attribute("aria-busy") == "false"
    assert create.is_enabled()
    create.click()
    frame.locator("form.ufd-create").wait_for(timeout=10_000)


def test_update_with_upsales_down_says_freshdesk_was_not_updated(page: Any, demo: Demo) -> None:
    """Not the card's "Showing what Freshdesk has": what the click did not do, and that
    trying again is safe."""
    frame = sync(page, demo, "different")
    frame.locator("tr[data-field=phone] input[name=apply]").check()
    demo.state(upsales="down")
    frame.get_by_role("button", name="Update Freshdesk", exact=True).click()
    toast_with(
        page, "Freshdesk was not updated: Upsales is not answering. It is safe to try again."
    )
    fd = demo.host.emulators["freshdesk"].store
    contact = next(c for c in fd.contacts.values() if c["email"] == SCENARIOS["different"].email)
    assert contact["phone"] == "+46 70 999 88 77"
