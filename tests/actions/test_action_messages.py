"""A failed action says what was not done and whether trying again is safe, never the
card's own text ("Showing what Freshdesk has" after a click that wrote nothing)."""

from __future__ import annotations

from typing import get_args

import pytest

from tests.support.faults import outage
from tests.support.service import Service
from tests.support.writes import act, card_of, create_body, log_body
from upsales_freshdesk.rules.codes import Code, Issue, Source
from upsales_freshdesk.web.rendering.i18n import SUPPORTED
from upsales_freshdesk.web.rendering.messages import ACTIONS, MAX_MESSAGE, action_message, fit


async def test_update_with_upsales_down_says_freshdesk_was_not_updated(service: Service) -> None:
    card = await card_of(service, "different")
    service.us.faults.set(outage())
    body = {
        "freshdesk_contact_id": card["card"]["freshdesk"]["id"],
        "upsales_contact_id": card["card"]["upsales"]["id"],
        "fields": ["phone"],
        "freshdesk_updated_at": card["card"]["freshdesk"]["updated_at"],
    }
    down = await act(service, "update-freshdesk", body, status=502)
    assert down["action"] == "update-freshdesk"
    assert down["errors"][0]["code"] == "unavailable"
    assert down["errors"][0]["message"] == (
        "Freshdesk was not updated: Upsales is not answering. It is safe to try again."
    )


async def test_log_with_upsales_down_says_not_logged_in_swedish(service: Service) -> None:
    body = await log_body(service, locale="sv")
    service.us.faults.set(outage())
    down = await act(service, "log-ticket", body, status=502)
    assert down["action"] == "log-ticket"
    assert down["errors"][0]["message"] == (
        "Inte loggat: Upsales svarar inte. Det går bra att försöka igen."
    )


async def test_create_refused_says_not_created(service: Service) -> None:
    service.us.faults.set(outage())
    down = await act(service, "create-upsales", create_body(), status=502)
    assert down["errors"][0]["message"].startswith("Not created in Upsales: Upsales is not")


def test_a_timed_out_write_says_it_may_have_happened() -> None:
    """A timeout may come after the write: the text does not claim it was not done."""
    message = action_message("log-ticket", Issue(source="upsales", code="timeout"), "en")
    assert (
        message == "Maybe not logged: Upsales took too long. Sync to check; trying again is safe."
    )
    sv = action_message("update-freshdesk", Issue(source="freshdesk", code="timeout"), "sv")
    assert sv.startswith("Kanske inte uppdaterat i Freshdesk: ")


@pytest.mark.parametrize("locale", SUPPORTED)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_text_fits_and_names_what_was_not_done(action: str, locale: str) -> None:
    """Every code from every source, in every language: within the platform's 100
    characters, whole sentences (English always whole; a longer text ends at its last
    sentence that fits, never within a word), opening with what was (maybe) not done."""
    prefixes: set[str] = set()
    for source in get_args(Source):
        for code in get_args(Code):
            issue = Issue(
                source=source, code=code, retry_after=30 if code == "rate_limited" else None
            )
            text = action_message(action, issue, locale)
            assert len(text) <= MAX_MESSAGE, text
            assert text.endswith("."), text
            if locale == "en":
                assert "…" not in text, text
            assert ": " in text, text
            prefixes.add(text.split(": ", 1)[0])
    reads = {"contact-form", "search-contacts", "company"}  # nothing written: no "Maybe"
    assert len(prefixes) == (1 if action in reads else 2)  # "Not …", "Maybe not …"


def test_the_card_texts_are_unchanged() -> None:
    """The card keeps its own text: only actions speak of what was not done."""
    from upsales_freshdesk.web.rendering.messages import issue_message

    issue = Issue(source="upsales", code="unavailable")
    assert issue_message(issue, "en") == "Upsales is not answering. Showing what Freshdesk has."


@pytest.mark.parametrize(
    ("text", "fitted"),
    [
        ("Short. Whole.", "Short. Whole."),
        ("x" * 100, "x" * 100),
        # Past 100: the last sentence or clause that fits, a clause ending in "."
        (
            "Ikke logget: " + "a" * 40 + ". Synkroniser for å sjekke; " + "b" * 40 + ".",
            "Ikke logget: " + "a" * 40 + ". Synkroniser for å sjekke.",
        ),
        ("Ei kirjattu: " + "a" * 80 + ". " + "b" * 20, "Ei kirjattu: " + "a" * 80 + "."),
        # No sentence ends late enough: the last whole word, and an ellipsis.
        ("Ikke logget: " + "ord " * 30, ("Ikke logget: " + "ord " * 21).rstrip() + "…"),
    ],
)
def test_a_long_text_is_cut_after_a_sentence_or_a_word(text: str, fitted: str) -> None:
    assert fit(text) == fitted
    assert len(fit(text)) <= MAX_MESSAGE
