"""Request dependencies, as ``Annotated`` aliases: settings, caller auth, credentials, clients."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import ValidationError

from ..clients import FreshdeskClient, ThrottleRegistry, UpsalesClient, Wire, plan_limit
from ..clients.hostnames import account_host
from ..clients.policy import RetryPolicy
from ..clients.throttle import UPSALES_LIMIT
from ..rules.codes import Code
from ..rules.domains import InvalidDomainError, account_of, check_freshdesk_domain
from ..settings import Settings, StartupError
from ..sync.config import SyncCredentials
from .idempotency import Once
from .metrics import Metrics
from .security import secret_matches
from .undo import UndoSigner


class ServiceError(Exception):
    """A refusal by this service itself (before or instead of any upstream call)."""

    def __init__(self, status: int, code: Code) -> None:
        super().__init__(code)
        self.status, self.code = status, code


@dataclass(frozen=True, slots=True)
class Upstreams:
    """Process-wide: one pooled HTTP client per upstream, throttles, budgets, metrics.

    ``registry`` and ``once`` are in-process, or shared through Redis (``web/redis_once.py``).
    """

    freshdesk_http: Wire
    upsales_http: Wire
    registry: ThrottleRegistry
    metrics: Metrics
    policy: RetryPolicy
    #: One click does one thing once (per process, or shared through Redis).
    once: Once
    undo: UndoSigner
    #: What work of its own accord spends from (ticket events): agents come first.
    background: ThrottleRegistry


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


SettingsDep = Annotated[Settings, Depends(get_settings)]
UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]


def require_caller(settings: Settings, authorization: str | None) -> None:
    """When a service secret is configured, the caller must send it (constant-time check).
    Without one, every caller passes: ``serve`` starts so only with ``--allow-no-secret``
    (the demo and in-process tests build the app themselves)."""
    secret = settings.service_secret
    if secret is not None and not secret_matches(authorization, secret.get_secret_value()):
        raise ServiceError(401, "auth_failed")


async def check_caller(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    require_caller(settings, authorization)


CallerDep = Annotated[None, Depends(check_caller)]


@dataclass(frozen=True, slots=True)
class Credentials:
    host: str
    freshdesk_key: str
    upsales_token: str

    def __repr__(self) -> str:
        return f"Credentials(host={self.host!r})"


def allowed_host(settings: Settings, raw: str) -> str:
    """The validated Freshdesk host, or a :class:`ServiceError`."""
    try:
        host = check_freshdesk_domain(raw, settings.extra_freshdesk_hosts)
    except InvalidDomainError:
        raise ServiceError(400, "invalid_domain") from None
    allowed = settings.allowed_accounts
    if allowed and host not in allowed and account_of(host) not in allowed:
        raise ServiceError(403, "account_not_allowed")
    return host


def credentials(
    settings: Settings, domain: str | None, api_key: str | None, token: str | None
) -> Credentials:
    """The per-request credentials. They live only as long as the request."""
    if not (domain and api_key and token):
        raise ServiceError(400, "invalid_request")
    return Credentials(allowed_host(settings, domain), api_key, token)


#: Why the sync's account is refused, by the code :func:`allowed_host` raised.
SYNC_DOMAIN_REFUSED: dict[str, str] = {
    "account_not_allowed": "is not in UFD_ALLOWED_ACCOUNTS",
    "invalid_domain": "is neither a *.freshdesk.com host nor in UFD_EXTRA_FRESHDESK_HOSTS",
}


def server_credentials(settings: Settings) -> Credentials | None:
    """The server's own credentials for the webhook: the sync's account and keys
    (``UFD_SYNC_FRESHDESK_DOMAIN``, ``UFD_SYNC_FRESHDESK_API_KEY``, ``UFD_SYNC_UPSALES_TOKEN``).

    Only the webhook uses them. With it off (no ``UFD_WEBHOOK_SECRET``) they are not read:
    the sync's settings may share the service's env file, for any account the sync is
    meant to serve. With it on, none of the three set means none (the webhook then takes
    header credentials, if allowed); a wrong one, or an account the service would refuse
    to a caller, raises :class:`StartupError` naming the variable.
    """
    if settings.webhook_secret is None:
        return None
    try:
        sync = SyncCredentials()  # read from the environment
    except ValidationError as exc:
        errors = exc.errors()
        if len(errors) == len(SyncCredentials.model_fields) and all(
            e["type"] == "missing" for e in errors
        ):
            return None
        # Never the input: it may be a key. Pydantic's message does not include it.
        wrong = next((e for e in errors if e["type"] != "missing"), errors[0])
        reason = "not set" if wrong["type"] == "missing" else wrong["msg"]
        name = f"UFD_SYNC_{str(wrong['loc'][0]).upper()}"
        raise StartupError(
            f"{name}: {reason.removeprefix('Value error, ')}; the webhook (UFD_WEBHOOK_SECRET "
            "is set) uses the sync's credentials"
        ) from None
    host = account_host(sync.freshdesk_domain)
    try:
        host = allowed_host(settings, host)
    except ServiceError as exc:
        raise StartupError(
            f"UFD_SYNC_FRESHDESK_DOMAIN ({host}) {SYNC_DOMAIN_REFUSED[exc.code]}: the "
            "webhook (UFD_WEBHOOK_SECRET is set) would sync an account the service refuses"
        ) from None
    return Credentials(
        host, sync.freshdesk_api_key.get_secret_value(), sync.upsales_token.get_secret_value()
    )


@dataclass(frozen=True, slots=True)
class Clients:
    freshdesk: FreshdeskClient
    upsales: UpsalesClient


def make_clients(
    settings: Settings,
    upstreams: Upstreams,
    creds: Credentials,
    *,
    background: float | None = None,
    policy: RetryPolicy | None = None,
) -> Clients:
    """Clients for one request, sharing the process' pooled connections and throttles.

    ``background`` (a share of each plan, 0.6 for the ticket events' jobs): such clients
    spend only what the cards leave, and never more than that share of any window, so
    the agents always keep the rest."""
    registry = upstreams.background if background is not None else upstreams.registry
    policy = policy or upstreams.policy
    share = 1.0 if background is None else background
    freshdesk_plan = max(1, math.floor(plan_limit(settings.freshdesk_plan) * share))
    try:
        upsales = UpsalesClient(
            creds.upsales_token,
            base_url=settings.upsales_base_url,
            http=upstreams.upsales_http,
            registry=registry,
            observer=upstreams.metrics,
            policy=policy,
            limit=max(1, math.floor(UPSALES_LIMIT * share)),
        )
    except ValueError:  # a token that could not be a valid one
        raise ServiceError(400, "invalid_request") from None
    freshdesk = FreshdeskClient(
        creds.host,
        creds.freshdesk_key,
        plan=settings.freshdesk_plan if background is None else freshdesk_plan,
        base_url=settings.freshdesk_base_url,
        http=upstreams.freshdesk_http,
        registry=registry,
        observer=upstreams.metrics,
        policy=policy,
        window_seconds=settings.freshdesk_window_seconds,
    )
    return Clients(freshdesk, upsales)


@dataclass(frozen=True, slots=True)
class Context:
    """What a route that calls the upstreams needs: the settings, the process' upstreams,
    the caller's credentials and the clients made from them."""

    settings: Settings
    upstreams: Upstreams
    creds: Credentials
    clients: Clients


async def get_context(
    settings: SettingsDep,
    upstreams: UpstreamsDep,
    x_freshdesk_domain: Annotated[str | None, Header()] = None,
    x_freshdesk_api_key: Annotated[str | None, Header()] = None,
    x_upsales_token: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Context:
    """The caller is checked first (401), then the credentials (400, 403)."""
    require_caller(settings, authorization)
    creds = credentials(settings, x_freshdesk_domain, x_freshdesk_api_key, x_upsales_token)
    return Context(settings, upstreams, creds, make_clients(settings, upstreams, creds))


ContextDep = Annotated[Context, Depends(get_context)]
