"""Amounts on the card: the fast format is Babel's text, for every amount tried."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upsales_freshdesk.web.rendering.money import FORMATS_KEPT, babel_money, money, money_format

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


amounts = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15).map(float),
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3).map(float),
)


@settings(max_examples=600, deadline=None)
@given(
    value=amounts,
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(["en", "sv"]),
)
def test_the_fast_format_is_babels_text(value: float, currency: str, locale: str) -> None:
    assert money_format(locale, currency.upper(), value.is_integer()) is not None
    assert money(value, currency, locale) == babel_money(
        value, currency, locale, value.is_integer()
    )


def test_a_pattern_it_does_not_cover_is_left_to_babel() -> None:
    """Indian English groups by two after the first three: Babel formats it."""
    assert money_format("en_IN", "INR", True) is None
    assert money(1234567, "INR", "en_IN") == babel_money(1234567, "INR", "en_IN", True)


def test_codes_from_crm_data_do_not_grow_the_formats_without_bound() -> None:
    for i in range(FORMATS_KEPT + 50):
        code = "".join(chr(65 + (i // 26**k) % 26) for k in range(3))
        money(1, code, "en")
    assert money_format.cache_info().currsize <= FORMATS_KEPT


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_value_that_is_not_finite_is_left_to_babel(value: float) -> None:
    """The upstream models refuse these; if one came, it reads as Babel writes it."""
    assert money(value, "USD", "en") == babel_money(value, "USD", "en", False)
