"""POST /v1/validate: a live check and a localised message per setting."""

from __future__ import annotations

from typing import Any

from tests.support.service import HEADERS, Service, running
from upsales_freshdesk.web.rendering.i18n import translations
from upsales_freshdesk.web.rendering.messages import VALIDATION
from upsales_freshdesk.web.routes.validate import Checker


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
    # The installation page's own text (its Swedish as the catalogue has it).
    sv = translations("sv").gettext(VALIDATION[("upsales", "auth_failed")])
    assert check["message"] == sv
    assert "Kontrollera appens inställningar" not in check["message"]
    assert body["results"]["freshdesk_api_key"]["ok"] is True


async def test_a_wrong_freshdesk_key(service: Service) -> None:
    body = await validate(service, **{"X-Freshdesk-Api-Key": "wrong"})
    assert body["results"]["freshdesk_api_key"]["code"] == "auth_failed"
    assert body["results"]["freshdesk_api_key"]["message"] == "The Freshdesk API key was refused."
    assert body["results"]["upsales_api_key"]["ok"] is True


async def test_a_refused_key_names_the_key_not_the_app_settings(service: Service) -> None:
    """The page that shows these messages is the app settings: it never points there."""
    wrong = {"X-Freshdesk-Api-Key": "wrong", "X-Upsales-Token": "wrong"}
    body = await validate(service, **wrong)
    messages = {name: r["message"] for name, r in body["results"].items() if not r["ok"]}
    assert messages == {
        "freshdesk_api_key": "The Freshdesk API key was refused.",
        "upsales_api_key": "The Upsales API key was refused.",
    }
    assert all("app settings" not in m for m in VALIDATION.values())


async def test_the_secret_block_of_a_service_without_a_secret(service: Service) -> None:
    body = await validate(service)
    assert body["secret"] == {"required": False, "given": False, "ok": True}
    assert body["ok"] is True


async def test_a_secret_the_service_does_not_use_is_not_ok(service: Service) -> None:
    """The page then says to leave it empty (the route passes the Authorization header)."""
    checker = Checker(service.app.state.settings, service.app.state.upstreams, "en")
    body = await checker.run(
        "demo.freshdesk.com",
        HEADERS["X-Freshdesk-Api-Key"],
        HEADERS["X-Upsales-Token"],
        "Bearer not-used",
    )
    assert body.secret.model_dump() == {"required": False, "given": True, "ok": False}
    assert body.ok is False
    assert all(r.ok for r in body.results.values())
    blank = await checker.run("demo.freshdesk.com", "k", "t", "Bearer ")  # an empty field
    assert blank.secret.given is False
    assert blank.secret.ok is True


async def test_a_service_that_requires_a_secret_says_so() -> None:
    async with running(service_secret="s3cret") as service:
        body = await validate(service, Authorization="Bearer s3cret")
        assert body["secret"]["required"] is True
        assert body["secret"]["ok"] is True
        assert body["ok"] is True
        for missing in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer wrong"}):
            resp = await service.http.post(
                "/v1/validate", json={"locale": "en"}, headers={**HEADERS, **missing}
            )
            assert resp.status_code == 401  # the page says it requires a secret


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
