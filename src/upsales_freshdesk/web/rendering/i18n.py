"""The card's and the messages' languages: ``rules/language.py``'s negotiation and
catalogs, by the names the web layer imports."""

from __future__ import annotations

from ...rules.language import (
    ALIASES,
    DEFAULT,
    LOCALE_DIR,
    N_,
    SUPPORTED,
    N_plural,
    negotiate,
    parsed_locale,
    translations,
)

__all__ = [
    "ALIASES",
    "DEFAULT",
    "LOCALE_DIR",
    "N_",
    "SUPPORTED",
    "N_plural",
    "negotiate",
    "parsed_locale",
    "translations",
]
