"""The card as an escaped, localised HTML fragment (Jinja2 with autoescape)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import cast

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from ...card.links import safe_url
from ...card.models import Card, CardResult, Deal
from .dates import ago, day
from .i18n import negotiate, translations
from .messages import FIELD_NAMES, issue_message
from .money import money, percent

#: The global that holds an environment's translated fixed texts, by message id.
FIXED_TEXTS = "_ufd_fixed_texts"


class FixedTexts(Extension):
    """Translates ``_('a literal')`` once per environment (one locale), not per render.

    The call's tokens become ``_ufd_fixed_texts['a literal']``: a lookup in a table of the
    safe texts the i18n extension's new-style ``gettext`` returns (``Markup``, its ``%%``
    unescaped by ``% {}``). A lookup, unlike a constant, is never folded by Jinja's
    optimiser, so the text stays ``Markup`` in every expression (``~``, ``+``, filters).
    Left to ``gettext``: calls with variables or on a non-literal, and whole templates that
    bind ``_`` themselves or switch autoescaping. About 30 calls a card; each cost two
    ``Context.call`` round trips.
    """

    def filter_stream(self, stream: TokenStream) -> list[Token]:
        gettext = getattr(self.environment, "fixed_gettext", None)
        tokens = list(stream)
        if gettext is None or not _plain(tokens):
            return tokens
        table = cast("dict[str, Markup]", self.environment.globals.setdefault(FIXED_TEXTS, {}))
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            text = _fixed_call(tokens, i)
            if text is not None and text not in table:
                try:
                    # Our own catalogs, marked safe as the new-style gettext marks them.
                    table[text] = Markup(gettext(text)) % {}  # noqa: S704
                except (TypeError, ValueError, KeyError):  # a stray "%": keep the call
                    text = None
            if text is None:
                out.append(tokens[i])
                i += 1
                continue
            line = tokens[i].lineno
            out += [
                Token(line, "name", FIXED_TEXTS),
                Token(line, "lbracket", "["),
                Token(line, "string", text),
                Token(line, "rbracket", "]"),
            ]
            i += 4
        return out


def _plain(tokens: list[Token]) -> bool:
    """Whether a template leaves ``_`` to the i18n extension (no ``_`` but in calls: no
    ``{% set _ %}``, loop variable or macro parameter of that name) and keeps autoescaping
    on (no ``{% autoescape %}`` block)."""
    for i, token in enumerate(tokens):
        if token.type != "name":
            continue
        after = tokens[i + 1].type if i + 1 < len(tokens) else ""
        if token.value == "_" and after != "lparen":
            return False
        if token.value == "autoescape" and i > 0 and tokens[i - 1].type == "block_begin":
            return False
    return True


def _fixed_call(tokens: list[Token], i: int) -> str | None:
    """The literal of a ``_('literal')`` call starting at ``tokens[i]``, else None."""
    window = tokens[i : i + 4]
    if len(window) < 4 or (i > 0 and tokens[i - 1].type == "dot"):
        return None
    name, lparen, literal, rparen = window
    if (name.type, name.value, lparen.type, literal.type, rparen.type) != (
        "name",
        "_",
        "lparen",
        "string",
        "rparen",
    ):
        return None
    return str(literal.value)


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("upsales_freshdesk.web.rendering", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n", FixedTexts],
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=plain_text,
        auto_reload=False,  # templates ship in the package: no stat() per render
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.extend(fixed_gettext=translations(locale).gettext)
    env.filters["money"] = lambda v, cur: money(v, cur, locale)
    env.filters["percent"] = lambda v: percent(v, locale)
    env.filters["day"] = lambda d: day(d, locale)
    env.filters["ago"] = lambda d: ago(d, locale)
    env.filters["safe_url"] = safe_url
    return env


#: Bidi embeddings, overrides and isolates: CRM text may not reorder the card around it.
BIDI_CONTROLS = dict.fromkeys(
    [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
)


def plain_text(value: object) -> object:
    """Every value the templates print: bidi controls removed (then autoescaped)."""
    if isinstance(value, str) and not value.isascii() and not isinstance(value, Markup):
        return value.translate(BIDI_CONTROLS)  # (the controls are never ASCII)
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
            focus=focus_deal(result.card.upsales.opportunities if result.card.upsales else []),
            emails=emails_of(result.card),
        )
    )


def focus_deal(deals: list[Deal]) -> Deal | None:
    """The open deal that matters most now: the one closing soonest from today, else the
    one that closed (was due) last."""
    if not deals:
        return None
    today = datetime.now(UTC)
    upcoming = [d for d in deals if d.date is not None and d.date >= today]
    if upcoming:
        return min(upcoming, key=lambda d: d.date or today)
    dated = [d for d in deals if d.date is not None]
    return max(dated, key=lambda d: d.date or today) if dated else deals[0]


def emails_of(card: Card) -> list[tuple[str, bool]]:
    """Every address of the requester once (Freshdesk's primary first), each with whether
    it is the one Upsales matched."""
    f, u = card.freshdesk, card.upsales
    matched = (u.email or "").lower() if u else ""
    seen: dict[str, str] = {}
    for email in (f.email if f else None, *(f.other_emails if f else []), u.email if u else None):
        if email and email.lower() not in seen:
            seen[email.lower()] = email
    return [(email, key == matched) for key, email in seen.items()]
