"""Prometheus metrics: requests and latency by route and upstream, errors, rate-limit waits,
Redis fallbacks."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from ..clients.errors import Service, UpstreamError

BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 4, 8, 12)


class Metrics:
    """One registry per app, so each app (and each test) counts on its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ufd_requests", "Requests served", ["route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "ufd_request_seconds",
            "Request latency",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.upstream_latency = Histogram(
            "ufd_upstream_seconds",
            "Upstream call latency",
            ["service"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "ufd_upstream_errors", "Upstream failures", ["service", "kind"], registry=self.registry
        )
        self.rate_limit_wait = Counter(
            "ufd_rate_limit_wait_seconds",
            "Time spent waiting for client-side rate limits",
            ["service"],
            registry=self.registry,
        )
        self.card_status = Counter(
            "ufd_card_status", "Cards by status", ["status"], registry=self.registry
        )
        self.redis_fallbacks = Counter(
            "ufd_redis_fallbacks",
            "Operations that used in-process state because Redis was unavailable",
            ["operation"],
            registry=self.registry,
        )
        self.writes_refused = Counter(
            "ufd_writes_refused",
            "Writes refused (nothing done, safe to retry): Redis unavailable or state lost",
            ["reason"],
            registry=self.registry,
        )

    # CallObserver
    def call_finished(self, service: Service, seconds: float, error: UpstreamError | None) -> None:
        self.upstream_latency.labels(service).observe(seconds)
        if error is not None:
            self.upstream_errors.labels(service, error.kind).inc()

    def throttled(self, service: Service, seconds: float) -> None:
        self.rate_limit_wait.labels(service).inc(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
