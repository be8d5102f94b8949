"""Thin routes: the card, key validation, health and metrics."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..actions.log import TicketRef
from ..card.links import Links
from ..card.lookup import CardLookup
from ..card.models import CardRequest, CardResult
from ..clients import Deadline
from ..clients.hostnames import is_loopback
from ..rules.fields import FieldRule
from ..settings import daily_warnings, operator_warnings
from .deps import CONTEXT_OPENAPI, CallerDep, ContextDep, ServiceError, SettingsDep, UpstreamsDep
from .errors import ErrorResponse
from .i18n import negotiate
from .messages import localise
from .render import render_card
from .security import secret_matches
from .validation import Checker, ValidateResponse

router = APIRouter()
#: Seconds of the card's deadline kept for rendering and sending the answer.
RENDER_RESERVE = 0.6
JSON = "application/json"


class CardResponse(CardResult):
    html: str
    locale: str


@router.post(
    "/v1/card",
    response_model=CardResponse,
    openapi_extra=CONTEXT_OPENAPI,
    responses={
        400: {"model": ErrorResponse},
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
    },
)
async def card(body: CardRequest, ctx: ContextDep, request: Request) -> Response:
    """The requester's Upsales contact beside the ticket, as data and as HTML."""
    settings, clients = ctx.settings, ctx.clients
    locale = negotiate(body.locale)
    limit = settings.card_deadline_seconds
    # The calls stop a little before the card's deadline, so that rendering and sending the
    # answer fit inside it even under load; a last guard keeps what the lookup already has.
    reserve = min(RENDER_RESERVE, limit / 4)
    lookup = CardLookup(
        body,
        clients.freshdesk,
        clients.upsales,
        Deadline.after(limit - reserve),
        links=Links.of(settings),
        logged_as=TicketRef(clients.freshdesk.host, body.ticket.id, "").logged_in,
        rule=FieldRule.of(settings.field_mapping),
    )
    try:
        async with asyncio.timeout(limit - reserve / 3):
            result = await lookup.run()
    except TimeoutError:
        result = lookup.cut_short()
    result.errors = localise(result.errors, locale)
    request.state.card_status = result.status
    request.state.codes = [f"{i.source}:{i.code}" for i in result.errors]
    return Response(card_json(result, render_card(result, locale), locale), media_type=JSON)


def card_json(result: CardResult, html: str, locale: str) -> bytes:
    """A :class:`CardResponse` as JSON, without building one: the result is already a
    validated model, so it is serialised once and ``html`` and ``locale`` are added."""
    data = result.__pydantic_serializer__.to_json(result)
    return b"".join(
        (data[:-1], b',"html":', orjson.dumps(html), b',"locale":', orjson.dumps(locale), b"}")
    )


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: str = Field(default="en", max_length=35)


@router.post(
    "/v1/validate", response_model=ValidateResponse, responses={401: {"model": ErrorResponse}}
)
async def validate(
    body: ValidateRequest,
    settings: SettingsDep,
    upstreams: UpstreamsDep,
    _: CallerDep,
    x_freshdesk_domain: Annotated[str | None, Header()] = None,
    x_freshdesk_api_key: Annotated[str | None, Header()] = None,
    x_upsales_token: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> ValidateResponse:
    """Checks each installation setting live, with a localised message per setting."""
    checker = Checker(settings, upstreams, negotiate(body.locale))
    return await checker.run(
        x_freshdesk_domain, x_freshdesk_api_key, x_upsales_token, authorization
    )


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
