"""GET /healthz (the operator's warnings) and GET /metrics (Prometheus, guarded)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel

from ...clients.hostnames import is_loopback
from ...settings import daily_warnings, operator_warnings
from ..deps import ServiceError, SettingsDep, UpstreamsDep
from ..security import secret_matches

router = APIRouter()


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    #: Unsafe settings the operator chose (an open relay, no account allowlist).
    warnings: list[str] = []


@router.get("/healthz", response_model=Health)
async def healthz(settings: SettingsDep, upstreams: UpstreamsDep) -> Health:
    daily = daily_warnings(settings, await upstreams.registry.daily_counts())
    return Health(warnings=operator_warnings(settings, public=False) + daily)


@router.get("/metrics", include_in_schema=False)
async def metrics(
    upstreams: UpstreamsDep,
    settings: SettingsDep,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """Prometheus metrics: with ``UFD_METRICS_TOKEN``, for its bearer only; without it,
    for callers on loopback only (a scraper on the host, or through a local proxy)."""
    token = settings.metrics_token
    if token is not None:
        allowed = secret_matches(authorization, token.get_secret_value())
    else:
        allowed = request.client is not None and is_loopback(request.client.host)
    if not allowed:
        raise ServiceError(404, "invalid_request")  # do not even confirm it exists
    upstreams.metrics.daily_calls(await upstreams.registry.daily_counts())
    return Response(upstreams.metrics.render(), media_type="text/plain; version=0.0.4")
