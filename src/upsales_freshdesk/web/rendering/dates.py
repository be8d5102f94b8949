"""Dates in the agent's locale, by Babel: the locale's medium date ("Mar 1, 2026",
"1 mars 2026")."""

from __future__ import annotations

from babel.dates import format_date

from .i18n import parsed_locale


def day(value: object, locale: str) -> str:
    """A date in the agent's locale; a timestamp's own date, never converted (as
    ``format_date`` takes it)."""
    if not value:
        return ""
    return format_date(value, "medium", locale=parsed_locale(locale))  # type: ignore[arg-type]
