"""The async Freshdesk v2 client."""

from __future__ import annotations

import base64
import re
from types import TracebackType

import httpx

from .._http import HttpCore, HttpSettings, new_http_client
from ..policy import (
    DEFAULT_REGISTRY,
    FRESHDESK_PLAN_LIMITS,
    RetryPolicy,
    ThrottleRegistry,
    account_key,
)
from .resources import Agents, Companies, Contacts, Tickets

SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
WINDOW_SECONDS = 60.0


def check_subdomain(subdomain: str) -> str:
    """The account's subdomain, lower-cased; anything else is refused."""
    value = subdomain.lower()
    if not SUBDOMAIN_RE.match(value):
        raise ValueError("not a Freshdesk subdomain")
    return value


def plan_limit(plan: str | int) -> int:
    """Calls per minute for a plan name, or an explicit number."""
    if isinstance(plan, int):
        if plan <= 0:
            raise ValueError("calls per minute must be positive")
        return plan
    try:
        return FRESHDESK_PLAN_LIMITS[plan.lower()]
    except KeyError:
        raise ValueError(f"unknown Freshdesk plan: {plan!r}") from None


class FreshdeskClient:
    """Freshdesk v2 for one account (``{subdomain}.freshdesk.com``) and one API key.

    Pass ``http`` to share one pooled ``httpx.AsyncClient`` between accounts, or
    ``transport`` to talk to an in-process emulator. ``base_url`` overrides the
    upstream for the emulators; it is configuration, never request input.
    """

    def __init__(
        self,
        subdomain: str,
        api_key: str,
        *,
        plan: str | int = "growth",
        base_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        settings: HttpSettings | None = None,
        policy: RetryPolicy | None = None,
        registry: ThrottleRegistry | None = None,
    ) -> None:
        self.subdomain = check_subdomain(subdomain)
        if not api_key:
            raise ValueError("an API key is required")
        settings = settings or HttpSettings()
        self._owns_http = http is None
        self._http = http or new_http_client(settings, transport)
        registry = registry or DEFAULT_REGISTRY
        key = account_key("freshdesk", self.subdomain)
        credentials = base64.b64encode(f"{api_key}:X".encode()).decode()
        self._core = HttpCore(
            service="freshdesk",
            base_url=base_url or f"https://{self.subdomain}.freshdesk.com/api/v2/",
            auth_headers={"Authorization": f"Basic {credentials}"},
            http=self._http,
            throttle=registry.throttle(key, plan_limit(plan), WINDOW_SECONDS),
            budget=registry.budget(key),
            policy=policy or RetryPolicy(),
            settings=settings,
        )
        self.tickets = Tickets(self._core)
        self.contacts = Contacts(self._core)
        self.companies = Companies(self._core)
        self.agents = Agents(self._core)

    @property
    def core(self) -> HttpCore:
        return self._core

    def __repr__(self) -> str:
        return f"FreshdeskClient(subdomain={self.subdomain!r})"

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> FreshdeskClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
