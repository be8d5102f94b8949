"""XSS payloads planted in Upsales' own fields come out escaped, through the whole service."""

from __future__ import annotations

import pytest

from tests.support.html import XSS, assert_only_safe_html
from tests.support.service import Service


@pytest.mark.parametrize("payload", XSS)
async def test_planted_payloads_are_escaped(service: Service, payload: str) -> None:
    store = service.us.store  # type: ignore[attr-defined]
    contact = store.get("contacts", 1)
    contact.update(name=payload, title=payload, phone=payload)
    account = store.get("accounts", contact["client"])
    account.update(name=payload, webpage="javascript:alert(document.domain)", phone=payload)
    store.touch(contact)
    card = (await service.card("found")).json()
    assert card["status"] == "found"
    html = card["html"]
    assert_only_safe_html(html)
    assert 'href="javascript' not in html.lower()
    if any(c in payload for c in "<>\"'&"):
        assert payload not in html
