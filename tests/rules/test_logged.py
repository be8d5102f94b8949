"""The notes' lines of a logged or timeline activity, in each language: written in the
writer's language, read back whichever language wrote them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from upsales_freshdesk.clients.upsales import models as us
from upsales_freshdesk.rules.language import SUPPORTED
from upsales_freshdesk.rules.logged import (
    LOGGED_BY_LINE,
    TICKET_LINE,
    TIMELINE_STAMP_LINE,
    line,
    logged_by,
    timeline_stamp,
)

WHEN = datetime(2026, 3, 2, 9, 14, 5, tzinfo=UTC)


def activity(*lines: str) -> us.Activity:
    return us.Activity(id=1, notes="\n".join(lines))


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "Logged in Freshdesk by Anna Berg"),
        ("sv", "Loggat i Freshdesk av Anna Berg"),
        ("nb", "Logget i Freshdesk av Anna Berg"),
        ("da", "Logget i Freshdesk af Anna Berg"),
        ("fi", "Kirjaaja Freshdeskissä: Anna Berg"),
    ],
)
def test_the_agent_line_is_written_and_read_in_each_language(locale: str, text: str) -> None:
    written = line(LOGGED_BY_LINE, locale, name="Anna Berg")
    assert written == text
    ticket = line(TICKET_LINE, locale, id=42, subject="Invoice")
    assert "#42" in ticket
    assert ticket.endswith(": Invoice")
    assert logged_by(activity(ticket, "https://acme.freshdesk.com/a/tickets/42", written)) == (
        "Anna Berg"
    )


def test_an_agent_line_written_before_the_notes_were_translated_is_read() -> None:
    assert logged_by(activity("Freshdesk ticket #7: Hi", "Logged in Freshdesk by Bo")) == "Bo"
    assert logged_by(activity("Freshdesk ticket #7: Hi", "Logged by someone")) is None
    assert logged_by(activity("Logged in Freshdesk by ")) is None  # no name


@pytest.mark.parametrize("locale", SUPPORTED)
def test_the_timeline_stamp_is_read_back_in_each_language(locale: str) -> None:
    stamp = line(TIMELINE_STAMP_LINE, locale, when=WHEN.isoformat())
    assert stamp.endswith("2026-03-02T09:14:05+00:00")
    assert timeline_stamp(activity("Status: Open", "", "a description line", stamp)) == WHEN
    # a stamp that is not a time is no stamp, in any language
    for other in SUPPORTED:
        assert timeline_stamp(activity(line(TIMELINE_STAMP_LINE, other, when="x"))) is None


def test_an_activity_without_a_stamp_has_none() -> None:
    assert timeline_stamp(activity("Freshdesk ticket #7: Hi", "Status: Open")) is None
    assert timeline_stamp(us.Activity(id=1)) is None
