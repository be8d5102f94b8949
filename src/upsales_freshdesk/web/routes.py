"""Thin routes: the card, key validation, health and metrics."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..clients import Deadline
from ..lookup.card import CardLookup
from ..lookup.fields import FieldRule
from ..lookup.issues import Issue
from ..lookup.models import Card, CardRequest, CardResult
from .deps import CallerDep, ClientsDep, SettingsDep, UpstreamsDep
from .errors import ErrorResponse
from .i18n import negotiate
from .messages import localise
from .render import link_maker, render_card
from .validation import Checker, ValidateResponse

router = APIRouter()


class CardResponse(CardResult):
    html: str
    locale: str


@router.post(
    "/v1/card",
    response_model=CardResponse,
    responses={
        400: {"model": ErrorResponse},
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
    },
)
async def card(
    body: CardRequest, clients: ClientsDep, settings: SettingsDep, request: Request
) -> Response:
    """The requester's Upsales contact beside the ticket, as data and as HTML."""
    locale = negotiate(body.locale)
    limit = settings.card_deadline_seconds
    lookup = CardLookup(
        body,
        clients.freshdesk,
        clients.upsales,
        Deadline.after(limit),
        link_for=link_maker(settings.upsales_contact_url),
        rule=FieldRule.of(settings.field_mapping),
    )
    try:
        async with asyncio.timeout(limit + 0.5):  # a last guard; the calls' deadline comes first
            result = await lookup.run()
    except TimeoutError:
        result = CardResult(
            status="error", card=Card(), errors=[Issue(source="service", code="timeout")]
        )
    result.errors = localise(result.errors, locale)
    request.state.card_status = result.status
    request.state.codes = [f"{i.source}:{i.code}" for i in result.errors]
    answer = CardResponse(**result.model_dump(), html=render_card(result, locale), locale=locale)
    # Already a validated model: serialise once, rather than have FastAPI check it again.
    return Response(answer.model_dump_json(), media_type="application/json")


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
) -> ValidateResponse:
    """Checks each installation setting live, with a localised message per setting."""
    checker = Checker(settings, upstreams, negotiate(body.locale))
    return await checker.run(x_freshdesk_domain, x_freshdesk_api_key, x_upsales_token)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/metrics", include_in_schema=False)
async def metrics(upstreams: UpstreamsDep) -> Response:
    return Response(upstreams.metrics.render(), media_type="text/plain; version=0.0.4")
