"""The HTTP core both clients are built on.

One call is: wait on the account's throttle, send (:mod:`.transport`), read the body up
to a size cap, turn any failure into one typed error, and let the retry policy decide
on another attempt. All of it happens inside the call's deadline. A client builds its
core in :mod:`.base_client`; error bodies and headers are read in :mod:`.answers`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import orjson
import pydantic

from .answers import parse_error_body, request_id, reset_seconds, retry_after
from .daily import DailyCapReached
from .errors import (
    AuthenticationError,
    ConnectionFailedError,
    DailyCapReachedError,
    ErrorContext,
    MalformedResponseError,
    RateLimitedError,
    Service,
    UpstreamError,
    UpstreamTimeoutError,
    ValidationError,
    error_class_for_status,
)
from .hostnames import is_loopback
from .observe import CallObserver
from .policy import Deadline, RetryBudget, RetryPolicy
from .registry import CredentialRefused, Slot
from .throttle import Throttle, ThrottleWaitTooLong
from .transport import (
    Params,
    Wire,
    WireLost,
    WireRefused,
    WireSettings,
    WireTimeout,
    WireTooLarge,
    WireTruncated,
    new_wire,
)

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
) -> Wire:
    """A pooled connection to one upstream. Redirects are never followed.

    Real upstreams go through aiohttp (:class:`~.transport.AiohttpWire`); the demo and
    tests pass a ``transport`` such as ``httpx.ASGITransport``.
    """
    s = settings or HttpSettings()
    return new_wire(WireSettings(s.connect_timeout, s.read_timeout, s.max_connections), transport)


@lru_cache(maxsize=256)  # the same few base URLs, for every client a request makes
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
    return host in LOOPBACK_NAMES or is_loopback(host)


@dataclass(frozen=True, slots=True)
class Response:
    """A successful upstream answer, with its JSON already parsed."""

    status: int
    headers: Mapping[str, str]
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
        http: Wire,
        slot: Slot,
        policy: RetryPolicy,
        settings: HttpSettings,
        observer: CallObserver | None = None,
    ) -> None:
        self.service: Service = service
        self.observer = observer
        self.base_url = require_https(base_url).rstrip("/") + "/"
        self._headers = {"Accept": "application/json", **auth_headers}
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
        shape: pydantic.TypeAdapter[Any] | None = None,
    ) -> Response:
        """Send one call, with retries as the policy allows, inside ``deadline``.

        The answer's ``data`` is its parsed JSON, or, with ``shape``, the value validated
        as ``shape`` straight from the bytes (an answer of another shape is malformed).
        """
        deadline = deadline or Deadline.after(self.settings.call_timeout)
        idem = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        budget = self.budget  # the one this call started with spends and gets the refund
        started = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._attempt(method, path, params, json_body, deadline, shape)
                break
            except UpstreamError as error:
                delay = self._again(error, attempt, idem, deadline, budget)
                if delay is None:
                    self._observe(started, error)
                    raise
            await self.policy.sleep(delay)
        self._observe(started, None)
        budget.refund()
        return response

    def _again(
        self,
        error: UpstreamError,
        attempt: int,
        idempotent: bool,
        deadline: Deadline,
        budget: RetryBudget,
    ) -> float | None:
        """The wait before another attempt, as the policy decides, or None for no retry:
        not retryable, no time left before the deadline, or the retry budget is empty."""
        if not self.policy.should_retry(error, attempt, idempotent=idempotent):
            return None
        delay = self.policy.delay(error, attempt)
        if not self.policy.fits(delay, deadline) or not budget.try_spend(error):
            return None
        return delay

    def _observe(self, started: float, error: UpstreamError | None) -> None:
        if self.observer is not None:
            self.observer.call_finished(self.service, time.perf_counter() - started, error)

    # -- one attempt -----------------------------------------------------------------

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Params | None,
        json_body: Any,
        deadline: Deadline,
        shape: pydantic.TypeAdapter[Any] | None,
    ) -> Response:
        ctx: ErrorContext = {"service": self.service, "method": method, "path": "/" + path}
        try:
            waited = time.perf_counter()
            # The account's window (a wait for the pace ends at the deadline); an untried
            # key's first call probes it while the others with it wait for the verdict.
            async with self.slot.turn(deadline) as throttle:
                waited = time.perf_counter() - waited
                if waited > 0.001 and self.observer is not None:
                    self.observer.throttled(self.service, waited)
                return await self._send(
                    method, path, params, json_body, ctx, shape, deadline, throttle
                )
        except DailyCapReached as cap:
            ctx["retry_after"] = cap.seconds
            raise DailyCapReachedError("the day's calls are made; not sent", **ctx) from None
        except CredentialRefused:
            ctx["status"] = 401
            raise AuthenticationError("refused a moment ago; not sent again", **ctx) from None
        except ThrottleWaitTooLong as wait:
            ctx["retry_after"] = wait.seconds
            raise RateLimitedError("rate limited; the wait outlasts the deadline", **ctx) from None
        except (TimeoutError, WireTimeout):
            raise UpstreamTimeoutError("no answer before the deadline", **ctx) from None
        except WireRefused:
            # Refused or never opened: the request surely did not reach the server.
            raise ConnectionFailedError("connection failed", sent=False, **ctx) from None
        except WireLost:
            # Reset or closed after sending: the request may have arrived.
            raise ConnectionFailedError("connection lost", sent=True, **ctx) from None
        except WireTruncated:
            raise MalformedResponseError(
                "answer ended before its body did", reason="truncated", **ctx
            ) from None
        except WireTooLarge:
            raise MalformedResponseError(
                "answer is over the size cap", reason="too_large", **ctx
            ) from None

    async def _send(
        self,
        method: str,
        path: str,
        params: Params | None,
        json_body: Any,
        ctx: ErrorContext,
        shape: pydantic.TypeAdapter[Any] | None,
        deadline: Deadline,
        throttle: Throttle,
    ) -> Response:
        answer = await self._http.exchange(
            method,
            self.base_url + path,
            params=params,
            headers=self._headers,
            json_body=json_body,
            cap=self.settings.max_response_bytes,
            time_left=deadline.remaining(),  # the wire keeps it, head and body
        )
        headers = answer.headers
        ctx = {**ctx, "status": answer.status, "request_id": request_id(headers)}
        if answer.status < 400 or answer.status == 404:
            # The credential works: it gets its own budget, and any pause is over.
            self.slot.confirm()
            throttle.resume()
        elif answer.status == 401:
            self.slot.refuse()  # its other calls are answered without reaching the upstream
        throttle.observe(headers, reset_seconds=reset_seconds(headers))
        if answer.status >= 300:
            raise self._error(answer.status, headers, answer.body, ctx)
        data = (
            self._json(answer.body, ctx) if shape is None else self._shaped(shape, answer.body, ctx)
        )
        return Response(answer.status, headers, data, answer.links)

    def _json(self, body: bytes, ctx: ErrorContext) -> Any:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise MalformedResponseError(
                "answer is not valid JSON", reason="not_json", **ctx
            ) from None

    @staticmethod
    def _shaped(shape: pydantic.TypeAdapter[Any], body: bytes, ctx: ErrorContext) -> Any:
        """``body`` validated as ``shape`` in one pass from the bytes: the fields this
        product does not read never become Python objects."""
        try:
            return shape.validate_json(body)
        except pydantic.ValidationError as exc:
            kinds = {e["type"] for e in exc.errors(include_url=False, include_input=False)}
            if "json_invalid" in kinds:
                raise MalformedResponseError(
                    "answer is not valid JSON", reason="not_json", **ctx
                ) from None
            raise MalformedResponseError(
                "answer does not have the expected shape", reason="wrong_shape", **ctx
            ) from None

    async def fetch(
        self,
        shape: type[M],
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        deadline: Deadline | None = None,
    ) -> M:
        """A call whose answer is one ``shape`` (a model or a typed envelope)."""
        resp = await self.request(
            method,
            path,
            params=params,
            json_body=json_body,
            deadline=deadline,
            shape=adapter(shape),
        )
        return resp.data  # type: ignore[no-any-return]

    def _error(
        self, status: int, headers: Mapping[str, str], body: bytes, ctx: ErrorContext
    ) -> UpstreamError:
        cls = error_class_for_status(status)
        message, field_errors = parse_error_body(body)
        if status == 429:
            wait = retry_after(headers)
            if wait is not None:
                self.throttle.pause(wait)
            ctx["retry_after"] = wait
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


@cache
def adapter(shape: type[Any]) -> pydantic.TypeAdapter[Any]:
    """One validator per shape, built once (building one costs more than using it)."""
    return pydantic.TypeAdapter(shape)
