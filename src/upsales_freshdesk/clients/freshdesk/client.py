"""The async Freshdesk v2 client."""

from __future__ import annotations

import base64
import re
from types import TracebackType

import httpx

from .._http import HttpCore, HttpSettings, new_http_client
from ..observe import CallObserver
from ..policy import (
    DEFAULT_REGISTRY,
    FRESHDESK_PLAN_LIMITS,
    RetryPolicy,
    ThrottleRegistry,
    account_key,
)
from .resources import Agents, Companies, Contacts, Tickets

LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
SUBDOMAIN_RE = re.compile(rf"^{LABEL}$")
HOST_RE = re.compile(rf"^{LABEL}(?:\.{LABEL})+$")
WINDOW_SECONDS = 60.0


def check_subdomain(subdomain: str) -> str:
    """The account's subdomain, lower-cased; anything else is refused."""
    value = subdomain.lower()
    if not SUBDOMAIN_RE.fullmatch(value):
        raise ValueError("not a Freshdesk subdomain")
    return value


def account_host(domain: str) -> str:
    """``acme`` -> ``acme.freshdesk.com``; a full host name is kept (lower-cased)."""
    value = domain.lower()
    if "." not in value:
        return f"{check_subdomain(value)}.freshdesk.com"
    if len(value) > 253 or not HOST_RE.fullmatch(value):
        raise ValueError("not a host name")
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
    """Freshdesk v2 for one account and one API key.

    ``domain`` is the account's subdomain (``acme``) or host (``acme.freshdesk.com``).

    Pass ``http`` to share one pooled ``httpx.AsyncClient`` between accounts, or
    ``transport`` to talk to an in-process emulator. ``base_url`` overrides the
    upstream for the emulators; it is configuration, never request input.
    """

    def __init__(
        self,
        domain: str,
        api_key: str,
        *,
        plan: str | int = "growth",
        base_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        settings: HttpSettings | None = None,
        policy: RetryPolicy | None = None,
        registry: ThrottleRegistry | None = None,
        observer: CallObserver | None = None,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        self.host = account_host(domain)
        if not api_key:
            raise ValueError("an API key is required")
        settings = settings or HttpSettings()
        self._owns_http = http is None
        self._http = http or new_http_client(settings, transport)
        registry = registry or DEFAULT_REGISTRY
        key = account_key("freshdesk", self.host)
        credentials = base64.b64encode(f"{api_key}:X".encode()).decode()
        self._core = HttpCore(
            service="freshdesk",
            base_url=base_url or f"https://{self.host}/api/v2/",
            auth_headers={"Authorization": f"Basic {credentials}"},
            http=self._http,
            throttle=registry.throttle(key, plan_limit(plan), window_seconds),
            budget=registry.budget(key),
            policy=policy or RetryPolicy(),
            settings=settings,
            observer=observer,
        )
        self.tickets = Tickets(self._core)
        self.contacts = Contacts(self._core)
        self.companies = Companies(self._core)
        self.agents = Agents(self._core)

    @property
    def core(self) -> HttpCore:
        return self._core

    def __repr__(self) -> str:
        return f"FreshdeskClient(host={self.host!r})"

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
