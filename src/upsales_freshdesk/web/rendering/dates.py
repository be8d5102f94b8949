"""Dates in the agent's locale, as Babel formats them, without Babel's cost per date.

Babel's ``DateTimePattern.apply`` builds a ``DateTimeFormat`` and looks the month names
up per field: about 4 us a date, 40 of them on a card with thirty orders and ten
activities. The locale's medium date pattern needs only day, month and year fields
("MMM d, y" in English, "d MMM y" in Swedish), so it is resolved once into its format
string and month names, and a date fills it in. A pattern with any other field is left
to Babel. ``tests/web/rendering/test_dates.py`` holds the two to the same text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Literal

from babel.dates import DateTimePattern, format_date, get_date_format, get_month_names

from .i18n import parsed_locale

#: A field of Babel's format string: ``%(MMM)s``.
FIELD = re.compile(r"%\((\w+)\)s")
#: The fields filled here, as Babel fills them: numbers padded to the field's length,
#: months by name from the locale's "format" context.
NUMBERS = {"d": 1, "dd": 2, "M": 1, "MM": 2, "y": 1, "yyyy": 4}
MONTH_WIDTHS: dict[str, Literal["abbreviated", "wide"]] = {"MMM": "abbreviated", "MMMM": "wide"}

Fill = Callable[[date], str]


def day(value: object, locale: str) -> str:
    """A date in the agent's locale ("Mar 1, 2026", "1 mars 2026")."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.date()  # as format_date does
    if isinstance(value, date):
        fast = day_format(locale)
        if fast is not None:
            return fast(value)
        return babel_day(value, locale)
    return format_date(value, "medium", locale=parsed_locale(locale))  # type: ignore[arg-type]


def babel_day(value: date, locale: str) -> str:
    """Babel's own formatting of the date (the reference :func:`day_format` matches)."""
    return date_pattern(locale).apply(value, parsed_locale(locale))


@cache
def date_pattern(locale: str) -> DateTimePattern:
    """The locale's medium date pattern, looked up once (format_date looks it up per call)."""
    return get_date_format("medium", locale=parsed_locale(locale))


@cache
def day_format(locale: str) -> Fill | None:
    """The medium date of ``locale`` as a fill-in, or None where its pattern has a field
    other than day, month and year."""
    return fill_in(date_pattern(locale), locale)


def fill_in(pattern: DateTimePattern, locale: str) -> Fill | None:
    """``pattern`` as a fill-in, or None where it has a field other than day, month and
    year."""
    template = str(pattern.format)
    fields = FIELD.findall(template)
    if not fields or any(f not in NUMBERS and f not in MONTH_WIDTHS for f in fields):
        return None
    months = {
        field: dict(get_month_names(width, "format", parsed_locale(locale)))
        for field, width in MONTH_WIDTHS.items()
        if field in fields
    }

    def fill(value: date) -> str:
        parts: dict[str, str] = {}
        for field in fields:
            if field in months:
                parts[field] = months[field][value.month]
            else:
                parts[field] = f"{_number(value, field[0]):0{NUMBERS[field]}d}"
        return template % parts

    return fill


def _number(value: date, letter: str) -> int:
    return value.day if letter == "d" else value.month if letter == "M" else value.year
