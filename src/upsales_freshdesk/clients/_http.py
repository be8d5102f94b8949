"""The private HTTP core both clients are built on.

One call is: wait on the account's throttle, send, read the body up to a size cap,
turn any failure into one typed error, and let the retry policy decide on another
attempt. All of it happens inside the call's deadline.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pydantic
from tenacity import AsyncRetrying, RetryCallState

from ._bodies import parse_error_body
from ._transport import UpstreamTransport
from .errors import (
    ConnectionFailedError,
    ErrorContext,
    MalformedResponseError,
    RateLimitedError,
    Service,
    UpstreamError,
    UpstreamTimeoutError,
    ValidationError,
    error_class_for_status,
)
from .observe import CallObserver
from .policy import Deadline, RetryBudget, RetryPolicy, Slot, Throttle, ThrottleWaitTooLong

Params = Mapping[str, str | int] | Sequence[tuple[str, str | int]]
M = TypeVar("M", bound=pydantic.BaseModel)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "testserver"})


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Timeouts and limits of one upstream's HTTP client."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    #: The overall deadline of a call when the caller gives none (retries included).
    call_timeout: float = 30.0
    #: Bodies larger than this are refused as malformed (a 2000-contact page fits).
    max_response_bytes: int = 32 * 1024 * 1024
    max_connections: int = 50


def new_http_client(
    settings: HttpSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """A pooled client for one upstream. Redirects are never followed.

    Real upstreams go through :class:`UpstreamTransport` (aiohttp sockets); tests pass a
    fake ``transport`` such as ``httpx.ASGITransport``.
    """
    s = settings or HttpSettings()
    limits = httpx.Limits(
        max_connections=s.max_connections, max_keepalive_connections=s.max_connections
    )
    return httpx.AsyncClient(
        timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
        limits=limits,
        follow_redirects=False,
        transport=transport or UpstreamTransport(limits=limits, trust_env=False),
        trust_env=False,
    )


def require_https(base_url: str, *, allow_insecure_loopback: bool = True) -> str:
    """Refuse a plain-HTTP upstream, except on loopback (the emulators)."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return base_url
    host = parts.hostname or ""
    if parts.scheme == "http" and allow_insecure_loopback and _is_loopback(host):
        return base_url
    raise ValueError("upstream base URLs must use https (plain http only on loopback)")


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Response:
    """A successful upstream answer, with its JSON already parsed."""

    status: int
    headers: httpx.Headers
    data: Any
    links: Mapping[str, Mapping[str, str]]


