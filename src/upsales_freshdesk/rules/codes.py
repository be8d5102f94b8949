"""Stable error codes: the codes, the one ``Issue`` shape, and which upstream failure
gets which code. Adding a code is one edit here, plus the message catalogs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from ..clients import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UpstreamError,
    UpstreamTimeoutError,
    ValidationError,
)

Source = Literal["freshdesk", "upsales", "service"]
Code = Literal[
    "auth_failed",
    "forbidden",
    "not_found",
    "ambiguous",
    "unavailable",
    "rate_limited",
    "timeout",
    "invalid_domain",
    "invalid_request",
    "account_not_allowed",
    "changed",
    "rejected",
    "mismatch",
    "undo_changed",
    "upstreams_down",
    "writes_paused",
    "suggested",
    "link_gone",
    "link_taken",
]


class Issue(BaseModel):
    """One failure (or a notice such as "not in Upsales"), with a stable code."""

    source: Source
    code: Code
    level: Literal["error", "warning"] = "error"
    retry_after: float | None = None
    message: str = ""


#: Error class -> stable code; anything else (5xx, connection, malformed) is "unavailable".
CODES: tuple[tuple[type[UpstreamError], Code], ...] = (
    (AuthenticationError, "auth_failed"),
    (PermissionDeniedError, "forbidden"),
    (RateLimitedError, "rate_limited"),
    (UpstreamTimeoutError, "timeout"),
    (NotFoundError, "not_found"),
    (ValidationError, "rejected"),
)


def issue_for(source: Source, error: UpstreamError) -> Issue:
    """The stable code for an upstream failure."""
    code = next((c for cls, c in CODES if isinstance(error, cls)), "unavailable")
    return Issue(source=source, code=code, retry_after=error.retry_after)
