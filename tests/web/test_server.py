"""The server's own limits, on real sockets: slow bodies, too many connections, chunked
bodies over the limit, and no redirect built from the Host header. Slow headers are
Caddy's to cut off (tests/deploy/test_caddy.py)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from tests.support import served as served_by
from tests.support.service import HEADERS, running
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.web.launch import run_serve
from upsales_freshdesk.web.server import uvicorn_options

#: serve starts only with a service secret of 32 characters or more.
SECRET = "server-test-secret-0123456789abcdef"


@contextmanager
def serve(output: IO[bytes] | None = None, **settings: str) -> Iterator[int]:
    """``upsales-freshdesk serve`` in a child process with these ``UFD_*`` settings (and
    the service secret); its port, once /healthz answers."""
    with run_serve({"UFD_SERVICE_SECRET": SECRET, **settings}, output=output) as served:
        yield served.port


@pytest.fixture(scope="module")
def served() -> Iterator[int]:
    with serve(UFD_BODY_TIMEOUT_SECONDS="1", UFD_MAX_CONNECTIONS="40") as port:
        yield port


def slow_socket(port: int, data: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(data)
    return sock


def test_a_slow_body_is_refused_with_408(served: int) -> None:
    head = (
        b"POST /v1/card HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"ticket"'
    )
    sock = slow_socket(served, head)
    try:
        answer = sock.recv(4096)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408")


def test_connections_beyond_the_cap_get_503(served: int) -> None:
    idle = [socket.create_connection(("127.0.0.1", served), timeout=5) for _ in range(45)]
    try:
        time.sleep(0.1)
        resp = httpx.get(f"http://127.0.0.1:{served}/healthz")
        assert resp.status_code == 503
    finally:
        for s in idle:
            s.close()
    time.sleep(0.2)
    assert httpx.get(f"http://127.0.0.1:{served}/healthz").status_code == 200


async def test_a_chunked_body_over_the_limit_gets_413() -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 1024

    async with running() as service:
        resp = await service.http.post("/v1/card", content=chunks(), headers=HEADERS)
        assert resp.status_code == 413
        assert resp.json()["errors"][0]["code"] == "invalid_request"
        assert service.upstream_calls() == (0, 0)


async def test_no_redirect_is_built_from_the_host_header() -> None:
    async with running() as service:
        resp = await service.http.post(
            "/v1/card/", json={}, headers={**HEADERS, "Host": "evil.example"}
        )
        assert resp.status_code == 404
        assert "location" not in resp.headers


def test_serve_runs_uvicorns_own_protocol_and_loop_with_its_limits() -> None:
    """No subclass of uvicorn's private protocol classes: names uvicorn resolves itself."""
    options = uvicorn_options(Settings(_env_file=None, max_connections=40))
    assert options["http"] in ("httptools", "h11")
    assert options["loop"] == "asyncio"
    assert options["limit_concurrency"] == 40
    assert options["timeout_keep_alive"] == 5


def test_an_answer_leaves_when_it_is_sent_not_when_the_loops_turn_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On serve's own protocol and loop (asyncio's writes at once; uvloop would hold the
    answer until the end of the loop's turn)."""
    options = uvicorn_options(Settings(_env_file=None))

    @contextmanager
    def as_serve_runs(app: Any, protocol: object) -> Iterator[int]:
        with served_by.in_a_thread(app, http=options["http"], loop=options["loop"]) as port:
            yield port

    monkeypatch.setattr(served_by, "threaded", as_serve_runs)
    assert served_by.answered_while_the_loop_is_busy(asyncio.Protocol)


class _Node:
    self: object


def test_the_served_app_takes_its_heap_out_of_the_collectors_view() -> None:
    """``build()`` (what ``serve`` runs) freezes the objects that live as long as the
    process and raises the collector's thresholds; cycles are still collected."""
    import gc

    from upsales_freshdesk.web.app import GC_THRESHOLDS, settle_heap

    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000
        gc.disable()  # only the explicit collection below may find the cycle
        cycle = _Node()
        cycle.self = cycle
        gone = weakref.ref(cycle)
        del cycle
        assert gone() is not None  # a cycle: reference counting alone does not free it
        assert gc.collect() >= 1
        # (not a count of all objects: another test's thread may be allocating meanwhile)
        assert gone() is None
    finally:
        gc.enable()
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_served_request_is_logged_once(tmp_path: Path) -> None:
    """Our access line only: uvicorn's own (an empty format string once its arguments
    are withheld) is off, because its logger has no handler."""
    import json

    out = tmp_path / "serve.log"
    with out.open("wb") as sink, serve(sink) as port:
        for _ in range(3):
            assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    events = [json.loads(line) for line in out.read_text().splitlines() if line.startswith("{")]
    requests = [e for e in events if e.get("event") == "request"]
    assert len(requests) == 4
    assert all(e["route"] == "/healthz" for e in requests)
    assert not [e for e in events if e.get("logger") == "uvicorn.access"]


