"""Amounts and probabilities in the agent's locale, by Babel.

An amount with no decimals is shown without them ("SEK 137,000"), with the locale's
currency pattern stripped of its fraction; otherwise with the currency's own digits.
A letter code next to a digit gets a no-break space, as CLDR's currency spacing has it.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TypeGuard

from babel.numbers import (
    NumberPattern,
    format_currency,
    format_decimal,
    format_percent,
    parse_pattern,
)

from .i18n import parsed_locale


def money(value: float | None, currency: str | None, locale: str) -> str:
    """An amount in the agent's locale: "SEK 137,000" in English, "137 000 kr" in Swedish;
    no decimals when the amount has none. A value Babel cannot format (1e30) is shown
    plain."""
    if value is None:
        return ""
    try:
        whole = float(value).is_integer()
        if is_code(currency):
            text = format_currency(
                value,
                currency.upper(),
                format=currency_pattern(locale, whole),
                locale=parsed_locale(locale),
                currency_digits=not whole,
            )
            return space_letters(text)
        return format_decimal(
            value, locale=parsed_locale(locale), format="#,##0" if whole else None
        )
    except (ArithmeticError, ValueError, OverflowError):  # decimal.InvalidOperation included
        return f"{value:g} {currency or ''}".strip()


def is_code(currency: str | None) -> TypeGuard[str]:
    """Whether ``currency`` reads as a currency code (three letters); else the amount is a
    plain number."""
    return currency is not None and len(currency) == 3 and currency.isalpha()


@cache
def currency_pattern(locale: str, whole: bool) -> NumberPattern:
    """The locale's currency pattern (parsed once), without its decimals for a whole
    amount."""
    standard = parsed_locale(locale).currency_formats["standard"]
    if not whole:
        return standard  # type: ignore[no-any-return]
    return parse_pattern(re.sub(r"\.0+", "", standard.pattern.split(";")[0]))


def space_letters(text: str) -> str:
    """CLDR's currency spacing: a letter code next to a digit gets a no-break space."""
    text = re.sub(r"([A-Z]{3})(?=[\d-])", "\\1\u00a0", text)
    return re.sub(r"(\d)(?=[A-Z]{3})", "\\1\u00a0", text)


def percent(value: float | None, locale: str) -> str:
    """A probability in whole percent as the locale writes it: "25%" in English,
    "25 %" (with a no-break space) in Swedish. Upsales gives it as 0-100; None is "—"."""
    if value is None or not math.isfinite(value):
        return "—"
    return format_percent(value / 100, locale=parsed_locale(locale))
