"""XSS payloads planted in Upsales' own fields come out escaped, through the whole service."""

from __future__ import annotations

import pytest

from tests.support.service import Service
from tests.web.rendering.test_render import ALLOWED_ATTRS, ALLOWED_TAGS, XSS, elements


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
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert name in ALLOWED_ATTRS
            if name == "href":
                assert value is not None
                assert value.startswith(("https://", "http://"))
    assert 'href="javascript' not in html.lower()
    if any(c in payload for c in "<>\"'&"):
        assert payload not in html
