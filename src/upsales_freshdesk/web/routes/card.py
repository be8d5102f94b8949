"""POST /v1/card: the requester's Upsales contact beside the ticket, as data and HTML."""

from __future__ import annotations

import asyncio

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...actions.log import TicketRef
from ...card.links import Links
from ...card.lookup import CardLookup
from ...card.models import CardRequest, CardResult
from ...clients import Deadline
from ...rules.contact_link import LinkField
from ...rules.fields import FieldRule
from ..deps import ContextDep
from ..errors import ErrorResponse
from ..rendering.i18n import negotiate
from ..rendering.messages import localise
from ..rendering.render import render_card

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
        link=LinkField.of(settings.link_field),
        region=settings.phone_region,
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
