"""The card fragment: escaping, links and formatting."""

from __future__ import annotations

import pytest

from tests.support.html import XSS, assert_only_safe_html
from upsales_freshdesk.card.links import Links, safe_url
from upsales_freshdesk.card.models import (
    Account,
    Card,
    CardResult,
    Deal,
    FreshdeskSide,
    Person,
    UpsalesSide,
)
from upsales_freshdesk.settings import check_link_template
from upsales_freshdesk.web.rendering.render import render_card


def hostile_card(text: str, webpage: str = "javascript:alert(1)") -> CardResult:
    up = UpsalesSide(
        id=1,
        name=text,
        email=text,
        title=text,
        phone=text,
        cell_phone=text,
        account=Account(
            id=2,
            name=text,
            phone=text,
            webpage=webpage,
            managers=[Person(id=3, name=text, email=text)],
        ),
        opportunities=[
            Deal(id=4, description=text, stage=text, value=1.5, currency=text, probability=50)
        ],
        link=webpage,
    )
    return CardResult(status="found", card=Card(freshdesk=FreshdeskSide(name=text), upsales=up))


@pytest.mark.parametrize("payload", XSS)
@pytest.mark.parametrize("locale", ["en", "sv"])
def test_crm_text_is_always_escaped(payload: str, locale: str) -> None:
    html = render_card(hostile_card(payload), locale)
    assert_only_safe_html(html)
    if any(c in payload for c in "<>\"'&"):
        assert payload not in html  # escaped, never verbatim
    assert "49" not in html  # no template evaluation of CRM text


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.acme.example", "https://www.acme.example"),
        ("http://acme.example/x", "http://acme.example/x"),
        ("www.acme.example", "https://www.acme.example"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("data:text/html,x", None),
        ("vbscript:x", None),
        ("//evil.example", None),
        ("https://", None),
        ("", None),
        (None, None),
        ('https://x.example/"onmouseover=alert(1)', None),
        ("https://x.example/ a", None),
        ("mailto:a@b.example", None),
    ],
)
def test_only_http_urls_become_links(url: str | None, safe: str | None) -> None:
    assert safe_url(url) == safe


def test_link_templates() -> None:
    base = "https://power.upsales.com/#/"
    links = Links(
        base + "contacts/{contact_id}/?a={account_id}",
        base + "orders/{deal_id}/?c={contact_id}",
        base + "activities/{activity_id}/",
    )
    assert links.contact(12, 3) == base + "contacts/12/?a=3"
    assert links.contact(12, None) is None  # the template needs the account
    assert links.deal(7, 12, None) == base + "orders/7/?c=12"
    assert links.activity(9, 12, 3) == base + "activities/9/"
    for bad in (
        "https://x/{contact_id.__class__}",
        "https://x/{secret}",
        "https://x/{contact_id!r}",
        "https://x/{0}",
        "javascript:alert({contact_id})",
        "//x/{contact_id}",
    ):
        with pytest.raises(ValueError):
            check_link_template(bad)
    with pytest.raises(ValueError):
        Links(base + "{deal_id}", base, base)  # a contact link has no deal id


def test_money_and_missing_values_render() -> None:
    result = hostile_card("x", webpage="https://acme.example")
    assert result.card.upsales is not None
    result.card.upsales.opportunities[0].currency = "SEK"
    result.card.upsales.opportunities[0].value = 125000
    assert "125" in render_card(result, "sv")
    assert 'href="https://acme.example"' in render_card(result, "en")


