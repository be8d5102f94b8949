"""The async Upsales v2 client."""

from __future__ import annotations

import httpx

from ..base_client import BaseClient, Wiring
from ..core import HttpSettings
from ..observe import CallObserver
from ..policy import Deadline, RetryPolicy
from ..registry import ThrottleRegistry
from ..throttle import UPSALES_LIMIT, UPSALES_WINDOW_SECONDS
from ..transport import Wire
from .models import SelfInfo
from .resources import (
    Accounts,
    Activities,
    ActivityTypes,
    Contacts,
    Orders,
    TodoTypes,
    Users,
)
from .triggers import Triggers

DEFAULT_BASE_URL = "https://integration.upsales.com/api/v2/"
TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class UpsalesClient(BaseClient):
    """Upsales v2 for one API key.

    The key travels only in the ``Cookie: token=...`` header, never in a URL.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        http: Wire | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        settings: HttpSettings | None = None,
        policy: RetryPolicy | None = None,
        registry: ThrottleRegistry | None = None,
        observer: CallObserver | None = None,
        limit: int = UPSALES_LIMIT,
    ) -> None:
        """``limit``: calls per 10 s window this client may use of the key's 200 (the
        sync takes its share, and leaves the rest to the cards)."""
        if not token or not set(token) <= TOKEN_CHARS:
            # A ';' or newline in a cookie value would let a token add cookies or headers.
            raise ValueError("not a valid Upsales API key")
        core = self._build_core(
            "upsales",
            base_url=base_url or DEFAULT_BASE_URL,
            auth_headers={"Cookie": f"token={token}"},
            account="",  # a token is its own account: unknown until one works
            secret=token,
            limit=limit,
            window=UPSALES_WINDOW_SECONDS,
            wiring=Wiring(http, transport, settings, policy, registry, observer),
        )
        self.contacts = Contacts(core)
        self.accounts = Accounts(core)
        self.users = Users(core)
        self.orders = Orders(core)
        self.activities = Activities(core)
        self.todo_types = TodoTypes(core)
        self.activity_types = ActivityTypes(core)
        self.triggers = Triggers(core)

    def __repr__(self) -> str:
        return "UpsalesClient()"

    async def self_info(self, *, deadline: Deadline | None = None) -> SelfInfo:
        """``GET /self``: the key's user. A 401 means the key is wrong."""
        resp = await self._core.request("GET", "self", deadline=deadline)
        data = resp.data.get("data") if isinstance(resp.data, dict) else None
        return self._core.parse(SelfInfo, data, "self")