# -- start-up: one env file for the service and the sync ----------------------------------

SYNC = {"UFD_SYNC_FRESHDESK_API_KEY": "sync-fd-key", "UFD_SYNC_UPSALES_TOKEN": "sync-us-token"}
#: The two settings of docs/deploy.md's one env file that used to kill serve at start.
ONE_ENV_FILE = {
    "sync account outside the allowlist": {
        **SYNC,
        "UFD_ALLOWED_ACCOUNTS": "acme",
        "UFD_SYNC_FRESHDESK_DOMAIN": "other",
    },
    "custom sync host": {**SYNC, "UFD_SYNC_FRESHDESK_DOMAIN": "support.acme.example"},
}


def refused_start(*args: str, **settings: str) -> str:
    """``serve`` in a child process that must not start: its output, one line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UFD_")}
    proc = subprocess.run(
        [sys.executable, "-m", "upsales_freshdesk", "serve", "--port", "9", *args],
        env={**env, **settings, "COLUMNS": "80"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1, output
    return output


@pytest.mark.parametrize("case", ONE_ENV_FILE)
def test_the_syncs_settings_do_not_stop_serve_with_the_webhook_off(case: str) -> None:
    with serve(**ONE_ENV_FILE[case]) as port:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200


@pytest.mark.parametrize("case", ONE_ENV_FILE)
def test_the_syncs_account_stops_serve_with_one_line_when_the_webhook_uses_it(case: str) -> None:
    line = refused_start(**ONE_ENV_FILE[case], UFD_SERVICE_SECRET=SECRET, UFD_WEBHOOK_SECRET=SECRET)
    assert line.startswith("Refusing to start: UFD_SYNC_FRESHDESK_DOMAIN (")
    assert "sync-fd-key" not in line


def test_serve_refuses_no_secret_a_short_one_and_workers_without_redis() -> None:
    assert "UFD_SERVICE_SECRET is not set" in refused_start()
    assert "UFD_SERVICE_SECRET is 6 characters" in refused_start(UFD_SERVICE_SECRET="s3cret")
    workers = refused_start("--workers", "2", UFD_SERVICE_SECRET=SECRET)
    assert "--workers 2 without UFD_REDIS_URL" in workers


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({}, "UFD_SERVICE_SECRET is not set"),
        ({"UFD_SERVICE_SECRET": ""}, "UFD_SERVICE_SECRET is set but empty"),
        (
            {
                **ONE_ENV_FILE["custom sync host"],
                "UFD_SERVICE_SECRET": SECRET,
                "UFD_WEBHOOK_SECRET": SECRET,
            },
            "UFD_SYNC_FRESHDESK_DOMAIN (support.acme.example) is neither",
        ),
    ],
)
def test_the_app_factory_checks_the_same_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: dict[str, str], says: str
) -> None:
    """``uvicorn --factory upsales_freshdesk.web.app:build`` on its own: one line, exit 1."""
    from upsales_freshdesk.settings import get_settings
    from upsales_freshdesk.web.app import build

    for key in [k for k in os.environ if k.startswith("UFD_")]:
        monkeypatch.delenv(key)
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # no .env
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as stopped:
            build()
    finally:
        get_settings.cache_clear()
    assert str(stopped.value.code).startswith(f"upsales-freshdesk: {says}")


def test_create_app_raises_the_startup_error_for_the_webhooks_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from upsales_freshdesk.settings import Settings, StartupError
    from upsales_freshdesk.web.app import create_app

    for key, value in ONE_ENV_FILE["sync account outside the allowlist"].items():
        monkeypatch.setenv(key, value)
    hook = Settings(_env_file=None, webhook_secret=SECRET, allowed_accounts="acme")
    with pytest.raises(StartupError, match="not in UFD_ALLOWED_ACCOUNTS"):
        create_app(hook)
    create_app(Settings(_env_file=None, allowed_accounts="acme"))  # webhook off: not read
