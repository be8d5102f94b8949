"""The demo as the browser tests drive it: its URL and state switches (:class:`Demo`),
and the agent's steps on a ticket page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from upsales_freshdesk.demo.host import DemoHost
from upsales_freshdesk.emulators.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
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


def open_ticket(page: Any, demo: Demo, scenario: str) -> Any:
    page.goto(f"{demo.url}/?ticket={SCENARIOS[scenario].ticket_id}")
    frame = page.frame_locator("[data-testid=app-frame]")
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=10_000)
    return frame


def sync(page: Any, demo: Demo, scenario: str) -> Any:
    frame = open_ticket(page, demo, scenario)
    frame.locator("#ufd-sync").click()
    frame.locator("#ufd-result .ufd-card").wait_for(timeout=15_000)
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=15_000)
    return frame


def toasts(page: Any) -> list[str]:
    page.locator("[data-testid=toast]").first.wait_for(timeout=10_000)
    return [t.inner_text() for t in page.locator("[data-testid=toast]").all()]
