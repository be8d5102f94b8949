"""The card as an escaped, localised HTML fragment (Jinja2 with autoescape)."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..lookup.links import safe_url
from ..lookup.models import CardResult
from .i18n import negotiate, translations
from .messages import FIELD_NAMES, issue_message


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("upsales_freshdesk.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=plain_text,
        auto_reload=False,  # templates ship in the package: no stat() per render
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["money"] = lambda v, cur: _money(v, cur, locale)
    env.filters["day"] = lambda d: format_date(d, "medium", locale=locale) if d else ""
    env.filters["safe_url"] = safe_url
    return env


def _money(value: float | None, currency: str | None, locale: str) -> str:
    """A localised amount; a value Babel cannot format (1e30, inf, nan) is shown plain."""
    if value is None:
        return ""
    try:
        if currency and len(currency) == 3 and currency.isalpha():
            return format_currency(value, currency.upper(), locale=locale, format="¤#,##0")
        return format_decimal(value, locale=locale)
    except (ArithmeticError, ValueError):  # decimal.InvalidOperation is an ArithmeticError
        return f"{value:g} {currency or ''}".strip()


#: Bidi embeddings, overrides and isolates: CRM text may not reorder the card around it.
BIDI_CONTROLS = dict.fromkeys(
    [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
)


def plain_text(value: object) -> object:
    """Every value the templates print: bidi controls removed (then autoescaped)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return value.translate(BIDI_CONTROLS)
    return value


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
