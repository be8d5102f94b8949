"""The Freshdesk emulator's own controls for webhooks and spam (``/_emulator/...``).

| call | what it does |
|---|---|
| ``GET /_emulator/webhooks`` | every delivery since the last reset (no headers or bodies) |
| ``POST /_emulator/webhooks/drain`` | wait for every delivery in flight, then list them |
| ``GET/POST /_emulator/webhooks/faults`` | read or replace the webhook faults |
| ``POST /_emulator/tickets/{id}/spam`` | ``{"spam": true}`` marks a ticket as spam |

Freshdesk's public API v2 has no call that marks one ticket as spam (its spam actions
are the agent's and the rules'), hence a control here.
"""

from __future__ import annotations

import json

import pydantic
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..responses import JSONResponse
from .store import FreshdeskStore
from .webhooks import WebhookFaults


def _errors(exc: pydantic.ValidationError) -> JSONResponse:
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]
    return JSONResponse({"errors": errors}, status_code=422)


def control_routes(store: FreshdeskStore) -> list[Route]:
    outbox = store.webhooks

    async def deliveries(request: Request) -> Response:
        return JSONResponse([d.summary() for d in outbox.deliveries])

    async def drain(request: Request) -> Response:
        await outbox.drain()
        return await deliveries(request)

    async def get_faults(request: Request) -> Response:
        return JSONResponse(outbox.faults.model_dump(mode="json"))

    async def set_faults(request: Request) -> Response:
        try:
            faults = WebhookFaults.model_validate_json(await request.body() or b"{}")
        except pydantic.ValidationError as exc:
            return _errors(exc)
        outbox.set_faults(faults)
        return JSONResponse(faults.model_dump(mode="json"))

    async def spam(request: Request) -> Response:
        tid = request.path_params["tid"]
        if tid not in store.tickets:
            return JSONResponse({"errors": [{"field": "id", "message": "no such ticket"}]}, 404)
        try:
            flag = json.loads(await request.body() or b"{}").get("spam", True)
        except (ValueError, AttributeError):
            flag = None
        if not isinstance(flag, bool):
            return JSONResponse({"errors": [{"field": "spam", "message": "a boolean"}]}, 422)
        store.mark_spam(tid, flag)
        return JSONResponse({"id": tid, "spam": flag})

    return [
        Route("/_emulator/webhooks", deliveries, methods=["GET"]),
        Route("/_emulator/webhooks/drain", drain, methods=["POST"]),
        Route("/_emulator/webhooks/faults", get_faults, methods=["GET"]),
        Route("/_emulator/webhooks/faults", set_faults, methods=["POST"]),
        Route("/_emulator/tickets/{tid:int}/spam", spam, methods=["POST"]),
    ]
