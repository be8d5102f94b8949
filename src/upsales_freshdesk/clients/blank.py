"""The product's one rule for an empty value: text nobody can see is no value.

The card's differences (comparing), the card itself (showing), and every write ("Update
Freshdesk", the ticket webhook, the bulk sync, "Create in Upsales") use this module, so
a value that shows as nothing is never written over a value that shows as something,
unless the agent chose to clear the field.

A value is **empty** when it is ``None`` or every character in it is invisible. A
character is invisible when its Unicode general category (the Unicode Character
Database, ``UnicodeData.txt``, as Python's :mod:`unicodedata` reads it) is one of

- ``Cc`` control (tab, line feed, NUL, U+0085 ...),
- ``Cf`` format (U+00AD soft hyphen, U+200B zero-width space, U+200C/U+200D zero-width
  (non-)joiner, U+200E/U+200F and U+202A-U+202E bidi marks and overrides, U+2060 word
  joiner, U+FEFF byte order mark, the U+E0000 tags ...),
- ``Zs`` space separator (space, U+00A0 no-break space, U+3000 ideographic space ...),
- ``Zl`` line separator (U+2028) and ``Zp`` paragraph separator (U+2029);

or it is one of the few letters and marks that render as nothing although their category
says otherwise: those of Unicode's ``Default_Ignorable_Code_Point`` property
(``DerivedCoreProperties.txt``) outside the categories above (U+034F combining grapheme
joiner; U+115F, U+1160, U+3164 and U+FFA0 Hangul fillers; U+17B4/U+17B5 Khmer
inherent vowels; U+180B-U+180D and U+180F Mongolian variation selectors; U+FE00-U+FE0F
and U+E0100-U+E01EF variation selectors), and U+2800 braille pattern blank, which
renders as a blank cell and is a common way to make a field look empty.

A value that holds one visible character is a value, whatever surrounds it: it is written
as it is. Compare with :func:`visible`, which keeps what can be seen.
"""

from __future__ import annotations

import re
import unicodedata

#: Unicode general categories whose characters are never seen.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
#: Categories of the invisible characters that separate words (the rest join or mark).
SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})
#: Invisible characters of other categories (see the module's docstring for the source).
INVISIBLE_OTHERS = frozenset(
    {
        "\u034f",
        "\u115f",
        "\u1160",
        "\u17b4",
        "\u17b5",
        "\u180b",
        "\u180c",
        "\u180d",
        "\u180f",
        "\u2800",
        "\u3164",
        "\uffa0",
        *(chr(c) for c in range(0xFE00, 0xFE10)),
        *(chr(c) for c in range(0xE0100, 0xE01F0)),
    }
)
#: The rule for ASCII text in one pass: there the invisible characters are the controls
#: (Cc: U+0000-U+001F, U+007F) and the space (Zs).
_ASCII_BLANK = re.compile(r"[\x00-\x20\x7f]*")


def invisible(char: str) -> bool:
    """Whether one character shows as nothing."""
    return char in INVISIBLE_OTHERS or unicodedata.category(char) in INVISIBLE_CATEGORIES


def is_blank(value: str | None) -> bool:
    """Whether ``value`` is empty by the rule above."""
    if value is None:
        return True
    if value.isascii():
        return _ASCII_BLANK.fullmatch(value) is not None
    return all(invisible(c) for c in value)


def present(value: str | None) -> str | None:
    """``value``, or ``None`` when it is empty (what the card shows and a write sends)."""
    return None if value is None or is_blank(value) else value


def visible(value: str | None) -> str:
    """What can be seen of ``value``, for comparing: an invisible separator or control
    becomes a space, any other invisible character goes."""
    if value is None:
        return ""
    if value.isascii() and value.isprintable():
        return value
    out: list[str] = []
    for c in value:
        if not invisible(c):
            out.append(c)
        elif unicodedata.category(c) in SEPARATOR_CATEGORIES or c.isspace():
            out.append(" ")
    return "".join(out)
