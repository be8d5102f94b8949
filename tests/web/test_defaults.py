"""Secure by default: the service secret off loopback, trusted proxies only, /metrics
restricted, /healthz warnings, and a case-insensitive bearer scheme."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.support.service import HEADERS, running
from upsales_freshdesk.cli import app as cli
from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.web.logs import configure_logging


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("UFD_")}


def test_serve_off_loopback_refuses_to_start_without_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key in [k for k in os.environ if k.startswith("UFD_")]:
        monkeypatch.delenv(key)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])  # noqa: S104
    assert result.exit_code == 2
    assert "UFD_SERVICE_SECRET" in result.output
    assert "--allow-no-secret" in result.output


def test_the_escape_hatch_warns_at_start_and_on_healthz() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "upsales_freshdesk", "serve"),
            *("--host", "0.0.0.0", "--port", str(port), "--allow-no-secret"),  # noqa: S104
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**clean_env(), "COLUMNS": "200"},
    )
    try:
        health: dict[str, Any] = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health["status"] == "ok"
        assert any("UFD_SERVICE_SECRET" in w for w in health["warnings"])
        assert any("UFD_ALLOWED_ACCOUNTS" in w for w in health["warnings"])
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "Warning: no UFD_SERVICE_SECRET" in output
    assert "Warning: UFD_ALLOWED_ACCOUNTS is empty" in output


async def test_a_configured_secret_and_allowlist_give_no_warning() -> None:
    async with running(service_secret="s3cret-for-tests", allowed_accounts="demo") as service:
        health = (await service.http.get("/healthz")).json()
    assert health == {"status": "ok", "warnings": []}


def scheme_logged(out: str) -> list[str]:
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [line["scheme"] for line in lines if line.get("event") == "request"]


async def test_forwarded_headers_count_only_from_trusted_proxies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging()
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.9.8.7"}
    async with running() as service:
        for client in (("203.0.113.7", 4000), ("127.0.0.1", 4000)):
            transport = httpx.ASGITransport(app=service.app, client=client)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
                resp = await http.get("/healthz", headers=forged)
                assert resp.status_code == 200
    assert scheme_logged(capsys.readouterr().out) == ["http", "https"]


async def test_metrics_are_for_loopback_or_the_token_holder() -> None:
    async with running() as service:
        outside = httpx.ASGITransport(app=service.app, client=("203.0.113.7", 4000))
        async with httpx.AsyncClient(transport=outside, base_url="http://svc") as http:
            assert (await http.get("/metrics")).status_code == 404
        assert (await service.http.get("/metrics")).status_code == 200  # loopback
    async with running(metrics_token="scrape-token-123") as service:
        assert (await service.http.get("/metrics")).status_code == 404
        ok = await service.http.get(
            "/metrics", headers={"Authorization": "Bearer scrape-token-123"}
        )
        assert ok.status_code == 200
        assert "ufd_" in ok.text


async def test_the_bearer_scheme_is_case_insensitive() -> None:
    async with running(service_secret="s3cret-for-tests") as service:
        for scheme in ("Bearer", "bearer", "BEARER"):
            resp = await service.card(
                "found", headers={**HEADERS, "Authorization": f"{scheme} s3cret-for-tests"}
            )
            assert resp.status_code == 200, scheme
        wrong = await service.card("found", headers={"Authorization": "Basic s3cret-for-tests"})
        assert wrong.status_code == 401
