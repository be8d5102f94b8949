"""Amounts and probabilities on the card, as Babel writes them in each of the card's
languages."""

from __future__ import annotations

import pytest
from babel.numbers import get_decimal_symbol, get_group_symbol
from hypothesis import given, settings
from hypothesis import strategies as st

from upsales_freshdesk.web.rendering.i18n import SUPPORTED
from upsales_freshdesk.web.rendering.money import money, percent

NBSP = "\u00a0"
#: Two decimals, none (JPY) and three (BHD); a code Babel has no symbol for; lower case.
CURRENCIES = ["SEK", "USD", "EUR", "NOK", "JPY", "BHD", "GBP", "XYZ", "sek"]


@pytest.mark.parametrize(
    ("value", "currency", "locale", "text"),
    [
        (137000, "SEK", "en", f"SEK{NBSP}137,000"),
        (137000, "SEK", "sv", f"137{NBSP}000{NBSP}kr"),
        (1370.5, "SEK", "en", f"SEK{NBSP}1,370.50"),
        (1370.5, "SEK", "sv", f"1{NBSP}370,50{NBSP}kr"),
        (137000, "SEK", "nb", f"137{NBSP}000{NBSP}SEK"),
        (1370.5, "NOK", "nb", f"1{NBSP}370,50{NBSP}kr"),
        (137000, "SEK", "da", f"137.000{NBSP}SEK"),
        (2500, "DKK", "da", f"2.500{NBSP}kr."),
        (1370.5, "NOK", "da", f"1.370,50{NBSP}NOK"),
        (137000, "SEK", "fi", f"137{NBSP}000{NBSP}SEK"),
        (99.9, "EUR", "fi", f"99,90{NBSP}€"),
        (-2500, "USD", "en", "-$2,500"),
        (0.125, "EUR", "en", "€0.12"),  # half-even, as Babel rounds
        (2.675, "EUR", "en", "€2.68"),  # from the decimal text, not the binary float
        (1234.5, "JPY", "en", "¥1,234"),  # no decimals in yen (half-even: 1234)
        (12.3456, "BHD", "en", f"BHD{NBSP}12.346"),
        (5, None, "en", "5"),
        (None, "SEK", "en", ""),
        (1e30, "SEK", "en", "1e+30 SEK"),  # past Decimal's precision: shown plain
    ],
)
def test_amounts_read_as_the_locale_writes_them(
    value: float | None, currency: str | None, locale: str, text: str
) -> None:
    assert money(value, currency, locale) == text


@settings(max_examples=300, deadline=None)
@given(
    value=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(SUPPORTED),
)
def test_a_whole_amount_is_shown_without_decimals(value: int, currency: str, locale: str) -> None:
    text = money(float(value), currency, locale)
    assert get_decimal_symbol(locale) not in text
    assert f"{abs(value):,}".replace(",", get_group_symbol(locale)) in text


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_value_that_is_not_finite_reads_as_babel_writes_it(value: float) -> None:
    """The upstream models refuse these; if one came, the card still renders."""
    assert money(value, "USD", "en")


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "25%"),
        ("sv", f"25{NBSP}%"),
        ("nb", f"25{NBSP}%"),
        ("da", f"25{NBSP}%"),
        ("fi", f"25{NBSP}%"),
    ],
)
def test_a_probability_reads_as_the_locale_writes_a_percentage(locale: str, text: str) -> None:
    assert percent(25, locale) == text
