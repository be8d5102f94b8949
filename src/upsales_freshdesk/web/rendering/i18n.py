"""Languages: Babel message catalogs (English and Swedish) and locale negotiation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locales"
SUPPORTED = ("en", "sv")
DEFAULT = "en"


def negotiate(raw: str | None) -> str:
    """``sv-SE``, ``sv_se`` or ``SV`` -> ``sv``; anything unsupported -> English."""
    if not raw:
        return DEFAULT
    language = raw.replace("_", "-").split("-", 1)[0].strip().lower()
    return language if language in SUPPORTED else DEFAULT


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale`` (shipped in the package)."""
    return Translations.load(str(LOCALE_DIR), [negotiate(locale)], domain="messages")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the locale is known."""
    return message


@cache
def parsed_locale(locale: str) -> Locale:
    """Parsed once: Babel re-parses a locale given as a string on every call."""
    return Locale.parse(locale)
