"""What both emulators share: the control surface, request stats and fault wrapping.

An emulator is routes (a Starlette app under ``/api/v2``), response shaping (the
vendor's own modules) and a store with ``reset()``. :class:`Emulator` puts the
``/_emulator/`` control routes beside the API and runs every API call through the
fault injector and the stats recorder. It is generic over its store and its API, so
``emulator.store`` is the vendor's own store type (``Emulator[FreshdeskStore, ...]``).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Generic, Protocol, TypeVar

import pydantic
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import TRANSPORT_KEY, ErrorShaper, FaultInjector, Faults
from .ratelimit import WindowLimiter
from .responses import JSONResponse, invalid

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


class Store(Protocol):
    def reset(self) -> None: ...


StoreT = TypeVar("StoreT", bound=Store)
ApiT = TypeVar("ApiT", bound=ASGIApp)


class Stats:
    """Request counts by route (ids replaced by ``{id}``), method and status."""

    def __init__(self) -> None:
        self.by_route: Counter[str] = Counter()
        self.by_method: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()

    def record(self, method: str, path: str) -> None:
        self.by_route[f"{method} {_ID_SEGMENT.sub('/{id}', path)}"] += 1
        self.by_method[method] += 1

    @property
    def total(self) -> int:
        return sum(self.by_method.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_route": dict(sorted(self.by_route.items())),
            "by_method": dict(sorted(self.by_method.items())),
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
        }

    def reset(self) -> None:
        self.by_route.clear()
        self.by_method.clear()
        self.by_status.clear()


class Emulator(Generic[StoreT, ApiT]):
    """An ASGI app: the vendor API plus ``/_emulator/`` controls."""

    def __init__(
        self,
        *,
        name: str,
        api: ApiT,
        store: StoreT,
        shaper: ErrorShaper,
        limiters: list[WindowLimiter],
        extra_routes: list[Route] | None = None,
    ) -> None:
        self.name = name
        self.api: ApiT = api
        self.store: StoreT = store
        self.shaper = shaper
        self.limiters = limiters
        self.faults = FaultInjector()
        self.stats = Stats()
        self.control = Starlette(
            routes=[
                Route("/_emulator/stats", self._get_stats, methods=["GET"]),
                Route("/_emulator/stats/reset", self._reset_stats, methods=["POST"]),
                Route("/_emulator/reset", self._reset, methods=["POST"]),
                Route("/_emulator/faults", self._get_faults, methods=["GET"]),
                Route("/_emulator/faults", self._set_faults, methods=["POST"]),
                *(extra_routes or []),
            ]
        )

    def reset(self) -> None:
        """Fresh seed data, no faults, no counts, fresh rate-limit windows."""
        self.store.reset()
        self.faults.clear()
        self.stats.reset()
        for limiter in self.limiters:
            limiter.reset()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.api(scope, receive, send)
            return
        if scope["path"].startswith("/_emulator/"):
            await self.control(scope, receive, send)
            return
        self.stats.record(scope["method"], scope["path"])
        # uvicorn's send is a bound method of its protocol cycle, which holds the socket.
        server_transport = getattr(getattr(send, "__self__", None), "transport", None)
        scope = {**scope, TRANSPORT_KEY: server_transport}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.stats.by_status[message["status"]] += 1
            await send(message)

        await self.faults.handle(scope, receive, counting_send, self.api, self.shaper)

    # -- control routes --------------------------------------------------------------

    async def _get_stats(self, request: Request) -> Response:
        return JSONResponse(self.stats.as_dict())

    async def _reset_stats(self, request: Request) -> Response:
        self.stats.reset()
        return JSONResponse({"ok": True})

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"ok": True})

    async def _get_faults(self, request: Request) -> Response:
        return JSONResponse(self.faults.faults.model_dump(mode="json"))

    async def _set_faults(self, request: Request) -> Response:
        try:
            faults = Faults.model_validate_json(await request.body() or b"{}")
        except pydantic.ValidationError as exc:
            return invalid(exc)
        self.faults.set(faults)
        return JSONResponse(faults.model_dump(mode="json"))
