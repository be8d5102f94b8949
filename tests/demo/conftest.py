"""The demo served for real (uvicorn on a free loopback port) and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from upsales_freshdesk.demo.host import DemoHost
from upsales_freshdesk.demo.run import build_demo, find_app_dir
from upsales_freshdesk.demo.vendor import CDN_RE, crayons_dir, vendor_file

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CDN_ROUTE = "https://cdn.jsdelivr.net/npm/@freshworks/crayons@*/**"
AXE = ROOT / "tests" / "freshworks_app" / "node_modules" / "axe-core" / "axe.min.js"


class Demo:
    def __init__(self, url: str, host: DemoHost) -> None:
        self.url = url
        self.host = host

    def state(self, **change: Any) -> dict[str, Any]:
        result: dict[str, Any] = httpx.post(f"{self.url}/_demo/state", json=change).json()
        return result

    def upsales(self) -> Any:
        return self.host.emulators["upsales"]


@pytest.fixture(scope="session")
def demo() -> Iterator[Demo]:
    # The pages keep the CDN's URLs, as published; the browser gets Crayons from routes.
    app = build_demo(find_app_dir(ROOT / "freshworks-app"), latency_ms=0, local_crayons=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield Demo(f"http://127.0.0.1:{port}", app.state.host)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API runs an event loop while it is open, which
    must be gone before the async tests of other modules run."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def crayons_copy() -> Path:
    """The pinned copy of the Crayons npm package (``make`` installs it with npm)."""
    found = crayons_dir()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("the Crayons copy is missing: make installs demo/vendor with npm ci")
        pytest.skip("the Crayons copy is not installed (npm ci --prefix .../demo/vendor)")
    return found


def serve_crayons(route: Any) -> None:
    """Answer jsDelivr's URLs of the package from the local copy: offline, same files."""
    match = CDN_RE.match(route.request.url)
    target = vendor_file(crayons_copy(), route.request.url[match.end() :]) if match else None
    if target is None:
        route.fulfill(status=404, body="")
        return
    kind = "text/javascript" if target.suffix in (".js", ".mjs") else "text/css"
    route.fulfill(status=200, body=target.read_bytes(), headers={"content-type": kind})


@pytest.fixture
def crayons() -> str:
    """How the browser gets Crayons: ``served`` (the default) or ``blocked``."""
    return "served"


@pytest.fixture
def page(browser: Any, demo: Demo, crayons: str) -> Iterator[Any]:
    demo.state(reset=True, language="en", upsales="normal", freshdesk="normal")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    if crayons == "served":
        context.route(CDN_ROUTE, serve_crayons)
    else:
        context.route(CDN_ROUTE, lambda route: route.abort())
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
