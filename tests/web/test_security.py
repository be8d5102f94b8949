"""The service's security promises, each tested."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.faults import garbled, outage
from tests.support.service import HEADERS, Service, running
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.web.deps import Credentials, make_clients

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def assert_security_headers(resp: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert resp.headers[name] == value
    csp = resp.headers["content-security-policy"]
    assert csp.startswith("default-src 'none';")
    assert "frame-ancestors https://*.freshdesk.com https://*.freshworks.com" in csp
    assert resp.headers["strict-transport-security"].startswith("max-age=")


async def test_every_answer_carries_the_security_headers(service: Service) -> None:
    answers = [
        await service.card("found"),
        await service.http.post("/v1/validate", json={}, headers=HEADERS),
        await service.http.get("/healthz"),
        await service.http.get("/metrics"),
        await service.http.get("/openapi.json"),
        await service.http.get("/nowhere"),
        await service.http.post("/v1/card", content=b"{", headers=HEADERS),
        await service.card("found", headers={"X-Freshdesk-Domain": "127.0.0.1"}),
        await service.http.post("/v1/card", content=b"x" * 100_000, headers=HEADERS),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 404, 400, 400, 413]
    for answer in answers:
        assert_security_headers(answer)
        for name in ("content-security-policy", "cache-control", "x-content-type-options"):
            assert len(answer.headers.get_list(name)) == 1, name


async def test_the_contract_documents_the_credential_headers(service: Service) -> None:
    """The card and every action read their credentials from these headers; the
    OpenAPI document (which the fuzz tests and integrators use) says so."""
    paths = (await service.http.get("/openapi.json")).json()["paths"]
    routes = ["/v1/card", *(p for p in paths if p.startswith("/v1/actions/"))]
    assert len(routes) == 11
    for route in routes:
        params = paths[route]["post"]["parameters"]
        assert [(p["name"], p["in"], p["required"]) for p in params] == [
            ("x-freshdesk-domain", "header", False),
            ("x-freshdesk-api-key", "header", False),
            ("x-upsales-token", "header", False),
            ("authorization", "header", False),
        ]


async def test_the_service_secret_is_required_when_configured() -> None:
    async with running(service_secret="s3cret-for-tests") as service:
        for auth in (None, "Bearer wrong", "s3cret-for-tests", "Basic s3cret-for-tests"):
            headers = {"Authorization": auth} if auth else {}
            resp = await service.card("found", headers=headers)
            assert resp.status_code == 401
            assert resp.json()["errors"][0]["code"] == "auth_failed"
        assert service.upstream_calls() == (0, 0)
        ok = await service.card("found", headers={"Authorization": "Bearer s3cret-for-tests"})
        assert ok.status_code == 200


async def test_selective_access_refuses_other_accounts() -> None:
    async with running(allowed_accounts="acme,other") as service:
        resp = await service.card("found")
        assert resp.status_code == 403
        assert resp.json()["errors"][0]["code"] == "account_not_allowed"
        assert service.upstream_calls() == (0, 0)
    async with running(allowed_accounts="demo") as service:
        assert (await service.card("found")).status_code == 200


@pytest.mark.parametrize(
    "missing", ["X-Freshdesk-Domain", "X-Freshdesk-Api-Key", "X-Upsales-Token"]
)
async def test_missing_credentials_are_a_clear_400(service: Service, missing: str) -> None:
    headers = {k: v for k, v in HEADERS.items() if k != missing}
    resp = await service.http.post("/v1/card", json=service.body("found"), headers=headers)
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["code"] == "invalid_request"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ticket": {"id": 1}},
        {"ticket": {"id": -1}, "requester": {"email": "a@b.example"}},
        {"ticket": {"id": 1}, "requester": {"email": "not an email"}},
        {"ticket": {"id": 1}, "requester": {"email": "a@b.example"}, "extra": True},
        {"ticket": {"id": "1; drop"}, "requester": {"email": "a@b.example"}},
        [],
        "text",
        None,
    ],
)
async def test_bad_bodies_get_a_400_that_echoes_nothing(service: Service, body: object) -> None:
    resp = await service.http.post("/v1/card", json=body, headers=HEADERS)
    assert resp.status_code == 400
    text = resp.text
    assert "not an email" not in text
    assert "drop" not in text
    assert resp.json()["errors"][0]["code"] == "invalid_request"
    assert service.upstream_calls() == (0, 0)


async def test_a_token_that_could_inject_headers_is_refused(service: Service) -> None:
    resp = await service.card("found", headers={"X-Upsales-Token": "a; other=1"})
    assert resp.status_code == 400
    assert service.upstream_calls() == (0, 0)


def test_upstreams_are_https_by_default() -> None:
    from upsales_freshdesk.clients import ThrottleRegistry, new_http_client
    from upsales_freshdesk.web.app import HTTP, POLICY
    from upsales_freshdesk.web.deps import Upstreams
    from upsales_freshdesk.web.idempotency import LocalOnce
    from upsales_freshdesk.web.metrics import Metrics
    from upsales_freshdesk.web.undo import UndoSigner

    registry = ThrottleRegistry()
    upstreams = Upstreams(
        new_http_client(HTTP),
        new_http_client(HTTP),
        registry,
        Metrics(),
        POLICY,
        once=LocalOnce(),
        undo=UndoSigner(None),
        background=registry,
    )
    clients = make_clients(Settings(), upstreams, Credentials("acme.freshdesk.com", "key", "token"))
    assert clients.freshdesk.core.base_url == "https://acme.freshdesk.com/api/v2/"
    assert clients.upsales.core.base_url.startswith("https://")
    with pytest.raises(ValueError, match="https"):
        Settings(upsales_base_url="http://upsales.example/api/v2/")


async def test_logs_hold_no_keys_tokens_emails_names_or_phones(
    service: Service,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from upsales_freshdesk.web.logs import configure_logging

    configure_logging()
    for scenario in ("found", "different", "not_found", "ambiguous", "hostile", "other_email"):
        await service.card(scenario)
    await service.card("found", headers={"X-Upsales-Token": "wrong-token-value"})
    await service.card("found", headers={"X-Freshdesk-Api-Key": "wrong-fd-key-value"})
    service.us.faults.set(outage(500))
    await service.card("found")
    service.fd.faults.set(garbled())
    await service.card("different")
    await service.http.post("/v1/validate", json={}, headers=HEADERS)
    await service.http.post(
        "/v1/card",
        json={
            "ticket": {"id": 1},
            "requester": {"email": "leak.me@nordvind.example", "name": "Leaky Name"},
        },
        headers={**HEADERS, "X-Freshdesk-Domain": "127.0.0.1"},
    )
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(lines) >= 11
    forbidden = [
        "demo-freshdesk-key",
        "demo-upsales-token",
        "wrong-token-value",
        "wrong-fd-key-value",
        "@",
        "Astrid",
        "Lindqvist",
        "Mårten",
        "Søren",
        "Leaky",
        "+46",
        "70 111",
    ]
    for needle in forbidden:
        assert needle not in out, needle
    assert {"partial", "found", "not_found", "ambiguous"} <= {
        line.get("card_status") for line in lines
    }


#: A secret of the length ``serve`` requires (32+ characters).
LONG_SECRET = "a-service-secret-of-forty-characters-0123"
#: What a presented token must not be mistaken for: blank, padded or folded.
NOT_THE_SECRET = [
    b"",
    b" ",
    b"\xa0",  # a non-breaking space (latin-1, as Starlette decodes header bytes)
    b"\xc2\xa0",  # the same in UTF-8
    b"\t",
    LONG_SECRET.encode() + b" ",
    LONG_SECRET.encode() + b"\xa0",
    b"\xa0" + LONG_SECRET.encode(),
    LONG_SECRET.upper().encode(),
    LONG_SECRET[:-1].encode(),
]


def test_a_token_is_compared_exactly_as_sent() -> None:
    from upsales_freshdesk.web.security import secret_matches, token_matches

    assert token_matches(LONG_SECRET, LONG_SECRET)
    assert secret_matches(f"Bearer {LONG_SECRET}", LONG_SECRET)
    for given in NOT_THE_SECRET:
        text = given.decode("latin-1")
        assert not token_matches(text, LONG_SECRET), given
        assert not secret_matches(f"Bearer {text}", LONG_SECRET), given
    for blank in ("", " ", "\u00a0", "\u2003", "\t\n"):
        # A blank token is no token, even against a secret configured empty.
        assert not token_matches(blank, ""), blank
        assert not secret_matches(f"Bearer {blank}", ""), blank
    assert not token_matches(None, "")
    assert not secret_matches(f"Bearer  {LONG_SECRET}", LONG_SECRET)  # two spaces


@pytest.mark.parametrize("configured", [LONG_SECRET, ""])
async def test_a_blank_or_padded_bearer_opens_nothing(configured: str) -> None:
    """The service secret, the metrics token and the webhook secret: a non-breaking space
    once passed as a secret configured empty (the token was stripped before comparing)."""
    async with running(
        service_secret=configured, metrics_token=configured, webhook_secret=configured
    ) as service:
        for token in NOT_THE_SECRET:
            bearer = b"Bearer " + token
            card = await service.card("found", headers={"Authorization": bearer})  # type: ignore[dict-item]
            assert card.status_code == 401, token
            metrics = await service.http.get("/metrics", headers={"Authorization": bearer})
            assert metrics.status_code == 404, token
            hook = await service.http.post(
                "/v1/webhooks/freshdesk/ticket-created",
                json={"ticket_id": 2},
                headers={"X-Webhook-Secret": token},
            )
            assert hook.status_code == 401, token
        assert service.upstream_calls() == (0, 0)
        if configured:
            bearer = f"Bearer {configured}"
            assert (
                await service.card("found", headers={"Authorization": bearer})
            ).status_code == 200
            metrics = await service.http.get("/metrics", headers={"Authorization": bearer})
            assert metrics.status_code == 200
