"""deploy/Caddyfile for real: Debian's caddy on loopback, in front of a served backend.

Caddy runs the shipped file unchanged; only its environment differs from production
(``UFD_TLS_ISSUER=internal``, free ports, no admin endpoint, a private data folder whose
local CA the client trusts). The backend is ``python -m upsales_freshdesk serve`` talking
to both emulators.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.process import EmulatorProcess, free_port, run_emulators
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN
from upsales_freshdesk.web.launch import run_serve, stop

CADDYFILE = Path(__file__).resolve().parents[2] / "deploy" / "Caddyfile"
SECRET = "caddy-test-secret-0123456789abcdef"
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Strict-Transport-Security",
    "Cache-Control",
)
HEADERS = {
    "X-Freshdesk-Domain": "demo.freshdesk.com",
    "X-Freshdesk-Api-Key": DEFAULT_KEY,
    "X-Upsales-Token": DEFAULT_TOKEN,
    "Authorization": f"Bearer {SECRET}",
}


def _caddy() -> str:
    found = shutil.which("caddy") or ("/usr/bin/caddy" if Path("/usr/bin/caddy").exists() else "")
    if not found:
        reason = "caddy is not installed (apt-get install -y caddy)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it")
        pytest.skip(reason)
    return found


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, **client: Any) -> None:
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{url}: the process exited {proc.returncode}:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=1, **client)
            return
        except (httpx.HTTPError, ssl.SSLError):
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer within 20 s:\n{log.read_text()}")
            time.sleep(0.1)


@dataclass(frozen=True)
class Caddy:
    https: str
    http: str
    trust: ssl.SSLContext
    log: Path


@pytest.fixture(scope="module")
def caddy_bin() -> str:
    return _caddy()


@pytest.fixture(scope="module")
def emulators() -> Iterator[EmulatorProcess]:
    with run_emulators() as emu:
        yield emu


@pytest.fixture(scope="module")
def backend(
    emulators: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """``serve`` on a free loopback port; its URL and its log (JSON lines)."""
    folder = tmp_path_factory.mktemp("serve")  # no .env of the developer's is read
    log = folder / "serve.log"
    settings = {
        "UFD_FRESHDESK_BASE_URL": emulators.freshdesk_url,
        "UFD_UPSALES_BASE_URL": emulators.upsales_url,
        "UFD_SERVICE_SECRET": SECRET,
        "UFD_FRESHDESK_PLAN": "pro",
    }
    with log.open("wb") as sink, ExitStack() as stack:
        try:
            served = stack.enter_context(run_serve(settings, output=sink, cwd=folder))
        except RuntimeError as exc:
            pytest.fail(f"{exc}:\n{log.read_text()}")
        yield served.url, log


def _start_caddy(caddy_bin: str, upstream: str, folder: Path, **timeouts: str) -> Iterator[Caddy]:
    https_port, http_port = free_port(), free_port()
    log = folder / "caddy.log"
    env = {
        **os.environ,
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "UFD_DOMAIN": "localhost",
        "UFD_TLS_ISSUER": "internal",
        "UFD_UPSTREAM": upstream,
        "UFD_HTTP_PORT": str(http_port),
        "UFD_HTTPS_PORT": str(https_port),
        "UFD_CADDY_ADMIN": "off",
        **timeouts,
    }
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [caddy_bin, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            cwd=folder,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        root = folder / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        deadline = time.monotonic() + 20
        while not root.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"caddy made no local CA at {root}:\n{log.read_text()}")
            time.sleep(0.05)
        trust = ssl.create_default_context(cafile=str(root))
        https = f"https://localhost:{https_port}"
        _wait(f"{https}/healthz", proc, log, verify=trust)
        yield Caddy(https, f"http://localhost:{http_port}", trust, log)
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def caddy(
    caddy_bin: str, backend: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Caddy]:
    upstream = backend[0].removeprefix("http://")
    yield from _start_caddy(caddy_bin, upstream, tmp_path_factory.mktemp("caddy"))


def _card_body(emu: EmulatorProcess) -> dict[str, Any]:
    ticket = httpx.get(f"{emu.freshdesk_url}tickets/1", auth=(DEFAULT_KEY, "X")).json()
    return {
        "ticket": {"id": 1},
        "requester": {"id": ticket["requester_id"], "email": "astrid.lindqvist@nordvind.example"},
        "locale": "en",
    }


def test_card_over_https_keeps_every_security_header(
    caddy: Caddy, backend: tuple[str, Path], emulators: EmulatorProcess
) -> None:
    body = _card_body(emulators)
    resp = httpx.post(f"{caddy.https}/v1/card", json=body, headers=HEADERS, verify=caddy.trust)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "found"
    direct = httpx.post(f"{backend[0]}/v1/card", json=body, headers=HEADERS)
    for name in SECURITY_HEADERS:
        assert resp.headers.get(name) == direct.headers[name], name
    assert "frame-ancestors https://*.freshdesk.com" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    # The backend saw https (X-Forwarded-Proto from Caddy, a trusted proxy on loopback).
    text = backend[1].read_text().splitlines()
    lines = [json.loads(line) for line in text if line.startswith("{") and '"request"' in line]
    cards = [line for line in lines if line.get("route") == "/v1/card"]
    assert cards[0].get("scheme") == "https", cards[0]


def test_without_the_secret_caddy_passes_the_refusal_on(caddy: Caddy) -> None:
    headers = {k: v for k, v in HEADERS.items() if k != "Authorization"}
    resp = httpx.post(f"{caddy.https}/v1/card", json={}, headers=headers, verify=caddy.trust)
    assert resp.status_code == 401
    assert "frame-ancestors" in resp.headers["Content-Security-Policy"]


def test_the_access_log_holds_no_key_and_no_webhook_secret(caddy: Caddy) -> None:
    """Caddy logs each request's headers and URI: the keys' headers are dropped and the
    secret Upsales' triggers send as the URL's last segment is replaced."""
    path_secret = "path-secret-0123456789abcdefghijklmnop"
    header_secret = "header-secret-0123456789abcdefghijklmn"
    headers = {**HEADERS, "X-Webhook-Secret": header_secret}
    httpx.post(f"{caddy.https}/v1/card", json={}, headers=headers, verify=caddy.trust)
    poke = f"{caddy.https}/v1/webhooks/upsales/{path_secret}"
    httpx.post(poke, json={"entity": "contact", "id": 1}, verify=caddy.trust)
    deadline = time.monotonic() + 10
    while "/v1/webhooks/upsales/REDACTED" not in caddy.log.read_text():
        assert time.monotonic() < deadline, "no access log line for the poke"
        time.sleep(0.05)
    logged = caddy.log.read_text()
    assert '"uri":"/v1/card"' in logged
    for secret in (path_secret, header_secret, DEFAULT_KEY, DEFAULT_TOKEN, SECRET):
        assert secret not in logged


def test_plain_http_is_redirected_to_https(caddy: Caddy) -> None:
    resp = httpx.get(f"{caddy.http}/healthz?x=1", follow_redirects=False)
    assert resp.status_code in (301, 308)
    # Caddy 2.6 leaves a non-default HTTPS port out of the redirect (in production it is 443).
    location = urlsplit(resp.headers["Location"])
    assert (location.scheme, location.hostname) == ("https", "localhost")
    assert (location.path, location.query) == ("/healthz", "x=1")


class _Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_forwarded_headers_are_the_ones_caddy_sets(
    caddy_bin: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What reaches the upstream: Caddy's X-Forwarded-*, never the client's."""
    echo = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    try:
        proxy = _start_caddy(
            caddy_bin, f"127.0.0.1:{echo.server_address[1]}", tmp_path_factory.mktemp("echo")
        )
        c = next(proxy)
        try:
            seen = httpx.get(
                f"{c.https}/anything",
                headers={
                    "X-Forwarded-For": "203.0.113.7",
                    "X-Forwarded-Proto": "http",
                    "X-Forwarded-Host": "evil.example",
                },
                verify=c.trust,
            ).json()
        finally:
            proxy.close()
    finally:
        echo.shutdown()
        echo.server_close()
    assert seen["x-forwarded-for"] in ("127.0.0.1", "::1"), seen
    assert seen["x-forwarded-proto"] == "https", seen
    assert seen["x-forwarded-host"] == c.https.removeprefix("https://"), seen


