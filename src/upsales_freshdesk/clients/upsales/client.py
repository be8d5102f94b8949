"""The async Upsales v2 client."""

from __future__ import annotations

from types import TracebackType

import httpx

from .._http import HttpCore, HttpSettings, new_http_client
from ..observe import CallObserver
from ..policy import (
    DEFAULT_REGISTRY,
    UPSALES_LIMIT,
    UPSALES_WINDOW_SECONDS,
    Deadline,
    RetryPolicy,
    ThrottleRegistry,
    account_key,
)
from .models import SelfInfo
from .resources import Accounts, Activities, Contacts, Orders, TodoTypes, Users

DEFAULT_BASE_URL = "https://integration.upsales.com/api/v2/"
TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class UpsalesClient:
    """Upsales v2 for one API key.

    The key travels only in the ``Cookie: token=...`` header, never in a URL.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        settings: HttpSettings | None = None,
        policy: RetryPolicy | None = None,
        registry: ThrottleRegistry | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        if not token or not set(token) <= TOKEN_CHARS:
            # A ';' or newline in a cookie value would let a token add cookies or headers.
            raise ValueError("not a valid Upsales API key")
        settings = settings or HttpSettings()
        self._owns_http = http is None
        self._http = http or new_http_client(settings, transport)
        registry = registry or DEFAULT_REGISTRY
        key = account_key("upsales", token)
        self._core = HttpCore(
            service="upsales",
            base_url=base_url or DEFAULT_BASE_URL,
            auth_headers={"Cookie": f"token={token}"},
            http=self._http,
            throttle=registry.throttle(key, UPSALES_LIMIT, UPSALES_WINDOW_SECONDS),
            budget=registry.budget(key),
            policy=policy or RetryPolicy(),
            settings=settings,
            observer=observer,
        )
        self.contacts = Contacts(self._core)
        self.accounts = Accounts(self._core)
        self.users = Users(self._core)
        self.orders = Orders(self._core)
        self.activities = Activities(self._core)
        self.todo_types = TodoTypes(self._core)

    @property
    def core(self) -> HttpCore:
        return self._core

    def __repr__(self) -> str:
        return "UpsalesClient()"

    async def self_info(self, *, deadline: Deadline | None = None) -> SelfInfo:
        """``GET /self``: the key's user. A 401 means the key is wrong."""
        resp = await self._core.request("GET", "self", deadline=deadline)
        data = resp.data.get("data") if isinstance(resp.data, dict) else None
        return self._core.parse(SelfInfo, data, "self")

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> UpsalesClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
