"""The product's one email rule: what counts as an address, and its canonical form.

The card's request model, the Upsales lookup, the "other emails" fallback, the actions
and the sync all use :func:`canonical_email` or :func:`is_email`; nothing else decides.

An address is ``local@domain`` with exactly one ``@``, a domain of dot-separated
non-empty labels whose last label has at least two characters, at most 254 characters,
and none of these: whitespace or any Unicode separator, control characters (Cc), format
characters (Cf, such as U+200B or the bidi overrides U+202A-U+202E), unassigned or private
code points, and ``, ; < > " ' ( ) [ ] \\``, which would change the meaning of a filter or
a header. The canonical form is lower-cased: Upsales compares addresses without case.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 254
_PUNCTUATION = frozenset(",;<>\"'()[]\\")
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs"})
#: A regular-expression approximation for API schemas (the function is the rule).
EMAIL_PATTERN = (
    r"^[^@\s,;<>\"'()\[\]\\\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+"
    r"@[^@\s,;<>\"'()\[\]\\\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+$"
)


class InvalidEmailError(ValueError):
    """Not an email address by the product's rule. The message never holds the value."""


#: The same rule for ASCII text, in one pass: there the bad categories are the controls
#: (Cc: U+0000-U+001F, U+007F) and the space (Zs), and ASCII has no Cf, Cn, Co or Cs.
_BAD_ASCII = re.compile(r"[\x00-\x20\x7f,;<>\"'()\[\]\\]")


def _bad_char(c: str) -> bool:
    return c in _PUNCTUATION or unicodedata.category(c) in _BAD_CATEGORIES


def _has_bad_char(text: str) -> bool:
    if text.isascii():
        return _BAD_ASCII.search(text) is not None
    return any(_bad_char(c) for c in text)


def canonical_email(value: str) -> str:
    """The lower-cased address, or :class:`InvalidEmailError` (surrounding spaces dropped)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not text or len(text) > MAX_LENGTH:
        raise InvalidEmailError("an email address has 1 to 254 characters")
    local, at, domain = text.partition("@")
    if not at or not local or "@" in domain:
        raise InvalidEmailError("an email address has exactly one @ with text on both sides")
    if _has_bad_char(text):
        raise InvalidEmailError('an email address may not hold spaces, controls or , ; < > "')
    labels = domain.split(".")
    if len(labels) < 2 or any(not label for label in labels) or len(labels[-1]) < 2:
        raise InvalidEmailError("an email domain needs a dot and a top-level name")
    return text


def is_email(value: object) -> bool:
    """Whether ``value`` is an address by the rule above."""
    if not isinstance(value, str):
        return False
    try:
        canonical_email(value)
    except InvalidEmailError:
        return False
    return True


def email_domain(email: str) -> str:
    """The domain of a canonical address."""
    return email.rpartition("@")[2]