# -- slow clients: Caddy's timeouts (uvicorn has none for a request's headers) -------------


@pytest.fixture(scope="module")
def impatient(
    caddy_bin: str, backend: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Caddy]:
    """The shipped Caddyfile with its header timeout at 1 s and its request timeout at
    2 s (production: 10 s and 20 s)."""
    upstream = backend[0].removeprefix("http://")
    folder = tmp_path_factory.mktemp("impatient")
    yield from _start_caddy(
        caddy_bin, upstream, folder, UFD_HEADER_TIMEOUT="1s", UFD_BODY_TIMEOUT="2s"
    )


def _tls_socket(c: Caddy, data: bytes) -> ssl.SSLSocket:
    port = int(c.https.rsplit(":", 1)[1])
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock = c.trust.wrap_socket(raw, server_hostname="localhost")
    sock.sendall(data)
    return sock


def _closed_by_server(sock: ssl.SSLSocket) -> bool:
    """Caddy closed the connection without an answer."""
    try:
        return sock.recv(1024) == b""
    except ssl.SSLEOFError:
        return True
    except (ConnectionResetError, TimeoutError):
        return False


def test_fifty_slow_header_sockets_are_closed_at_caddys_header_timeout(
    impatient: Caddy,
) -> None:
    socks = [
        _tls_socket(impatient, b"POST /v1/card HTTP/1.1\r\nHost: localhost\r\n") for _ in range(30)
    ]
    try:
        time.sleep(1.6)
        assert all(_closed_by_server(s) for s in socks)
        health = httpx.get(f"{impatient.https}/healthz", verify=impatient.trust)
        assert health.status_code == 200
    finally:
        for s in socks:
            s.close()


def test_a_body_that_trickles_in_is_cut_off_at_caddys_request_timeout(
    impatient: Caddy, emulators: EmulatorProcess
) -> None:
    """A byte every half second passes the backend's own limit (10 s between chunks), not
    Caddy's 2 s for the whole request: it is cut off then, and never becomes a card."""
    body = json.dumps(_card_body(emulators)).encode()
    head = (
        "POST /v1/card HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
        + f"Content-Length: {len(body)}\r\n\r\n"
    )
    calls = emulators.calls()
    sock = _tls_socket(impatient, head.encode())
    started = time.monotonic()
    answer = b""
    try:
        with contextlib.suppress(OSError):  # the connection closed under a write
            for byte in body[:10]:  # 5 s' worth, the body not complete
                sock.sendall(bytes([byte]))
                time.sleep(0.5)
        sock.settimeout(5)
        with contextlib.suppress(OSError):
            while chunk := sock.recv(4096):
                answer += chunk
    finally:
        sock.close()
    took = time.monotonic() - started
    # Caddy gives up reading at 2 s and closes; what it sends first (if anything) is no card.
    assert took < 4, took
    assert b'"status"' not in answer, answer
    assert emulators.calls() == calls
