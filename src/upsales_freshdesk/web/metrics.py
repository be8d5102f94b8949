"""Prometheus metrics: requests and latency by route and upstream, errors, rate-limit waits,
Redis fallbacks, refused writes.

``/metrics`` shows the whole service, not the worker that answers the scrape. With
``serve --workers N`` (N > 1) the workers use prometheus_client's multiprocess mode: each
writes its values to files in ``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds up every
worker's files (``MultiProcessCollector``). :func:`prepare_workers` (called by ``serve``
before the workers start, as the mode is chosen when they import prometheus_client) makes
a fresh temporary folder, removed when ``serve`` exits, unless the operator set the
variable: then that folder is used, emptied of an earlier run's files. A worker that
exits is marked dead (``mark_process_dead``); its counts stay in the totals, as a
counter's should. One worker without the variable keeps the normal in-process registry.

A gauge added here must name its ``multiprocess_mode`` (``livesum``, ``max``, ...): the
default shows one series per worker ``pid``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from ..clients.daily import utc_day
from ..clients.errors import Service, UpstreamError

BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 4, 8, 12)
#: prometheus_client's switch to multiprocess mode: the folder the workers share.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: What prometheus_client writes there (one file per kind and process).
MULTIPROC_FILES = ("counter_*.db", "gauge_*.db", "histogram_*.db", "summary_*.db")


def multiprocess_dir() -> Path | None:
    """The workers' shared folder, when this process runs in multiprocess mode."""
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def prepare_workers(workers: int) -> Path | None:
    """Before ``serve`` starts its workers: the folder their metrics share, or None (one
    worker, the normal registry). Set in the environment, which the workers inherit."""
    given = multiprocess_dir()
    if given is not None:  # the operator's: created if missing, the last run's files gone
        given.mkdir(parents=True, exist_ok=True)
        for pattern in MULTIPROC_FILES:
            for stale in given.glob(pattern):
                stale.unlink(missing_ok=True)
        return given
    if workers <= 1:
        return None
    folder = Path(tempfile.mkdtemp(prefix="ufd-metrics-"))  # fresh, private (0700)
    os.environ[MULTIPROC_ENV] = str(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def _mark_dead_at_exit(pid: int, folder: Path) -> None:
    """Once per worker: at exit, its live gauges leave the totals."""
    atexit.register(mark_process_dead, pid, str(folder))


class Metrics:
    """One registry per app, so each app (and each test) counts on its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        if (folder := multiprocess_dir()) is not None:
            _mark_dead_at_exit(os.getpid(), folder)
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
        self.events = Counter(
            "ufd_events",
            "Webhook events by kind and what became of them (queued, coalesced, refused)",
            ["kind", "result"],
            registry=self.registry,
        )
        self.jobs = Counter(
            "ufd_jobs",
            "Jobs run by kind and outcome (created, updated, unchanged, skipped, later)",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.job_lag = Histogram(
            "ufd_job_lag_seconds",
            "From the event's arrival to its job's end",
            ["kind"],
            buckets=BUCKETS,
            registry=self.registry,
        )

        # A day's count only grows, and every worker reads the same one from Redis: the
        # highest a worker wrote is the count. The day is a label, since multiprocess mode
        # cannot clear a series: yesterday's stays as it ended, today's is its own.
        self.upsales_calls_today = Gauge(
            "ufd_upsales_calls_today",
            "Upsales calls made on the day (UTC) per key (its hash); Upsales bills above 99,999",
            ["key", "day"],
            registry=self.registry,
            multiprocess_mode="max",
        )

        # A time only moves forward: the latest any worker took is the trigger's last call.
        self.trigger_last_call = Gauge(
            "ufd_trigger_last_call_timestamp_seconds",
            "When an Upsales trigger last called the receiver (Unix time), by its event",
            ["event"],
            registry=self.registry,
            multiprocess_mode="max",
        )

    def daily_calls(self, counts: dict[str, int]) -> None:
        """Today's count per Upsales key (by its hash: never the key), as of this scrape."""
        day, _ = utc_day()
        if multiprocess_dir() is None:
            self.upsales_calls_today.clear()  # one process: only today's series
        for key, count in counts.items():
            self.upsales_calls_today.labels(key.rsplit(":", 1)[-1], day).set(count)

    # CallObserver
    def call_finished(self, service: Service, seconds: float, error: UpstreamError | None) -> None:
        self.upstream_latency.labels(service).observe(seconds)
        if error is not None:
            self.upstream_errors.labels(service, error.kind).inc()

    def throttled(self, service: Service, seconds: float) -> None:
        self.rate_limit_wait.labels(service).inc(seconds)

    def render(self) -> bytes:
        """This app's registry; in multiprocess mode, every worker's files added up."""
        folder = multiprocess_dir()
        if folder is None:
            return generate_latest(self.registry)
        everyone = CollectorRegistry()
        MultiProcessCollector(everyone, path=str(folder))  # type: ignore[no-untyped-call]
        return generate_latest(everyone)
