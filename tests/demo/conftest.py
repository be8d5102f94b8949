"""The demo served for real (uvicorn on a free loopback port) and Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.demo import ROOT, Demo
from tests.support.served import in_a_thread
from upsales_freshdesk.demo.run import build_demo, find_app_dir
from upsales_freshdesk.demo.vendor import CDN_RE, crayons_dir, vendor_file

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CDN_ROUTE = "https://cdn.jsdelivr.net/npm/@freshworks/crayons@*/**"


@pytest.fixture(scope="session")
def demo() -> Iterator[Demo]:
    # The pages keep the CDN's URLs, as published; the browser gets Crayons from routes.
    app = build_demo(find_app_dir(ROOT / "freshworks-app"), latency_ms=0, local_crayons=False)
    with in_a_thread(app, within=20, log_level="warning", lifespan="auto") as port:
        yield Demo(f"http://127.0.0.1:{port}", app.state.host)


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
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
