"""A hook for watching upstream calls (metrics), without the clients knowing who watches."""

from __future__ import annotations

from typing import Protocol

from .errors import Service, UpstreamError


class CallObserver(Protocol):
    def call_finished(self, service: Service, seconds: float, error: UpstreamError | None) -> None:
        """One call (all its attempts) ended, well or with ``error``."""

    def throttled(self, service: Service, seconds: float) -> None:
        """A call waited ``seconds`` for the client-side rate limit."""