class HttpCore:
    """Sends calls to one upstream account. Resource modules are thin layers on it."""

    def __init__(
        self,
        *,
        service: Service,
        base_url: str,
        auth_headers: Mapping[str, str],
        http: httpx.AsyncClient,
        slot: Slot,
        policy: RetryPolicy,
        settings: HttpSettings,
        observer: CallObserver | None = None,
    ) -> None:
        self.service: Service = service
        self.observer = observer
        self.base_url = require_https(base_url).rstrip("/") + "/"
        self._auth_headers = dict(auth_headers)
        self._http = http
        self.slot = slot
        self.policy = policy
        self.settings = settings

    @property
    def throttle(self) -> Throttle:
        return self.slot.throttle

    @property
    def budget(self) -> RetryBudget:
        return self.slot.budget

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        deadline: Deadline | None = None,
        idempotent: bool | None = None,
    ) -> Response:
        """Send one call, with retries as the policy allows, inside ``deadline``."""
        deadline = deadline or Deadline.after(self.settings.call_timeout)
        idem = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        budget = self.budget  # the one this call started with spends and gets the refund
        retrying = AsyncRetrying(
            retry=lambda rs: self._should_retry(rs, idem),
            wait=self._wait,
            stop=lambda rs: self._stop(rs, deadline, budget),
            sleep=self.policy.sleep,
            reraise=True,
        )
        started = time.perf_counter()
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self._attempt(method, path, params, json_body, deadline)
        except UpstreamError as error:
            self._observe(started, error)
            raise
        self._observe(started, None)
        budget.refund()
        return response

    def _observe(self, started: float, error: UpstreamError | None) -> None:
        if self.observer is not None:
            self.observer.call_finished(self.service, time.perf_counter() - started, error)

    # -- retry callbacks -------------------------------------------------------------

    def _should_retry(self, rs: RetryCallState, idempotent: bool) -> bool:
        error = rs.outcome.exception() if rs.outcome else None
        return isinstance(error, UpstreamError) and self.policy.should_retry(
            error, rs.attempt_number, idempotent=idempotent
        )

    def _wait(self, rs: RetryCallState) -> float:
        error = rs.outcome.exception() if rs.outcome else None
        assert isinstance(error, UpstreamError)
        return self.policy.delay(error, rs.attempt_number)

    def _stop(self, rs: RetryCallState, deadline: Deadline, budget: RetryBudget) -> bool:
        error = rs.outcome.exception() if rs.outcome else None
        assert isinstance(error, UpstreamError)
        if not self.policy.fits(rs.upcoming_sleep, deadline):
            return True
        return not budget.try_spend(error)

    # -- one attempt -----------------------------------------------------------------

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Params | None,
        json_body: Any,
        deadline: Deadline,
    ) -> Response:
        ctx: ErrorContext = {"service": self.service, "method": method, "path": "/" + path}
        try:
            async with asyncio.timeout(deadline.remaining()):
                waited = time.perf_counter()
                await self.throttle.acquire(deadline)
                waited = time.perf_counter() - waited
                if waited > 0.001 and self.observer is not None:
                    self.observer.throttled(self.service, waited)
                return await self._send(method, path, params, json_body, ctx)
        except ThrottleWaitTooLong as wait:
            ctx["retry_after"] = wait.seconds
            raise RateLimitedError("rate limited; the wait outlasts the deadline", **ctx) from None
        except (TimeoutError, httpx.TimeoutException):
            raise UpstreamTimeoutError("no answer before the deadline", **ctx) from None
        except (httpx.ConnectError, ConnectionRefusedError) as exc:
            # Refused or never opened: the request surely did not reach the server.
            raise ConnectionFailedError(
                f"connection failed ({type(exc).__name__})", sent=False, **ctx
            ) from None
        except (httpx.TransportError, OSError) as exc:
            # Reset or closed after sending: the request may have arrived.
            raise ConnectionFailedError(
                f"connection lost ({type(exc).__name__})", sent=True, **ctx
            ) from None

    async def _send(
        self, method: str, path: str, params: Params | None, json_body: Any, ctx: ErrorContext
    ) -> Response:
        url = self.base_url + path
        headers = {"Accept": "application/json", **self._auth_headers}
        kwargs: dict[str, Any] = {"params": params, "headers": headers}
        if json_body is not None:
            kwargs["json"] = json_body
        async with self._http.stream(method, url, **kwargs) as resp:
            headers = _plain(resp.headers)
            ctx = {**ctx, "status": resp.status_code, "request_id": _request_id(headers)}
            if resp.status_code < 400 or resp.status_code == 404:
                # The credential works: it gets its own budget, and any pause is over.
                self.slot.confirm()
                self.throttle.resume()
            self.throttle.observe(headers, reset_seconds=_reset_seconds(headers))
            body = await self._read_capped(resp, headers, ctx)
        if resp.status_code >= 300:
            raise self._error(resp.status_code, headers, body, ctx)
        links = {str(k): v for k, v in resp.links.items()}
        return Response(resp.status_code, resp.headers, self._json(body, ctx), links)

    async def _read_capped(
        self, resp: httpx.Response, headers: Mapping[str, str], ctx: ErrorContext
    ) -> bytes:
        cap = self.settings.max_response_bytes
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise MalformedResponseError("answer is over the size cap", reason="too_large", **ctx)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in resp.aiter_bytes():  # decoded: the cap also stops zip bombs
                size += len(chunk)
                if size > cap:
                    raise MalformedResponseError(
                        "answer is over the size cap", reason="too_large", **ctx
                    )
                chunks.append(chunk)
        except (httpx.TransportError, OSError):
            raise MalformedResponseError(
                "answer ended before its body did", reason="truncated", **ctx
            ) from None
        body = b"".join(chunks)
        encoded = headers.get("content-encoding", "identity") != "identity"
        if declared and declared.isdigit() and not encoded and len(body) < int(declared):
            raise MalformedResponseError(
                "answer ended before its body did", reason="truncated", **ctx
            )
        return body

    def _json(self, body: bytes, ctx: ErrorContext) -> Any:
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise MalformedResponseError(
                "answer is not valid JSON", reason="not_json", **ctx
            ) from None

    def _error(
        self, status: int, headers: Mapping[str, str], body: bytes, ctx: ErrorContext
    ) -> UpstreamError:
        cls = error_class_for_status(status)
        message, field_errors = parse_error_body(body)
        if status == 429:
            retry_after = _retry_after(headers)
            if retry_after is not None:
                self.throttle.pause(retry_after)
            ctx["retry_after"] = retry_after
            return RateLimitedError(message or "too many requests", **ctx)
        if cls is ValidationError:
            return ValidationError(message or "refused", field_errors=field_errors, **ctx)
        if cls is MalformedResponseError:
            return MalformedResponseError(
                f"unexpected status {status}", reason="wrong_shape", **ctx
            )
        return cls(message or f"status {status}", **ctx)

    def parse(self, model: type[M], data: Any, path: str, method: str = "GET") -> M:
        """Validate ``data`` as ``model``; a wrong shape is a malformed answer."""
        try:
            return model.model_validate(data)
        except pydantic.ValidationError:
            raise self.malformed(path, method) from None

    def malformed(self, path: str, method: str) -> MalformedResponseError:
        return MalformedResponseError(
            "answer does not have the expected shape",
            reason="wrong_shape",
            service=self.service,
            method=method,
            path="/" + path,
        )


def _plain(headers: httpx.Headers) -> dict[str, str]:
    """The headers as a plain dict with lower-case names, decoded once.

    (Each ``httpx.Headers.get`` decodes every header again.)
    """
    return {k.lower(): v for k, v in headers.items()}


def _request_id(headers: Mapping[str, str]) -> str | None:
    value = headers.get("x-request-id")
    return value[:100] if value else None


def _float_header(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return float(raw.strip())
    except ValueError:
        return None


def _reset_seconds(headers: Mapping[str, str]) -> float | None:
    return _float_header(headers, "x-ratelimit-reset")


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``Retry-After`` (Freshdesk) or ``X-RateLimit-Reset`` (Upsales)."""
    for name in ("retry-after", "x-ratelimit-reset"):
        value = _float_header(headers, name)
        if value is not None and value >= 0:
            return value
    return None
