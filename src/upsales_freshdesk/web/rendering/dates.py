"""Dates in the agent's locale, by Babel: the locale's medium date ("Mar 1, 2026",
"1 mars 2026"), and how long ago a moment was ("5 minutes ago", "för 5 minuter sedan"),
which needs no time zone of the agent's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel.dates import format_date, format_timedelta

from .i18n import parsed_locale


def day(value: object, locale: str) -> str:
    """A date in the agent's locale; a timestamp's own date, never converted (as
    ``format_date`` takes it)."""
    if not value:
        return ""
    return format_date(value, "medium", locale=parsed_locale(locale))  # type: ignore[arg-type]


def ago(value: datetime | None, locale: str, now: datetime | None = None) -> str:
    """How long ago ``value`` was, in the agent's locale; a moment ahead of our clock
    (the upstream's clock runs fast) is "now", never "in 2 seconds"."""
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elapsed = max((now or datetime.now(UTC)) - moment, timedelta(seconds=1))
    return format_timedelta(-elapsed, add_direction=True, locale=parsed_locale(locale))
