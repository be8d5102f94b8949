"""Dates on the card, as Babel writes them in each of the card's languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from upsales_freshdesk.web.rendering.dates import ago, day


@pytest.mark.parametrize(
    ("value", "locale", "text"),
    [
        (date(2026, 3, 1), "en", "Mar 1, 2026"),
        (date(2026, 3, 1), "sv", "1 mars 2026"),
        (date(2026, 2, 14), "sv", "14 feb. 2026"),
        (date(2026, 3, 1), "nb", "1. mars 2026"),
        (date(2026, 3, 1), "da", "1. mar. 2026"),
        (date(2026, 3, 1), "fi", "1.3.2026"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "en", "Dec 31, 2026"),
        (date(5, 1, 9), "en", "Jan 9, 5"),  # a year is not padded
        # A timestamp's own date, as Babel's format_date takes it: never converted.
        (datetime(2026, 3, 1, 5, 0, tzinfo=timezone(timedelta(hours=14))), "en", "Mar 1, 2026"),
        (datetime(2026, 3, 1, 20, 0, tzinfo=timezone(timedelta(hours=-12))), "sv", "1 mars 2026"),
        (datetime(2026, 3, 1, 0, 5), "en", "Mar 1, 2026"),
        (None, "en", ""),
    ],
)
def test_dates_read_as_the_locale_writes_them(value: date | None, locale: str, text: str) -> None:
    assert day(value, locale) == text


@pytest.mark.parametrize(
    ("locale", "minutes", "day_ago"),
    [
        ("en", "5 minutes ago", "1 day ago"),
        ("sv", "för 5 minuter sedan", "för 1 dag sedan"),
        ("nb", "for 5 minutter siden", "for 1 døgn siden"),  # CLDR's Bokmål says "døgn"
        ("da", "for 5 minutter siden", "for 1 dag siden"),
        ("fi", "5 minuuttia sitten", "1 päivä sitten"),
    ],
)
def test_how_long_ago_reads_as_the_locale_says_it(locale: str, minutes: str, day_ago: str) -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert ago(now - timedelta(minutes=5), locale, now) == minutes
    assert ago(now - timedelta(days=1), locale, now) == day_ago
