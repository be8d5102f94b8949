"""Languages: complete catalogs, short messages, and the agent's language in the card."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural

from tests.support.service import HEADERS, Service
from upsales_freshdesk.rules.codes import Issue
from upsales_freshdesk.web.rendering.i18n import SUPPORTED, negotiate, translations
from upsales_freshdesk.web.rendering.messages import ISSUES, MAX_MESSAGE, issue_message


def load_i18n_script() -> object:
    path = Path(__file__).resolve().parents[3] / "scripts" / "i18n.py"
    spec = importlib.util.spec_from_file_location("i18n_script", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogs_are_complete_and_compiled() -> None:
    assert load_i18n_script().problems() == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_message_fits_a_notification(locale: str) -> None:
    for source, code in ISSUES:
        issue = Issue(source=source, code=code)  # type: ignore[arg-type]
        assert 0 < len(issue_message(issue, locale)) <= MAX_MESSAGE
    for source, seconds in itertools.product(("freshdesk", "upsales"), (1, 59, 3600, 10**9)):
        issue = Issue(source=source, code="rate_limited", retry_after=seconds)  # type: ignore[arg-type]
        assert len(issue_message(issue, locale)) <= MAX_MESSAGE


@pytest.mark.parametrize("locale", [lang for lang in SUPPORTED if lang != "en"])
def test_each_language_differs_from_english(locale: str) -> None:
    for source, code in ISSUES:
        issue = Issue(source=source, code=code)  # type: ignore[arg-type]
        assert issue_message(issue, locale) != issue_message(issue, "en")


@pytest.mark.parametrize(
    ("raw", "locale"),
    [
        ("sv", "sv"),
        ("sv-SE", "sv"),  # Freshdesk's code
        ("SV_se", "sv"),
        ("nb-NO", "nb"),  # Freshdesk's code
        ("nb", "nb"),
        ("no", "nb"),  # the macrolanguage (Freshdesk has a locale of it too)
        ("NO", "nb"),
        ("nn-NO", "nb"),  # Nynorsk: its readers read Bokmål
        ("da", "da"),  # Freshdesk's code
        ("da-DK", "da"),
        ("fi", "fi"),  # Freshdesk's code
        ("fi_FI", "fi"),
        ("en-GB", "en"),
        ("de", "en"),
        ("ja-JP", "en"),
        ("sv-SE,sv;q=0.9,en;q=0.8", "sv"),  # Accept-Language
        ("de-DE,de;q=0.9,da;q=0.8", "da"),  # the first language we have
        ("", "en"),
        (None, "en"),
        ("x" * 30, "en"),
        (",;q=1,", "en"),
    ],
)
def test_negotiation(raw: str | None, locale: str) -> None:
    assert negotiate(raw) == locale


@pytest.mark.parametrize(
    ("locale", "one", "thirty"),
    [
        ("en", "Try again in 1 second.", "Try again in 30 seconds."),
        ("sv", "Försök igen om 1 sekund.", "Försök igen om 30 sekunder."),
        ("nb", "Prøv igjen om 1 sekund.", "Prøv igjen om 30 sekunder."),
        ("da", "Prøv igen om 1 sekund.", "Prøv igen om 30 sekunder."),
        # Finnish: a numeral with "kuluttua" takes the genitive singular, 1 or 30.
        ("fi", "Yritä uudelleen 1 sekunnin kuluttua.", "Yritä uudelleen 30 sekunnin kuluttua."),
    ],
)
def test_a_wait_in_seconds_takes_the_languages_plural(locale: str, one: str, thirty: str) -> None:
    for source in ("freshdesk", "upsales"):
        wait = [
            issue_message(Issue(source=source, code="rate_limited", retry_after=s), locale)
            for s in (1, 30)
        ]
        assert wait[0].endswith(one), wait[0]
        assert wait[1].endswith(thirty), wait[1]


@pytest.mark.parametrize("locale", SUPPORTED)
def test_the_compiled_catalog_carries_babels_plural_rule(locale: str) -> None:
    """gettext picks a plural's form by the rule in the .mo: CLDR's, as Babel has it."""
    catalog = translations(locale)
    assert catalog.plural(1) == 0
    assert [catalog.plural(n) for n in (0, 2, 5, 21, 100)] == [1] * 5
    assert get_plural(locale).plural_forms == "nplurals=2; plural=(n != 1);"


async def test_a_swedish_agent_gets_a_swedish_card(service: Service) -> None:
    card = (await service.card("found", locale="sv-SE")).json()
    assert card["locale"] == "sv"
    for text in ("Kontaktuppgifter", "Kundansvariga", "Senaste aktiviteter", "Öppna i Upsales"):
        assert text in card["html"]
    english = (await service.card("found", locale="en")).json()
    assert "Account managers" in english["html"]
    assert "Kundansvariga" not in english["html"]


@pytest.mark.parametrize(
    ("raw", "locale", "words"),
    [
        ("nb-NO", "nb", ("Kontaktinformasjon", "Kundeansvarlige", "Siste aktiviteter")),
        ("no", "nb", ("Kontaktinformasjon", "Åpne i Upsales", "Logg saken i Upsales")),
        ("da", "da", ("Kontaktoplysninger", "Kundeansvarlige", "Åbn i Upsales")),
        ("fi", "fi", ("Yhteystiedot", "Asiakasvastaavat", "Avaa Upsalesissa")),
    ],
)
async def test_a_nordic_agent_gets_a_card_in_their_language(
    service: Service, raw: str, locale: str, words: tuple[str, ...]
) -> None:
    card = (await service.card("found", locale=raw)).json()
    assert card["locale"] == locale
    assert f'lang="{locale}"' in card["html"]
    for text in words:
        assert text in card["html"]
    assert "Account managers" not in card["html"]


async def test_service_errors_follow_accept_language(service: Service) -> None:
    resp = await service.card(
        "found", headers={"X-Freshdesk-Domain": "evil.example", "Accept-Language": "sv-SE,sv;q=0.9"}
    )
    assert "ska se ut som" in resp.json()["errors"][0]["message"]


async def test_a_refusal_follows_the_locale_query_the_app_sends(service: Service) -> None:
    """Front-end templates may not carry context in headers, so the app sends ?locale=."""
    resp = await service.http.post(
        "/v1/card?locale=sv",
        json=service.body("found"),
        headers={**HEADERS, "X-Freshdesk-Domain": "evil.example"},
    )
    assert resp.status_code == 400
    assert "ska se ut som" in resp.json()["errors"][0]["message"]
