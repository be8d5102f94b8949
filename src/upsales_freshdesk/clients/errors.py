"""One error root for both upstreams, with one subclass per kind of failure.

Every error carries the service, the HTTP status (when there was one), the method and
the *path* of the call. The query string is never kept: it can hold an email address
or a token. The upstream's request id is kept where the upstream sent one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NotRequired, TypedDict, Unpack

Service = Literal["freshdesk", "upsales"]


class ErrorContext(TypedDict):
    """Where an error happened; shared by every error class."""

    service: Service
    method: str
    path: str
    status: NotRequired[int | None]
    request_id: NotRequired[str | None]
    retry_after: NotRequired[float | None]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field-level validation message, from either vendor's error body."""

    field: str | None
    message: str
    code: str | None = None


class UpstreamError(Exception):
    """Root of every error raised by the Freshdesk and Upsales clients."""

    #: A stable, machine-readable name for the kind of failure.
    kind: str = "upstream_error"
    #: Whether the failure is, in principle, worth retrying (the policy decides).
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        service: Service,
        method: str,
        path: str,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.service: Service = service
        self.method = method
        self.path = path
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.service} {self.method} {self.path}{status}: {self.message}{rid}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self!s})"


class AuthenticationError(UpstreamError):
    """401: the key or token was refused."""

    kind = "authentication"


class PermissionDeniedError(UpstreamError):
    """403: the key is valid but may not do this."""

    kind = "permission_denied"


class NotFoundError(UpstreamError):
    """404: no such record (or, on Upsales, no access to it), or no such route."""

    kind = "not_found"


class ValidationError(UpstreamError):
    """400/409/422: the upstream refused the request's content."""

    kind = "validation"

    def __init__(
        self,
        message: str,
        *,
        field_errors: tuple[FieldError, ...] = (),
        **context: Unpack[ErrorContext],
    ) -> None:
        super().__init__(message, **context)
        self.field_errors = field_errors


class RateLimitedError(UpstreamError):
    """429: over the upstream's rate limit. ``retry_after`` says when to try again."""

    kind = "rate_limited"
    retryable = True


class DailyCapReachedError(RateLimitedError):
    """Not sent: the key made its day's calls (the operator's cap on Upsales' billing
    threshold). ``retry_after``: seconds to the next day (UTC)."""

    kind = "daily_cap"
    retryable = False


class ServerError(UpstreamError):
    """5xx: the upstream failed."""

    kind = "server_error"
    retryable = True


class UpstreamTimeoutError(UpstreamError):
    """No (complete) answer before the call's deadline or the read timeout."""

    kind = "timeout"
    retryable = True


class ConnectionFailedError(UpstreamError):
    """The connection could not be made, or was reset before an answer came.

    ``sent`` tells the two apart: ``False`` when the request surely never reached the
    server (the connection was refused or never opened), ``True`` when it may have
    arrived (reset or closed after sending). Only the first may repeat a POST.
    """

    kind = "connection_failed"
    retryable = True

    def __init__(self, message: str, *, sent: bool = True, **context: Unpack[ErrorContext]) -> None:
        super().__init__(message, **context)
        self.sent = sent


class MalformedResponseError(UpstreamError):
    """An answer that is not JSON, is truncated, has the wrong shape or is too large."""

    kind = "malformed_response"

    def __init__(self, message: str, *, reason: str, **context: Unpack[ErrorContext]) -> None:
        super().__init__(message, **context)
        #: One of ``not_json``, ``truncated``, ``wrong_shape``, ``too_large``.
        self.reason = reason


STATUS_ERRORS: dict[int, type[UpstreamError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ValidationError,
    422: ValidationError,
    429: RateLimitedError,
}


def error_class_for_status(status: int) -> type[UpstreamError]:
    """The error class for an HTTP status that is not a success."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return ValidationError
    return MalformedResponseError
