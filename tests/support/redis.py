"""Redis for the tests of what is shared across processes: guards on their own clients."""

from __future__ import annotations

from collections.abc import Callable

from upsales_freshdesk.clients.redis_budgets import RedisGuard

#: The ``guards`` fixture (tests/clients/conftest.py): a guard per call, as separate
#: processes would have, closed after the test.
Guards = Callable[..., RedisGuard]
