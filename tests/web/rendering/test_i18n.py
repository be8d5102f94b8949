"""Languages: complete catalogs, short messages, and the agent's language in the card."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import pytest

from tests.support.service import HEADERS, Service
from upsales_freshdesk.rules.codes import Issue
from upsales_freshdesk.web.rendering.i18n import SUPPORTED, negotiate
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


def test_swedish_differs_from_english() -> None:
    for source, code in ISSUES:
        issue = Issue(source=source, code=code)  # type: ignore[arg-type]
        assert issue_message(issue, "sv") != issue_message(issue, "en")


@pytest.mark.parametrize(
    ("raw", "locale"),
    [
        ("sv", "sv"),
        ("sv-SE", "sv"),
        ("SV_se", "sv"),
        ("en-GB", "en"),
        ("fi", "en"),
        ("", "en"),
        (None, "en"),
        ("x" * 30, "en"),
    ],
)
def test_negotiation(raw: str | None, locale: str) -> None:
    assert negotiate(raw) == locale


async def test_a_swedish_agent_gets_a_swedish_card(service: Service) -> None:
    card = (await service.card("found", locale="sv-SE")).json()
    assert card["locale"] == "sv"
    for text in ("Kontaktuppgifter", "Kundansvariga", "Senaste aktiviteter", "Öppna i Upsales"):
        assert text in card["html"]
    english = (await service.card("found", locale="en")).json()
    assert "Account managers" in english["html"]
    assert "Kundansvariga" not in english["html"]


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
