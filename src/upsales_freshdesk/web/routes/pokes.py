"""What the two receivers of pokes share: Freshdesk's ticket events (``webhooks.py``)
and Upsales' triggers (``upsales_webhooks.py``). A receiver answers only while its part
of the background is on, takes a call only with its webhook secret (compared in
constant time), and turns a poke into a job on the queue, counted by what became of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import Request
from prometheus_client import Counter
from pydantic import SecretStr

from ...jobs import Job, JobQueue, QueueFull, QueueUnavailable
from ..background import Background
from ..deps import ServiceError
from ..security import token_matches


def enabled(
    part: Callable[[Background], object | None],
) -> Callable[[Request], Awaitable[Background]]:
    """A dependency: the service's background while ``part`` of it is on, else a 404 (a
    receiver that is off is not there)."""

    async def background_with_part(request: Request) -> Background:
        background: Background | None = request.app.state.background
        if background is None or part(background) is None:
            raise ServiceError(404, "invalid_request")  # not enabled
        return background

    return background_with_part


def check_secret(presented: str | None, secret: SecretStr | None) -> None:
    """401 unless ``presented`` is the webhook secret; with none configured, no call is
    taken."""
    if secret is None or not token_matches(presented, secret.get_secret_value()):
        raise ServiceError(401, "auth_failed")


async def submit(
    queue: JobQueue, job: Job, counted: Counter, source: str
) -> Literal["queued", "coalesced"]:
    """``job`` on the queue: "queued", or "coalesced" into its key's waiting job; a full
    queue answers 429 and one that cannot be reached 503 (the vendor calls again). Each
    is counted in ``counted`` under ``source``."""
    try:
        fresh = await queue.submit(job)
    except QueueFull:
        counted.labels(source, "queue_full").inc()
        raise ServiceError(429, "rate_limited") from None
    except QueueUnavailable:
        counted.labels(source, "queue_unavailable").inc()
        raise ServiceError(503, "unavailable") from None
    result: Literal["queued", "coalesced"] = "queued" if fresh else "coalesced"
    counted.labels(source, result).inc()
    return result
