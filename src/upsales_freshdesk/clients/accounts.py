"""Per-account state's keys and tables: a digest, never the secret, and a bounded size.

Every table of per-account state (throttles, retry budgets, probe gates, daily counts)
is keyed by :func:`account_key`, so that no secret becomes a key (in memory or in
Redis), and is a :class:`Bounded` dict, so that no table outgrows its capacity.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: Per-account state kept at most (least recently used first out): traffic with many
#: distinct credentials cannot grow the process without bound.
MAX_ACCOUNTS = 10_000


def account_key(service: str, secret_or_name: str) -> str:
    """A stable key for per-account state that does not hold the secret itself."""
    digest = hashlib.sha256(f"{service}\0{secret_or_name}".encode()).hexdigest()[:16]
    return f"{service}:{digest}"


class Bounded(OrderedDict[str, T]):
    """A dict that forgets its least recently used entries past ``capacity``."""

    def __init__(self, capacity: int = MAX_ACCOUNTS) -> None:
        super().__init__()
        self.capacity = capacity

    def use(self, key: str, make: Callable[[], T], keep: Callable[[T], bool] = bool) -> T:
        found = self.get(key)
        if found is None or not keep(found):
            found = self[key] = make()
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)
        return found