def test_fixed_texts_are_translated_when_compiled_like_gettext_would() -> None:
    """``_('literal')`` is translated once per locale; the text is the one the i18n
    extension's gettext gives at render time, and so are escaping and concatenation."""
    from upsales_freshdesk.web.rendering.render import environment

    source = (
        "{{ _('Open in Upsales') }}|{{ _('Open in Upsales') if on else '' }}"
        "|{{ _('+%(n)s more', n=n) }}|{{ _('100%% sure') }}|{{ x._('Email') }}|{{ v }}"
    )

    class Obj:
        @staticmethod
        def _(text: str) -> str:
            return "method:" + text

    values = {"on": True, "n": "<b>", "x": Obj(), "v": "<i>"}
    code = environment("sv").compile("{{ _('Open in Upsales') }}", raw=True)
    assert "context.call" not in code
    assert environment("sv").from_string(source).render(**values) == (
        "Öppna i Upsales|Öppna i Upsales|+&lt;b&gt; till|100% sure|method:Email|&lt;i&gt;"
    )
    assert environment("en").from_string(source).render(**values) == (
        "Open in Upsales|Open in Upsales|+&lt;b&gt; more|100% sure|method:Email|&lt;i&gt;"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{{ _('a<b') }}",
        "{{ _('a<b') ~ '' }}",
        "{{ _('a&b') ~ 'c' ~ v }}",
        "{{ _('a<b') + v }}",
        "{{ (_('a<b') if true else '') ~ '' }}",
        "{{ {'k': _('a<b')}['k'] ~ '' }}",
        "{{ _('a<b')|string ~ 'x' }}",
        "{{ _('a<b')|upper }}",
        "{{ _('100%% a<b') }}",
        "{% autoescape false %}{{ _('a<b') + v }}{% endautoescape %}",
        "{% set _ = m %}{{ _('Email') }}",
        "{% for _ in [m] %}{{ _('Email') }}{% endfor %}",
        "{% macro f(_) %}{{ _('Email') }}{% endmacro %}{{ f(m) }}",
    ],
)
def test_fixed_texts_keep_gettexts_escaping_in_every_expression(source: str) -> None:
    """Against the i18n extension alone, with a catalog whose texts hold markup."""
    from jinja2 import Environment

    from upsales_freshdesk.web.rendering.render import FixedTexts

    catalog = {"a<b": "a<b ÅÄ", "a&b": "a&b", "100%% a<b": "100%% a<b"}

    def gettext(text: str) -> str:
        return catalog.get(text, text)

    def ngettext(one: str, many: str, n: int) -> str:
        return one if n == 1 else many

    def make(*extensions: object) -> Environment:
        env = Environment(autoescape=True, extensions=["jinja2.ext.i18n", *extensions])  # type: ignore[list-item]
        env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
        env.extend(fixed_gettext=gettext)
        return env

    values = {"v": "<i>", "m": lambda text: f"m:{text}"}
    plain, fixed = make(), make(FixedTexts)
    assert fixed.from_string(source).render(**values) == plain.from_string(source).render(**values)


@pytest.mark.parametrize(
    ("locale", "percent"), [("en", "(25%)"), ("sv", "(25\N{NO-BREAK SPACE}%)")]
)
def test_probability_is_in_the_locales_percent_format(locale: str, percent: str) -> None:
    """Babel's percent format: "25%" in English, "25 %" (no-break space) in Swedish; never
    the fixed "25 %" with a breakable space in every language."""
    result = hostile_card("x")
    assert result.card.upsales is not None
    result.card.upsales.opportunities[0].probability = 25
    html = render_card(result, locale)
    assert html.count(percent) == 2  # the open deal at a glance, and the deals table
    assert "25 %" not in html


@pytest.mark.parametrize(
    ("locale", "deals", "orders", "summary"),
    [
        ("en", 1, 1, "Deals and orders (1 deal · 1 order)"),
        ("en", 2, 0, "Deals and orders (2 deals · 0 orders)"),
        ("sv", 1, 2, "Affärer och order (1 affär · 2 order)"),
        ("sv", 3, 1, "Affärer och order (3 affärer · 1 order)"),
    ],
)
def test_deals_and_orders_counts_are_labelled(
    locale: str, deals: int, orders: int, summary: str
) -> None:
    result = hostile_card("x")
    assert result.card.upsales is not None
    deal = result.card.upsales.opportunities[0]
    result.card.upsales.opportunities = [deal] * deals
    result.card.upsales.orders = [
        Deal(id=i, description="o", value=1.0, currency="SEK", probability=100)
        for i in range(orders)
    ]
    assert summary in render_card(result, locale)
