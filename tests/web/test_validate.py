"""POST /v1/validate: a live check and a localised message per setting."""

from __future__ import annotations

from typing import Any

from tests.service import HEADERS, Service


async def validate(service: Service, locale: str = "en", **headers: str) -> dict[str, Any]:
    resp = await service.http.post(
        "/v1/validate", json={"locale": locale}, headers={**HEADERS, **headers}
    )
    assert resp.status_code == 200
    body: dict[str, Any] = resp.json()
    return body


async def test_all_good(service: Service) -> None:
    body = await validate(service)
    assert body["ok"] is True
    assert list(body["results"]) == ["freshdesk_domain", "freshdesk_api_key", "upsales_api_key"]
    assert all(r["ok"] for r in body["results"].values())
    assert service.fd.stats.by_route == {"GET /api/v2/agents/me": 1}
    assert service.us.stats.by_route == {"GET /api/v2/self": 1}


async def test_a_wrong_upsales_key_in_swedish(service: Service) -> None:
    body = await validate(service, "sv-SE", **{"X-Upsales-Token": "wrong"})
    assert body["ok"] is False
    check = body["results"]["upsales_api_key"]
    assert check["code"] == "auth_failed"
    assert check["message"] == "Upsales-nyckeln nekades. Kontrollera appens inställningar."
    assert body["results"]["freshdesk_api_key"]["ok"] is True


async def test_a_wrong_freshdesk_key(service: Service) -> None:
    body = await validate(service, **{"X-Freshdesk-Api-Key": "wrong"})
    assert body["results"]["freshdesk_api_key"]["code"] == "auth_failed"
    assert body["results"]["upsales_api_key"]["ok"] is True


async def test_a_bad_domain_is_not_called(service: Service) -> None:
    body = await validate(service, **{"X-Freshdesk-Domain": "https://demo.freshdesk.com"})
    assert body["results"]["freshdesk_domain"]["code"] == "invalid_domain"
    assert "yourcompany.freshdesk.com" in body["results"]["freshdesk_domain"]["message"]
    for key in ("freshdesk_api_key", "upsales_api_key"):
        assert body["results"][key] == {
            "ok": False,
            "code": "not_checked",
            "message": "Not checked: fix the Freshdesk domain first.",
        }
    assert service.upstream_calls() == (0, 0)  # a refused domain makes no call at all


async def test_missing_settings(service: Service) -> None:
    resp = await service.http.post(
        "/v1/validate", json={}, headers={"X-Freshdesk-Domain": "demo.freshdesk.com"}
    )
    body = resp.json()
    assert body["ok"] is False
    assert body["results"]["freshdesk_domain"]["ok"] is True
    assert body["results"]["freshdesk_api_key"]["ok"] is False
    assert body["results"]["upsales_api_key"]["ok"] is False
