"""Dates on the card, as Babel writes them in English and Swedish."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from upsales_freshdesk.web.rendering.dates import day


@pytest.mark.parametrize(
    ("value", "locale", "text"),
    [
        (date(2026, 3, 1), "en", "Mar 1, 2026"),
        (date(2026, 3, 1), "sv", "1 mars 2026"),
        (date(2026, 2, 14), "sv", "14 feb. 2026"),
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
