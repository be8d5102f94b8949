"""Fault injection for the emulators, set through ``POST /_emulator/faults``.

A :class:`Faults` value says what goes wrong; :class:`FaultInjector` applies it to
each API request before the emulator's own routes see it. Vendor-specific error
bodies (a 500 or a 429) come from the emulator through :class:`ErrorShaper`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

#: A hang never lasts longer than this, so a forgotten fault cannot leak a task forever.
MAX_HANG_SECONDS = 600.0


def _regular_expression(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return value


#: A fault's ``match``: text that must compile as a regular expression (a 422 otherwise).
RegexText = Annotated[str, AfterValidator(_regular_expression)]


class Countdown:
    """A fault's ``times``: it applies to the next N matching calls, then no more (None:
    to every one)."""

    def __init__(self, times: int | None = None) -> None:
        self._left = times

    def take(self) -> bool:
        """Whether the fault applies to this call (counting it)."""
        if self._left is None:
            return True
        if self._left <= 0:
            return False
        self._left -= 1
        return True


class Storm(BaseModel):
    """Answer the next ``count`` calls with 429, with or without ``Retry-After``."""

    model_config = ConfigDict(extra="forbid")
    count: int = Field(default=10, ge=1, le=1_000_000)
    retry_after: float | None = Field(default=1.0, ge=0, le=3600)


class Drip(BaseModel):
    """Send the body ``chunk_bytes`` at a time, ``interval_ms`` apart."""

    model_config = ConfigDict(extra="forbid")
    chunk_bytes: int = Field(default=16, ge=1, le=1_000_000)
    interval_ms: float = Field(default=250, ge=0, le=60_000)


class Faults(BaseModel):
    """What goes wrong. An empty object clears every fault."""

    model_config = ConfigDict(extra="forbid")
    #: Time from a call's arrival to its answer; the call is carried out meanwhile.
    latency_ms: float = Field(default=0, ge=0, le=120_000)
    jitter_ms: float = Field(default=0, ge=0, le=120_000)
    #: Status code -> share of calls (0..1) that answer with it, e.g. ``{"500": 0.5}``.
    error_rates: dict[int, float] = Field(default_factory=dict)
    #: Send those errors *after* the call was carried out, as a gateway does when the
    #: upstream's answer is lost on the way back: the write happened, the caller sees 502.
    errors_after_processing: bool = False
    storm: Storm | None = None
    hang: bool = False
    hang_seconds: float = Field(default=MAX_HANG_SECONDS, gt=0, le=MAX_HANG_SECONDS)
    malformed: bool = False
    truncated: bool = False
    drip: Drip | None = None
    reset: bool = False
    #: Pad every JSON answer to at least this many bytes.
    oversized_bytes: int | None = Field(default=None, ge=1, le=512 * 1024 * 1024)
    #: Apply only to API paths matching this regular expression (default: all).
    match: RegexText | None = None
    #: Apply only to these HTTP methods (default: all), e.g. ``["POST"]``.
    methods: list[str] | None = None
    #: Apply only to the next N matching calls, then clear.
    times: int | None = Field(default=None, ge=1)

    @field_validator("error_rates")
    @classmethod
    def _rates(cls, value: dict[int, float]) -> dict[int, float]:
        for status, rate in value.items():
            if not 400 <= status <= 599 or not 0 <= rate <= 1:
                raise ValueError("error_rates maps a 4xx/5xx status to a share in 0..1")
        if sum(value.values()) > 1:
            raise ValueError("error rates add up to more than 1")
        return value

    @field_validator("methods")
    @classmethod
    def _methods(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [m.upper() for m in value]


class ErrorShaper(Protocol):
    """Builds the vendor's own error answer for a status (500, 502, 429...)."""

    def __call__(self, status: int, retry_after: float | None) -> Response: ...


ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class FaultInjector:
    """Holds the current faults and applies them to one request at a time."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.faults = Faults()
        self._rng = rng or random.Random()
        self._storm_left = 0
        self._times = Countdown()
        self._pattern: re.Pattern[str] | None = None
        self._release = asyncio.Event()

    def set(self, faults: Faults) -> None:
        """Replace the faults. Requests hanging under the old ones are let go."""
        self._release.set()
        self._release = asyncio.Event()
        self.faults = faults
        self._storm_left = faults.storm.count if faults.storm else 0
        self._times = Countdown(faults.times)
        self._pattern = re.compile(faults.match) if faults.match else None

    async def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``, or less if the faults change; True if they changed."""
        release = self._release
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(release.wait(), seconds)
        return release.is_set()

    def clear(self) -> None:
        self.set(Faults())

    def _applies(self, path: str, method: str) -> bool:
        if self._pattern is not None and not self._pattern.search(path):
            return False
        if self.faults.methods is not None and method.upper() not in self.faults.methods:
            return False
        return self._times.take()

    async def handle(
        self, scope: Scope, receive: Receive, send: Send, app: ASGIApp, shaper: ErrorShaper
    ) -> None:
        """Serve one API request through ``app``, with the current faults applied."""
        f = self.faults
        if not self._applies(scope["path"], scope.get("method", "GET")):
            await app(scope, receive, send)
            return
        delay = 0.0
        if f.latency_ms or f.jitter_ms:
            delay = (f.latency_ms + self._rng.uniform(0, f.jitter_ms)) / 1000
        if delay and not self._distorted():
            arrived = scope.get(ARRIVED) or asyncio.get_running_loop().time()
            await _answer_at(arrived + delay, scope, receive, send, app)
            return
        if delay:
            await asyncio.sleep(delay)
        if f.hang:
            await self._pause(f.hang_seconds)
            return
        if f.reset:
            _reset_connection(scope)
            return
        if self._storm_left > 0:
            self._storm_left -= 1
            retry_after = f.storm.retry_after if f.storm else None
            await shaper(429, retry_after)(scope, receive, send)
            return
        if status := self._pick_error():
            if f.errors_after_processing:
                await app(scope, receive, _discard)
            await shaper(status, None)(scope, receive, send)
            return
        if f.malformed or f.truncated or f.drip or f.oversized_bytes:
            await self._distort(scope, receive, send, app)
            return
        await app(scope, receive, send)

    def _distorted(self) -> bool:
        """Whether any fault other than latency is set."""
        f = self.faults
        return bool(
            f.hang
            or f.reset
            or self._storm_left > 0
            or f.error_rates
            or f.malformed
            or f.truncated
            or f.drip
            or f.oversized_bytes
        )

    def _pick_error(self) -> int | None:
        roll = self._rng.random()
        for status, rate in sorted(self.faults.error_rates.items()):
            if roll < rate:
                return status
            roll -= rate
        return None

    async def _distort(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        """Run the app, then send a damaged copy of its answer."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, capture)
        body = b"".join(chunks)
        f = self.faults
        if f.malformed:
            body = b'{"error": null, "data": [{"id": 1, "name": "unterminated'
        if f.oversized_bytes and len(body) < f.oversized_bytes:
            body = _pad_json(body, f.oversized_bytes)
        declared = len(body)
        if f.truncated:
            body = body[: max(1, len(body) // 2)]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(declared).encode()))
        await send(
            {"type": "http.response.start", "status": start.get("status", 200), "headers": headers}
        )
        if f.drip:
            step = f.drip.chunk_bytes
            for i in range(0, len(body), step):
                await send(
                    {"type": "http.response.body", "body": body[i : i + step], "more_body": True}
                )
                if await self._pause(f.drip.interval_ms / 1000):
                    break  # the faults changed: stop dripping
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({"type": "http.response.body", "body": body, "more_body": False})


async def _discard(message: MutableMapping[str, Any]) -> None:
    """Swallow an answer (it is lost on the way back)."""


def _pad_json(body: bytes, size: int) -> bytes:
    """A valid JSON document of at least ``size`` bytes that still holds ``body``."""
    filler = " " * max(0, size - len(body) - 32)
    try:
        json.loads(body)
        return b'{"padding": "' + filler.encode() + b'", "original": ' + body + b"}"
    except ValueError:
        return body + filler.encode()


TRANSPORT_KEY = "emulator.transport"
#: The scope key where the emulators' server notes when a request arrived (the event
#: loop's clock); in-process (``httpx.ASGITransport``) it is missing, and the handling
#: starts the clock.
ARRIVED = "emulator.arrived"


def _reset_connection(scope: Scope) -> None:
    """Drop the connection with no answer.

    On a real server (uvicorn) the socket is aborted, which the client sees as a reset;
    :class:`~.base.Emulator` puts the server's transport in the scope for this.
    In-process (``httpx.ASGITransport``) there is no socket: raising
    ``ConnectionResetError`` is what a transport would raise for the same event.
    """
    transport = scope.get(TRANSPORT_KEY)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        return
    raise ConnectionResetError("connection reset by emulator fault")


async def _answer_at(due: float, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
    """Carry the call out at once and answer at ``due`` (the loop's clock).

    The latency is the time from a call's arrival to its answer, as the caller sees an
    upstream's: the upstream works on the call while the time passes. Sleeping first and
    working after would put the emulator's own CPU time on top of the latency whenever
    many calls arrive together, and the benchmarks, which run the emulators beside the
    backend they measure, would charge that queue to the backend.
    """
    held: list[MutableMapping[str, Any]] = []

    async def hold(message: MutableMapping[str, Any]) -> None:
        held.append(message)

    await app(scope, receive, hold)
    await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))
    for message in held:
        await send(message)
