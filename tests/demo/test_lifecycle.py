"""The demo's platform as the documentation has it: the sidebar app starts minimised and
is activated when the agent opens it; invokeTemplate is limited to 50 requests a minute
for the app and account, and to 15 s a request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.demo import Demo
from upsales_freshdesk.demo.platform import (
    REQUEST_TIMEOUT_S,
    REQUESTS_PER_MINUTE,
    SERVICE_HOST,
)
from upsales_freshdesk.emulators.scenarios import SCENARIOS

HEALTH = {"protocol": "https", "host": SERVICE_HOST, "method": "GET", "path": "/healthz"}


@pytest.fixture
def limits(demo: Demo) -> Iterator[Any]:
    proxy = demo.host.proxy
    saved = (proxy.requests_per_minute, proxy.request_timeout_s)
    proxy.sent.clear()
    yield proxy
    proxy.requests_per_minute, proxy.request_timeout_s = saved
    proxy.sent.clear()
    demo.state(upsales="normal")


def test_the_platforms_numbers() -> None:
    assert REQUESTS_PER_MINUTE == 50
    assert REQUEST_TIMEOUT_S == 15


def test_past_the_minutes_requests_the_platform_answers_429_and_sends_nothing(
    demo: Demo, limits: Any
) -> None:
    limits.requests_per_minute = 3
    relayed = demo.state()["relayed"]
    answers = [httpx.post(f"{demo.url}/_fdk/relay", json=HEALTH).json() for _ in range(5)]
    assert [a["status"] for a in answers] == [200, 200, 200, 429, 429]
    assert answers[3]["errorSource"] == "PLATFORM"
    assert "50 requests per minute" in answers[3]["message"]
    assert demo.state()["relayed"] == relayed + 3


def test_a_request_past_the_timeout_is_the_platforms_504(demo: Demo, limits: Any) -> None:
    limits.request_timeout_s = 0.5
    demo.state(upsales="slow")  # 3 s an Upsales call
    spec = {
        **HEALTH,
        "method": "POST",
        "path": "/v1/validate",
        "headers": {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {demo.host.installation.iparams['service_secret']}",
            "X-Freshdesk-Domain": "demo.freshdesk.com",
            "X-Freshdesk-Api-Key": demo.host.installation.iparams["freshdesk_api_key"],
            "X-Upsales-Token": demo.host.installation.iparams["upsales_api_key"],
        },
        "body": "{}",
    }
    answer = httpx.post(f"{demo.url}/_fdk/relay", json=spec, timeout=10).json()
    assert answer == {
        "status": 504,
        "message": "Timeout error while processing the request",
        "errorSource": "PLATFORM",
    }


def auto_lookup(demo: Demo, on: bool) -> None:
    saved = httpx.get(f"{demo.url}/_demo/iparams").json()["iparams"]
    httpx.post(f"{demo.url}/_demo/iparams", json={**saved, "auto_lookup": on})


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_app_starts_minimised_and_looks_up_when_the_agent_opens_it(
    page: Any, demo: Demo, language: str, artifacts: Any
) -> None:
    demo.state(minimised=True, language=language)
    auto_lookup(demo, True)
    try:
        found, different = SCENARIOS["found"].ticket_id, SCENARIOS["different"].ticket_id
        relayed = demo.state()["relayed"]
        page.goto(f"{demo.url}/?ticket={found}")
        toggle = page.get_by_test_id("app-toggle")
        toggle.wait_for()
        page.wait_for_timeout(1_000)
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.get_by_test_id("app-frame").is_visible()
        assert demo.state()["relayed"] == relayed  # not activated: nothing looked up
        frame = page.frame_locator("[data-testid=app-frame]")
        toggle.click()
        frame.locator("#ufd-result .ufd-card").wait_for(timeout=15_000)
        assert demo.state()["relayed"] == relayed + 1
        page.screenshot(path=str(artifacts / f"opened-{language}.png"))
        toggle.click()  # minimised and opened again: still activated, nothing new
        toggle.click()
        page.wait_for_timeout(500)
        assert demo.state()["relayed"] == relayed + 1
        page.get_by_test_id(f"ticket-{different}").click()  # leaves the ticket
        page.wait_for_timeout(500)
        assert toggle.get_attribute("aria-expanded") == "false"
        assert demo.state()["relayed"] == relayed + 1
        toggle.click()
        frame.locator("#ufd-result .ufd-card", has_text="Mårten").wait_for(timeout=15_000)
        assert demo.state()["relayed"] == relayed + 2
        page.get_by_test_id(f"ticket-{found}").click()  # back within two minutes
        toggle.click()
        frame.locator("#ufd-result .ufd-card").wait_for(timeout=15_000)
        page.wait_for_timeout(500)
        assert "Mårten" not in frame.locator("#ufd-result").inner_text()
        assert demo.state()["relayed"] == relayed + 2  # its card, not a new request
        assert page.errors == []
    finally:
        auto_lookup(demo, False)
        demo.state(minimised=False, language="en")
