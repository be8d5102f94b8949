"""The one rule for an empty value (``clients/blank.py``), and the field rule built on it."""

from __future__ import annotations

import unicodedata

import pytest

from upsales_freshdesk.clients.blank import (
    INVISIBLE_CATEGORIES,
    INVISIBLE_OTHERS,
    invisible,
    is_blank,
    present,
    visible,
)
from upsales_freshdesk.clients.freshdesk import models as fd
from upsales_freshdesk.clients.upsales import models as us
from upsales_freshdesk.rules.fields import FieldRule, norm_phone, norm_text

EMPTY = [
    None,
    "",
    " ",
    "\t\n\r\x0b\x0c",
    "\x00\x1f\x7f",
    "\u0085",
    "\u00a0",  # no-break space (Zs)
    "\u00ad",  # soft hyphen (Cf)
    "\u200b",  # zero-width space (Cf)
    "\u200c\u200d",  # zero-width (non-)joiners (Cf)
    "\u200e\u200f\u202a\u202e\u2066\u2069",  # bidi marks, overrides, isolates (Cf)
    "\u2028\u2029",  # line and paragraph separators (Zl, Zp)
    "\u2060\ufeff",  # word joiner, byte order mark (Cf)
    "\u3000",  # ideographic space (Zs)
    "\u115f\u1160\u3164\uffa0",  # Hangul fillers (Lo, default ignorable)
    "\u034f\ufe0f\U000e0100",  # grapheme joiner, variation selectors (Mn, default ignorable)
    "\u2800",  # braille pattern blank (So)
    "\U000e0041\U000e007f",  # tags (Cf)
    " \u200b \u2060 ",
]
VALUES = ["a", "+46 70", "\u200bAnna", "Anna\u200b", "\u00e5", "\u0301", "\u2801", "-", "0"]


@pytest.mark.parametrize("value", EMPTY, ids=ascii)
def test_empty_values(value: str | None) -> None:
    assert is_blank(value)
    assert present(value) is None
    assert visible(value).strip() == ""
    assert norm_text(value) == norm_phone(value) == ""


@pytest.mark.parametrize("value", VALUES, ids=ascii)
def test_a_visible_character_makes_a_value_which_is_written_as_it_is(value: str) -> None:
    assert not is_blank(value)
    assert present(value) == value


def test_the_rule_is_the_unicode_categories_and_the_listed_others() -> None:
    """Every code point by its general category; the extra ones are named in the module
    docstring, none of them already in an invisible category."""
    for code in range(0x110000):
        char = chr(code)
        expected = unicodedata.category(char) in INVISIBLE_CATEGORIES or char in INVISIBLE_OTHERS
        assert invisible(char) == expected
    assert not any(unicodedata.category(c) in INVISIBLE_CATEGORIES for c in INVISIBLE_OTHERS)


def test_comparing_ignores_what_cannot_be_seen() -> None:
    assert norm_text("Anna\u200b Lind") == norm_text("anna lind")
    assert norm_text("Anna\u00a0Lind") == norm_text("Anna Lind")
    assert norm_text("Anna\u2028Lind") == norm_text("Anna Lind")
    assert norm_phone("+46\u200b70") == "+4670"


def test_the_field_rule_reads_an_invisible_upsales_value_as_empty() -> None:
    rule = FieldRule.of(None)
    current = fd.Contact.model_validate(
        {"id": 1, "name": "Anna", "phone": "+46 70", "job_title": "CTO"}
    )
    source = us.Contact.model_validate(
        {"id": 2, "name": "Anna", "phone": "\u200b", "title": "\u3164", "cellPhone": "\u2800"}
    )
    assert rule.desired(source) == {
        "name": "Anna",
        "phone": None,
        "mobile": None,
        "job_title": None,
    }
    assert rule.changes(current, source) == []  # nothing cleared unasked
    cleared = rule.changes(current, source, clear=["phone", "title"])
    assert {(c.field, c.value) for c in cleared} == {("phone", None), ("job_title", None)}
    assert rule.create_body(source, "anna@example.org") == {
        "email": "anna@example.org",
        "name": "Anna",
    }
    shown = rule.differences({"phone": "+46 70", "job_title": "\u200b"}, {"phone": "\u200b"})
    assert shown == [("phone", "+46 70", None)]
