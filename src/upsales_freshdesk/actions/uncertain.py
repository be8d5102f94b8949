"""Whether a failed write may have arrived (and must be looked up, never re-sent)."""

from __future__ import annotations

from ..clients import (
    ConnectionFailedError,
    MalformedResponseError,
    ServerError,
    UpstreamError,
    UpstreamTimeoutError,
)


def may_have_arrived(error: UpstreamError) -> bool:
    """A 5xx, a timeout, a garbled answer or a connection lost after sending: the upstream
    may have done the write. A refusal (4xx, 429) or a refused connection means it did not."""
    if isinstance(error, ConnectionFailedError):
        return error.sent
    return isinstance(error, ServerError | UpstreamTimeoutError | MalformedResponseError)
