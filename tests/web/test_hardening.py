"""CRM data that must never crash the card, and crashes that must never leak CRM data."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.service import HEADERS, Service, running
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.web.logs import configure_logging

PII = "pii.marker.7731@leak.example"
PHONE = "+46 70 773 17 73"


def found_records(service: Service) -> tuple[dict[str, Any], dict[str, Any]]:
    store = service.us.store
    contact = next(c for c in store.all("contacts") if c["email"] == SCENARIOS["found"].email)  # type: ignore[attr-defined]
    return contact, store.get("accounts", contact["client"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "website", ["https://[x", "http://[::1", "https://]x[", "http://a\u202eb.se"]
)
async def test_a_malformed_website_is_text_not_a_crash(service: Service, website: str) -> None:
    _, account = found_records(service)
    account["webpage"] = website
    service.us.store.touch(account)  # type: ignore[attr-defined]
    resp = await service.card("found")
    assert resp.status_code == 200
    html = resp.json()["html"]
    assert '<a href="https://[' not in html
    assert 'href="http://[' not in html


@pytest.mark.parametrize("value", [1e30, 1e300, -1e30])
async def test_a_huge_deal_value_is_shown_not_a_crash(service: Service, value: float) -> None:
    contact, _ = found_records(service)
    orders = [o for o in service.us.store.all("orders") if o["contact"] == contact["id"]]  # type: ignore[attr-defined]
    assert orders
    for order in orders:
        order["value"] = value
        order["probability"] = 50
        service.us.store.touch(order)  # type: ignore[attr-defined]
    resp = await service.card("found")
    assert resp.status_code == 200
    assert resp.json()["status"] == "found"


async def test_bidi_overrides_do_not_reach_the_html(service: Service) -> None:
    contact, _ = found_records(service)
    contact["name"] = "Eve \u202egnp.exe\u202c Doe"
    contact["title"] = "\u2067Chef\u2069"
    service.us.store.touch(contact)  # type: ignore[attr-defined]
    html = (await service.card("found")).json()["html"]
    assert "gnp.exe" in html
    for control in ("\u202e", "\u202c", "\u2067", "\u2069"):
        assert control not in html


def plant(service: Service) -> None:
    """PII in every field of the found scenario's records, both upstreams."""
    contact, account = found_records(service)
    for record in (contact, account):
        for key, value in list(record.items()):
            if isinstance(value, str) and key not in ("email", "regDate", "modDate"):
                record[key] = f"{PII} {PHONE}"
        service.us.store.touch(record)  # type: ignore[attr-defined]
    for fd_contact in service.fd.store.contacts.values():  # type: ignore[attr-defined]
        if fd_contact["email"] == SCENARIOS["found"].email:
            fd_contact.update(name=f"{PII} {PHONE}", job_title=PII, phone=PHONE)


LAYERS = {
    "render": "upsales_freshdesk.web.routes.card.render_card",
    "lookup": "upsales_freshdesk.card.details.UpsalesDetails.round_two",
    "client": "upsales_freshdesk.clients.core.HttpCore._shaped",
    "differences": "upsales_freshdesk.card.lookup.differences",
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
async def test_a_crash_logs_json_without_any_crm_value(
    layer: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"bad value {PII} {PHONE} {args!r}")

    configure_logging()
    async with running() as service:
        plant(service)
        monkeypatch.setattr(LAYERS[layer], explode)
        transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
            resp = await http.post("/v1/card", json=service.body("found"), headers=HEADERS)
    assert resp.status_code in (200, 500)
    assert PII not in resp.text
    out = capsys.readouterr()
    text = out.out + out.err
    assert PII not in text
    assert "773 17 73" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    for line in lines:
        json.loads(line)  # every line is JSON, the traceback included
    if resp.status_code == 500:
        logged = [json.loads(line) for line in lines]
        crash = next(e for e in logged if e.get("event") == "unexpected_error")
        assert crash["exception"][0]["type"] == "ValueError"
        assert crash["exception"][0]["frames"]
        assert "Traceback" not in text


async def test_every_error_shape_is_json_through_the_stdlib_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    configure_logging()
    try:
        raise KeyError(PII)
    except KeyError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application %s", PII)
    text = capsys.readouterr().out
    assert PII not in text
    entry = json.loads(text.strip().splitlines()[-1])
    assert entry["exception"][0]["type"] == "KeyError"
    assert entry["logger"] == "uvicorn.error"


def test_the_http_libraries_cannot_log_urls_at_info() -> None:
    """httpx (the in-process fakes' wire) and aiohttp (real upstreams') can log each URL
    they call: they are held at WARNING."""
    import logging

    from upsales_freshdesk.web.logs import CHATTY_LOGGERS

    configure_logging()
    for name in ("httpx", "httpcore", "aiohttp"):
        assert name in CHATTY_LOGGERS
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
