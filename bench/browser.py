"""Browser benchmark: click to rendered card, measured with the Performance API.

The demo runs with the emulators at a fixed latency per upstream call. In Debian's
Chromium, each click on "Sync contact from Upsales" is timed inside the app frame with
performance.now(), from the click until the card is in the DOM and painted. The same
card is then fetched without the browser, through the host's relay to the backend, so
the ratio shows what the front end (data API, template filling, rendering) adds.

    .venv/bin/python bench/browser.py [--latency-ms 100] [--clicks 40]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from playwright.sync_api import sync_playwright

from upsales_freshdesk.demo.run import build_demo, find_app_dir
from upsales_freshdesk.web.logs import configure_logging

ROOT = Path(__file__).resolve().parents[1]
TIME_CLICK = """() => new Promise((resolve) => {
  const result = document.getElementById('ufd-result');
  result.textContent = '';
  const observer = new MutationObserver(() => {
    if (result.querySelector('.ufd-card')) {
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - start));
    }
  });
  observer.observe(result, {childList: true, subtree: true});
  const start = performance.now();
  document.getElementById('ufd-sync').click();
})"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(latency_ms: float, clicks: int) -> None:
    import logging

    configure_logging(logging.WARNING)
    app = build_demo(find_app_dir(ROOT / "freshworks-app"), latency_ms=latency_ms)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(f"{url}/?ticket=1")
        frame = page.frame_locator("[data-testid=app-frame]")
        frame.locator("#ufd-sync:not([disabled])").wait_for()
        app_frame = page.frame(url=lambda u: "/app/index.html" in u)
        assert app_frame is not None
        app_frame.evaluate(TIME_CLICK)  # warm up
        in_browser = []
        for _ in range(clicks):
            frame.locator("#ufd-sync:not([disabled])").wait_for()
            in_browser.append(app_frame.evaluate(TIME_CLICK))
        browser.close()

    # The same card without the browser: the request the stand-in fills, sent to the relay.
    data = httpx.get(f"{url}/_demo/data/1").json()
    body = json.dumps(
        {
            "ticket": {"id": 1},
            "requester": data["requester"],
            "company": data["company"],
            "locale": "en",
        }
    )
    spec = {
        "method": "POST",
        "protocol": "https",
        "host": "upsales-freshdesk.demo.example",
        "path": "/v1/card",
        "body": body,
        "headers": {
            "Content-Type": "application/json",
            "X-Freshdesk-Domain": "demo.freshdesk.com",
            "X-Freshdesk-Api-Key": "demo-freshdesk-key",
            "X-Upsales-Token": "demo-upsales-token",
        },
    }
    backend = []
    with httpx.Client() as client:
        for _ in range(clicks):
            started = time.perf_counter()
            answer = client.post(f"{url}/_fdk/relay", json=spec).json()
            backend.append((time.perf_counter() - started) * 1000)
            if answer["status"] != 200:
                raise RuntimeError(f"backend answered {answer['status']}")
    server.should_exit = True

    b50, f50 = statistics.median(backend), statistics.median(in_browser)
    print(f"latency per upstream call: {latency_ms:.0f} ms; {clicks} clicks in Chromium")
    print(f"click -> rendered card   p50/p95: {f50:7.1f} / {pct(in_browser, 0.95):7.1f} ms")
    print(f"backend only (relay)     p50/p95: {b50:7.1f} / {pct(backend, 0.95):7.1f} ms")
    print(f"front-end overhead: {f50 - b50:+.1f} ms at p50 -> {f50 / b50:.3f}x the backend time")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--clicks", type=int, default=40)
    args = parser.parse_args()
    main(args.latency_ms, args.clicks)
