"""Fixed-window rate limits, per account or key, as the vendors apply them."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    #: Seconds until the window resets (whole seconds, rounded up, as vendors send).
    reset_in: int
    used: int


@dataclass(slots=True)
class _Window:
    started: float
    used: int = 0


@dataclass(slots=True)
class WindowLimiter:
    """``limit`` units per ``window`` seconds for each key; a refused call costs nothing."""

    limit: int
    window: float
    clock: Clock = time.monotonic
    _windows: dict[str, _Window] = field(default_factory=dict)

    def take(self, key: str, cost: int = 1) -> Decision:
        now = self.clock()
        win = self._windows.get(key)
        if win is None or now - win.started >= self.window:
            win = self._windows[key] = _Window(started=now)
        reset_in = max(0, math.ceil(win.started + self.window - now))
        if win.used + cost > self.limit:
            return Decision(False, self.limit, max(0, self.limit - win.used), reset_in, 0)
        win.used += cost
        return Decision(True, self.limit, self.limit - win.used, reset_in, cost)

    def peek(self, key: str) -> Decision:
        """The state of ``key``'s window, without spending from it."""
        return self.take(key, 0)

    def reset(self) -> None:
        self._windows.clear()
