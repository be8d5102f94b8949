"""The base of both vendors' clients: how a client reaches its upstream, and its core.

A client is one upstream account. :class:`Wiring` says how it reaches the upstream
(everything optional has a safe default: its own pooled connection, the retry policy,
the process-wide registry), and :class:`BaseClient` builds its :class:`~.core.HttpCore`
from it and closes what it owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx

from .core import HttpCore, HttpSettings, new_http_client
from .errors import Service
from .observe import CallObserver
from .policy import RetryPolicy
from .registry import DEFAULT_REGISTRY, ThrottleRegistry
from .transport import Wire


@dataclass(frozen=True, slots=True)
class Wiring:
    """How a client reaches its upstream; everything optional has a safe default."""

    http: Wire | None = None
    transport: httpx.AsyncBaseTransport | None = None
    settings: HttpSettings | None = None
    policy: RetryPolicy | None = None
    registry: ThrottleRegistry | None = None
    observer: CallObserver | None = None


class BaseClient:
    """One upstream account: a core over a (possibly shared) pooled HTTP client."""

    _core: HttpCore

    def _build_core(
        self,
        service: Service,
        *,
        base_url: str,
        auth_headers: dict[str, str],
        account: str,
        secret: str,
        limit: int,
        window: float,
        wiring: Wiring,
    ) -> HttpCore:
        settings = wiring.settings or HttpSettings()
        self._owns_http = wiring.http is None
        self._http = wiring.http or new_http_client(settings, wiring.transport)
        registry = wiring.registry or DEFAULT_REGISTRY
        self._core = HttpCore(
            service=service,
            base_url=base_url,
            auth_headers=auth_headers,
            http=self._http,
            slot=registry.slot(service, account, secret, limit, window),
            policy=wiring.policy or RetryPolicy(),
            settings=settings,
            observer=wiring.observer,
        )
        return self._core

    @property
    def core(self) -> HttpCore:
        return self._core

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
