"""The async Freshdesk v2 client."""

from __future__ import annotations

import base64

import httpx

from ..base_client import BaseClient, Wiring
from ..core import HttpSettings
from ..hostnames import account_host
from ..observe import CallObserver
from ..plans import plan_limit
from ..policy import RetryPolicy
from ..registry import ThrottleRegistry
from ..transport import Wire
from .automations import Automations
from .resources import Agents, Companies, Contacts, Tickets

WINDOW_SECONDS = 60.0


class FreshdeskClient(BaseClient):
    """Freshdesk v2 for one account and one API key.

    ``domain`` is the account's subdomain (``acme``) or host (``acme.freshdesk.com``).

    Pass ``http`` (a :class:`~..transport.Wire`) to share one pool between accounts, or
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
        http: Wire | None = None,
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
        credentials = base64.b64encode(f"{api_key}:X".encode()).decode()
        core = self._build_core(
            "freshdesk",
            base_url=base_url or f"https://{self.host}/api/v2/",
            auth_headers={"Authorization": f"Basic {credentials}"},
            account=self.host,
            secret=api_key,
            limit=plan_limit(plan),
            window=window_seconds,
            wiring=Wiring(http, transport, settings, policy, registry, observer),
        )
        self.tickets = Tickets(core)
        self.contacts = Contacts(core)
        self.companies = Companies(core)
        self.agents = Agents(core)
        self.automations = Automations(core)

    def __repr__(self) -> str:
        return f"FreshdeskClient(host={self.host!r})"
