"""GET /metrics: requests and latency by route and upstream, errors by kind."""

from __future__ import annotations

from tests.service import HEADERS, Service
from upsales_freshdesk.emulators.faults import Faults


async def test_metrics_count_routes_upstreams_and_errors(service: Service) -> None:
    await service.card("found")
    service.us.faults.set(Faults(error_rates={503: 1.0}))
    await service.card("found")
    text = (await service.http.get("/metrics")).text
    assert 'ufd_requests_total{route="/v1/card",status="200"} 2.0' in text
    assert 'ufd_request_seconds_count{route="/v1/card"} 2.0' in text
    assert 'ufd_upstream_seconds_count{service="freshdesk"} 2.0' in text
    assert 'ufd_upstream_errors_total{kind="server_error",service="upsales"} 1.0' in text
    assert 'ufd_card_status_total{status="partial"} 1.0' in text
    assert 'ufd_card_status_total{status="found"} 1.0' in text


async def test_rate_limit_waits_are_measured(service: Service) -> None:
    from upsales_freshdesk.clients.policy import UPSALES_LIMIT, UPSALES_WINDOW_SECONDS

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
