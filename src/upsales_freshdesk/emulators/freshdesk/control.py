"""The Freshdesk emulator's own controls for webhooks and spam (``/_emulator/...``).

| call | what it does |
|---|---|
| ``GET /_emulator/webhooks`` | every delivery since the last reset (no headers or bodies) |
| ``POST /_emulator/webhooks/drain`` | wait for every delivery in flight, then list them |
| ``GET/POST /_emulator/webhooks/faults`` | read or replace the webhook faults |
| ``POST /_emulator/tickets/{id}/spam`` | ``{"spam": true}`` marks a ticket as spam |

The webhook controls are the emulators' shared ones (:func:`..delivery.outbox_routes`).
Freshdesk's public API v2 has no call that marks one ticket as spam (its spam actions
are the agent's and the rules'), hence a control here.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..delivery import outbox_routes
from ..responses import JSONResponse
from .store import FreshdeskStore


def control_routes(store: FreshdeskStore) -> list[Route]:
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
        *outbox_routes(store.webhooks),
        Route("/_emulator/tickets/{tid:int}/spam", spam, methods=["POST"]),
    ]
