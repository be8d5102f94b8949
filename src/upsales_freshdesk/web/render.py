"""The card as an escaped, localised HTML fragment (Jinja2 with autoescape)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..lookup.models import CardResult
from ..settings import check_link_template
from .i18n import negotiate, translations
from .messages import FIELD_NAMES, issue_message


def safe_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) URL, else None: nothing else becomes a link."""
    if not value:
        return None
    url = value.strip()
    if not url.lower().startswith(("http://", "https://")):
        url = f"https://{url}" if "://" not in url and ":" not in url.split("/")[0] else ""
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c in url for c in "\"'<>` \t\r\n\\")
    ):
        return None
    return url


LinkFor = Callable[[int, int | None], str | None]


@cache
def link_maker(template: str) -> LinkFor:
    """The link function for ``template``, checked once per template, not per card."""
    check_link_template(template)

    def link_for(contact_id: int, account_id: int | None) -> str | None:
        if "{account_id}" in template and account_id is None:
            return None
        return safe_url(template.format(contact_id=int(contact_id), account_id=account_id or 0))

    return link_for


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("upsales_freshdesk.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["money"] = lambda v, cur: _money(v, cur, locale)
    env.filters["day"] = lambda d: format_date(d, "medium", locale=locale) if d else ""
    env.filters["safe_url"] = safe_url
    return env


def _money(value: float | None, currency: str | None, locale: str) -> str:
    if value is None:
        return ""
    if currency and len(currency) == 3 and currency.isalpha():
        return format_currency(value, currency.upper(), locale=locale, format="¤#,##0")
    return format_decimal(value, locale=locale)


def render_template(name: str, locale: str, **values: object) -> str:
    """Any other fragment (the contact form), escaped and localised like the card."""
    locale = negotiate(locale)
    return environment(locale).get_template(name).render(locale=locale, **values)


def render_card(result: CardResult, locale: str) -> str:
    locale = negotiate(locale)
    t = translations(locale)
    return (
        environment(locale)
        .get_template("card.html")
        .render(
            result=result,
            card=result.card,
            locale=locale,
            field_label=lambda f: t.gettext(FIELD_NAMES[f]),
            message=lambda issue: issue_message(issue, locale),
            now=datetime.now,
        )
    )
