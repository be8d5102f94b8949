"""Which upstream failures a queued job waits out and tries again, and which end it.

A refusal time can mend (a 429, a 5xx, a timeout, a lost connection, a daily cap, a key
the operator may fix) is :class:`~..jobs.Later`: the job is kept, not forgotten. A
refusal of the values themselves (400, 404) ends it: a retry would send the same."""

from __future__ import annotations

from ..clients import (
    AuthenticationError,
    DailyCapReachedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UpstreamError,
    ValidationError,
)
from ..jobs import Later
from ..jobs.base import backoff

#: A wrong or revoked key waits this long before the next try: the operator may fix it.
REFUSED_KEY_SECONDS = 300.0


def later_for(error: UpstreamError, attempt: int) -> Later | None:
    """When to try again after ``error``, or None when no retry can help."""
    if isinstance(error, DailyCapReachedError):
        return Later(error.retry_after or 3600, "daily cap")
    if isinstance(error, RateLimitedError):
        return Later(error.retry_after or backoff(attempt), "rate limited")
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return Later(REFUSED_KEY_SECONDS, "key refused")
    if isinstance(error, ValidationError | NotFoundError):
        return None
    return Later(error.retry_after or backoff(attempt), error.kind)
