"""Languages: which one an agent gets, and the message catalogs every text comes from.

The product speaks English, Swedish, Norwegian (Bokmål), Danish and Finnish. An agent's
language comes as Freshdesk gives it: a bare language (``da``, ``fi``, ``en``) or a
language with its region (``sv-SE``, ``nb-NO``), as Freshdesk's own code names its
languages (freshconsult's ``DynamicNotificationTemplate::LANGUAGE_MAP`` and its
``config/locales/`` files; the same codes as support.freshservice.com's "List of
languages supported in Freshservice", article 232303). A browser's ``Accept-Language``
may list several. Norwegian may also arrive as ``no`` (the macrolanguage, which
Freshdesk also has a locale file for) or ``nn`` (Nynorsk, whose readers read Bokmål):
both get Bokmål. Anything else is English.

Here, not in ``web/``, because the timeline's and the log's activity texts, written into
Upsales below the web layer, are translated too. The catalogs themselves ship beside the
card's templates, in ``web/rendering/locales/`` (``scripts/i18n.py`` keeps them), read as
files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "web" / "rendering" / "locales"
#: Our languages, by the catalog's (and Babel's locale's) code; English first, the source.
SUPPORTED = ("en", "sv", "nb", "da", "fi")
DEFAULT = "en"
#: Codes that mean one of ours under another name.
ALIASES = {"no": "nb", "nn": "nb"}


def negotiate(raw: str | None) -> str:
    """``sv-SE``, ``sv_se`` or ``SV`` -> ``sv``; ``nb-NO``, ``no`` -> ``nb``; of an
    ``Accept-Language`` list (``de-DE,da;q=0.9``), the first language we have, in the
    list's order (browsers list by preference); anything else -> English."""
    for tag in (raw or "").split(",")[:10]:
        language = tag.split(";", 1)[0].replace("_", "-").split("-", 1)[0].strip().lower()
        language = ALIASES.get(language, language)
        if language in SUPPORTED:
            return language
    return DEFAULT


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale`` (shipped in the package)."""
    return Translations.load(str(LOCALE_DIR), [negotiate(locale)], domain="messages")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the locale is known."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural (``ngettext``'s two English forms) for extraction."""
    return singular, plural


@cache
def parsed_locale(locale: str) -> Locale:
    """Parsed once: Babel re-parses a locale given as a string on every call."""
    return Locale.parse(locale)
