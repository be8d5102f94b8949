"""The product's one email rule (``clients/emails.py``)."""

from __future__ import annotations

import pytest

from upsales_freshdesk.card.models import CardRequest
from upsales_freshdesk.clients import InvalidEmailError, canonical_email, emails, is_email


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Astrid.Lindqvist@Nordkyl.SE", "astrid.lindqvist@nordkyl.se"),
        ("  lena@example.com ", "lena@example.com"),
        ("åsa.öberg@exempel.se", "åsa.öberg@exempel.se"),
        ("a+tag@sub.example.co", "a+tag@sub.example.co"),
    ],
)
def test_addresses_are_accepted_in_canonical_form(raw: str, canonical: str) -> None:
    assert canonical_email(raw) == canonical
    assert is_email(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "no-at-sign.example.com",
        "two@@example.com",
        "a@b@example.com",
        "@example.com",
        "lena@",
        "lena@localhost",
        "lena@example.c",
        "lena@example..com",
        "le na@example.com",
        "lena,lars@example.com",
        "lena;@example.com",
        "<lena>@example.com",
        'le"na@example.com',
        "lena@exa\x00mple.com",
        "lena\x7f@example.com",
        "lena\u200b@example.com",  # zero-width space (Cf)
        "lena\u202e@example.com",  # right-to-left override (Cf)
        "lena\u2028@example.com",  # line separator (Zl)
        "lena\u00a0@example.com",  # no-break space (Zs)
        "x" * 250 + "@example.com",
    ],
)
def test_everything_else_is_refused_without_echoing_it(raw: str) -> None:
    assert not is_email(raw)
    with pytest.raises(InvalidEmailError) as caught:
        canonical_email(raw)
    if raw.strip():
        assert raw.strip() not in str(caught.value)


@pytest.mark.parametrize("raw", ["lena\u200b@example.com", "lena\u202e@example.com"])
def test_the_card_request_uses_the_same_rule(raw: str) -> None:
    body = {"ticket": {"id": 1}, "requester": {"email": raw}}
    with pytest.raises(ValueError):
        CardRequest.model_validate(body)
    ok = CardRequest.model_validate({"ticket": {"id": 1}, "requester": {"email": "A@B.se"}})
    assert ok.requester.email == "a@b.se"


def test_the_ascii_fast_path_refuses_exactly_what_the_unicode_rule_refuses() -> None:
    """ASCII addresses are checked with one regular expression; for every ASCII
    character it must agree with the per-character rule (categories and punctuation)."""
    for code in range(128):
        char = chr(code)
        address = f"a{char}b@example.com"
        by_rule = emails._bad_char(char) or char == "@"
        assert is_email(address) is not by_rule, repr(char)
