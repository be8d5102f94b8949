"""The backend service: a FastAPI app the Freshworks app calls through request templates."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .. import __version__
from ..clients import HttpSettings, RetryPolicy, new_http_client
from ..push.config import PushSettings
from ..rules.codes import Code
from ..settings import Settings, StartupError, check_startup, get_settings
from ..timeline.config import TimelineSettings
from .background import check_background, open_background
from .deps import Credentials, ServiceError, Upstreams, server_credentials
from .errors import ERROR_RESPONSES, error_response
from .logs import configure_logging, log
from .metrics import Metrics
from .middleware.access_log import AccessLog
from .middleware.body_limit import BodyLimit
from .middleware.security_headers import SecurityHeaders
from .redis_once import open_shared
from .rendering.i18n import negotiate
from .routes.actions import router as actions_router
from .routes.card import router as card_router
from .routes.health import router as health_router
from .routes.links import router as links_router
from .routes.upsales_webhooks import router as upsales_webhooks_router
from .routes.validate import router as validate_router
from .routes.webhooks import router as webhooks_router
from .undo import UndoSigner

#: Upstream connect/read timeouts stay inside the card's deadline.
HTTP = HttpSettings(
    connect_timeout=3.0,
    read_timeout=6.0,
    call_timeout=8.0,
    max_response_bytes=16 * 1024 * 1024,
    # One pool per upstream serves every agent: fifty cards at once are 200 Upsales calls
    # at once, which a pool of 50 would queue (bench/card.py at 50 agents).
    max_connections=500,
)
#: Metrics are Prometheus' (/metrics). FastAPI's own OpenTelemetry hooks would only look
#: for a provider nobody configured, on every request.
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
#: Retries are short: an agent is waiting.
POLICY = RetryPolicy(max_attempts=3, backoff_base=0.1, backoff_max=1.0, retry_after_max=5.0)


def create_app(
    settings: Settings | None = None,
    *,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
    webhook_credentials: Credentials | None = None,
    timeline: TimelineSettings | None = None,
    push: PushSettings | None = None,
) -> FastAPI:
    """The app. ``transports`` ({"freshdesk": ..., "upsales": ...}) injects fakes in tests."""
    settings = settings or get_settings()
    timeline = timeline or TimelineSettings()
    push = push or PushSettings()
    http = replace(HTTP, max_response_bytes=settings.max_upstream_bytes)
    transports = transports or {}
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            new_http_client(http, transports.get("freshdesk")) as fd_http,
            new_http_client(http, transports.get("upsales")) as us_http,
            open_shared(settings, metrics) as shared,  # Redis when UFD_REDIS_URL is set
        ):
            secret = settings.service_secret
            app.state.upstreams = Upstreams(
                fd_http,
                us_http,
                shared.registry,
                metrics,
                POLICY,
                once=shared.once,
                undo=UndoSigner(secret.get_secret_value() if secret else None),
                background=shared.background,
            )
            creds = app.state.webhook_credentials
            async with open_background(
                settings, timeline, push, app.state.upstreams, creds
            ) as background:
                app.state.background = background
                yield

    app = FastAPI(
        title="upsales-freshdesk",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",  # public on purpose: the API's contract, no secrets
        responses=ERROR_RESPONSES,
        redirect_slashes=False,  # a redirect would be built from the Host header
        telemetry=NO_TELEMETRY,
    )
    app.state.settings = settings
    app.state.webhook_credentials = webhook_credentials or server_credentials(settings)
    app.include_router(card_router)
    app.include_router(validate_router)
    app.include_router(health_router)
    app.include_router(actions_router)
    app.include_router(links_router)
    app.include_router(webhooks_router)
    app.include_router(upsales_webhooks_router)
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(AccessLog, metrics=metrics)
    app.add_middleware(
        BodyLimit, limit=settings.max_body_bytes, timeout=settings.body_timeout_seconds
    )
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    # Outermost: X-Forwarded-For/-Proto count only from the configured proxies.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app


def _locale(request: Request) -> str:
    """The app sends its language as ``?locale=`` (the platform substitutes context there);
    other callers may use Accept-Language."""
    return negotiate(request.query_params.get("locale") or request.headers.get("accept-language"))


def _refusal(request: Request, status: int, code: Code, **extra: Any) -> JSONResponse:
    request.state.codes = [f"service:{code}"]
    return error_response(status, "service", code, _locale(request), **extra)


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    return _refusal(request, exc.status, exc.code)


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A bad body: say which fields, never echo the values."""
    fields = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()][:20]
    return _refusal(request, 400, "invalid_request", fields=fields)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Framework refusals (an unreadable body, an unknown route) in our own error shape."""
    response = _refusal(request, exc.status_code, "invalid_request")
    response.headers.update(exc.headers or {})  # e.g. Allow on a 405
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Types and code locations only (logs.safe_exceptions): never the message or values.
    # The route's template, never the path: a path may hold a secret (the Upsales receiver's).
    route = getattr(request.scope.get("route"), "path", "unrouted")
    log.error("unexpected_error", route=route, exc_info=exc)
    return _refusal(request, 500, "unavailable")


def check_start(
    settings: Settings,
    timeline: TimelineSettings | None = None,
    push: PushSettings | None = None,
) -> None:
    """Everything that must stop the service at start, as :class:`StartupError`: the
    secrets' rule (``settings.check_startup``), the webhook's credentials and what the
    timeline and the pushes need when they are on."""
    check_startup(settings)
    creds = server_credentials(settings)
    check_background(settings, timeline or TimelineSettings(), push or PushSettings(), creds)


def build() -> FastAPI:
    """For ``uvicorn --factory upsales_freshdesk.web.app:build`` (what ``serve`` runs).

    ``serve`` has checked the settings already; run on its own, as uvicorn's factory, the
    same checks stop the process with their one line (exit status 1), not a traceback.
    """
    configure_logging()
    settings = get_settings()
    try:
        check_start(settings)
        app = create_app(settings)
    except StartupError as exc:
        raise SystemExit(f"upsales-freshdesk: {exc}") from None
    settle_heap()
    return app


#: The young generation is collected every 10,000 net allocations rather than 700.
GC_THRESHOLDS = (10_000, 20, 20)


def settle_heap() -> None:
    """Tune the garbage collector for a long-running server, once it is built.

    A card allocates thousands of short-lived objects, nearly all freed by reference
    counting. With Python's default thresholds the collector still ran about every 700
    allocations, and each older-generation pass walked the 120,000 objects of the loaded
    modules, routes and schemas: about 6 % of the CPU per card (``bench/card.py``).
    ``gc.freeze()`` moves what exists now out of the collector's view for good, and the
    higher thresholds make the young passes rarer. Reference cycles are still collected.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
