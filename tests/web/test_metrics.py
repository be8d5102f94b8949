"""GET /metrics: requests and latency by route and upstream, errors by kind."""

from __future__ import annotations

from tests.support.faults import outage
from tests.support.service import HEADERS, Service


async def test_metrics_count_routes_upstreams_and_errors(service: Service) -> None:
    await service.card("found")
    service.us.faults.set(outage())
    await service.card("found")
    text = (await service.http.get("/metrics")).text
    assert 'ufd_requests_total{route="/v1/card",status="200"} 2.0' in text
    assert 'ufd_request_seconds_count{route="/v1/card"} 2.0' in text
    assert 'ufd_upstream_seconds_count{service="freshdesk"} 2.0' in text
    assert 'ufd_upstream_errors_total{kind="server_error",service="upsales"} 1.0' in text
    assert 'ufd_card_status_total{status="partial"} 1.0' in text
    assert 'ufd_card_status_total{status="found"} 1.0' in text


async def test_rate_limit_waits_are_measured(service: Service) -> None:
    from upsales_freshdesk.clients.throttle import UPSALES_LIMIT, UPSALES_WINDOW_SECONDS

    registry = service.app.state.upstreams.registry
    token = HEADERS["X-Upsales-Token"]
    throttle = registry.slot("upsales", "", token, UPSALES_LIMIT, UPSALES_WINDOW_SECONDS).throttle
    throttle.pause(1.5)  # as if Upsales had said X-RateLimit-Remaining: 0 (long enough under load)
    assert (await service.card("found")).json()["status"] == "found"
    text = (await service.http.get("/metrics")).text
    line = next(
        x
        for x in text.splitlines()
        if x.startswith('ufd_rate_limit_wait_seconds_total{service="upsales"}')
    )
    assert float(line.split()[-1]) > 0.1


async def test_upsales_calls_of_the_day_are_shown_and_warned_about_at_80_percent() -> None:
    from tests.support.service import running
    from upsales_freshdesk.clients.accounts import account_key
    from upsales_freshdesk.clients.daily import utc_day

    async with running(upsales_daily_cap=10) as service:
        assert (await service.card("found")).json()["status"] == "found"
        made = service.us.stats.total
        key = account_key("upsales", "\0" + HEADERS["X-Upsales-Token"]).rsplit(":", 1)[-1]
        text = (await service.http.get("/metrics")).text
        day = utc_day()[0]
        assert f'ufd_upsales_calls_today{{day="{day}",key="{key}"}} {float(made)}' in text
        assert HEADERS["X-Upsales-Token"] not in text
        health = (await service.http.get("/healthz")).json()
        assert not any("calls today" in w for w in health["warnings"])
        while service.us.stats.total < 8:  # 80 % of the cap
            await service.card("found")
        health = (await service.http.get("/healthz")).json()
        warned = [w for w in health["warnings"] if "calls today" in w]
        assert len(warned) == 1
        assert key in warned[0]
        assert "UFD_UPSALES_DAILY_CAP" in warned[0]
        # The card goes on past the cap unless the operator chose otherwise.
        while service.us.stats.total < 12:
            assert (await service.card("found")).json()["status"] == "found"


async def test_the_operator_can_have_the_cap_stop_the_cards_upsales_calls() -> None:
    from tests.support.service import running

    async with running(upsales_daily_cap=4, upsales_daily_cap_stops_cards=True) as service:
        assert (await service.card("found")).json()["status"] == "found"
        assert service.us.stats.total == 4
        card = (await service.card("found")).json()
        assert service.us.stats.total == 4  # nothing more was sent
        assert any(e["source"] == "upsales" for e in card["errors"]), card
