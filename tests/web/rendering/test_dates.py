"""Dates on the card: the fast format is Babel's text, for every date tried."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from babel.dates import parse_pattern
from hypothesis import given, settings
from hypothesis import strategies as st

from upsales_freshdesk.web.rendering import dates
from upsales_freshdesk.web.rendering.dates import babel_day, day, day_format, fill_in


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


@settings(max_examples=400, deadline=None)
@given(value=st.dates(), locale=st.sampled_from(["en", "sv"]))
def test_the_fast_format_is_babels_text(value: date, locale: str) -> None:
    assert day_format(locale) is not None
    assert day(value, locale) == babel_day(value, locale)


def test_a_pattern_with_other_fields_is_left_to_babel() -> None:
    """Latin's medium date has an era ("'die' d MMM y G"): Babel formats it."""
    assert day_format("la") is None
    assert day(date(2026, 3, 1), "la") == babel_day(date(2026, 3, 1), "la")


def test_the_card_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(value: date, locale: str) -> str:
        raise AssertionError("Babel's path")

    monkeypatch.setattr(dates, "babel_day", refuse)
    assert day(date(2026, 3, 1), "sv") == "1 mars 2026"


@pytest.mark.parametrize(
    "pattern",
    [
        "MMMM d, yyyy",
        "dd.MM.yyyy",
        "d 'de' MMMM 'de' y",
        "'100%' d MMM y",  # a literal % (Babel writes it %%)
        "M/d/y",
    ],
)
def test_any_day_month_year_pattern_fills_in_as_babel_applies_it(pattern: str) -> None:
    """Fields no English or Swedish pattern uses today (full month names, padded years)."""
    made = parse_pattern(pattern)
    for locale in ("en", "sv", "ru"):
        fill = fill_in(made, locale)
        assert fill is not None
        for value in (date(2026, 3, 1), date(7, 12, 31)):
            assert fill(value) == made.apply(value, locale)


@pytest.mark.parametrize("pattern", ["LLL y", "yy-MM-dd", "EEE d MMM y", "d MMM y G"])
def test_a_pattern_with_another_field_is_not_filled_in(pattern: str) -> None:
    assert fill_in(parse_pattern(pattern), "en") is None


@pytest.mark.parametrize("locale", ["ja", "de", "fi", "en_GB", "zh", "ko", "ru", "pl", "cs"])
def test_other_locales_patterns_read_as_babel_writes_them(locale: str) -> None:
    """Not used by the card (it speaks English and Swedish), but the fill-in is general;
    Russian, Polish and Czech write a month differently in a date than alone."""
    assert day_format(locale) is not None
    for value in (date(2026, 3, 1), date(1999, 12, 31), date(7, 7, 7)):
        assert day(value, locale) == babel_day(value, locale)
