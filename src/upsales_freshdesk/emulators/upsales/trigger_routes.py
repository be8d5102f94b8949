"""``/api/v2/triggers`` (list, one, create, update, delete), and the emulator's controls
of the triggers' web requests (``/_emulator/webhooks...``).

The API's answers follow :mod:`.triggers`' sources: the list in the envelope with
``metadata: {"total": N}`` only and every trigger whatever ``limit`` and ``offset`` say
(as recorded); one trigger, a created or an updated one in ``{"error": null, "data":
...}``; a delete ``{"error": null}`` (as Upsales answers its other deletes: Postman
"Delete company", recorded ``contact_delete.json``).

| control | what it does |
|---|---|
| ``GET /_emulator/webhooks`` | every delivery since the last reset (no path, headers or bodies) |
| ``POST /_emulator/webhooks/drain`` | wait for every delivery in flight, then list them |
| ``GET/POST /_emulator/webhooks/faults`` | read or replace the faults (``{}`` clears them) |
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pydantic
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..responses import JSONResponse
from .errors import UpsalesError
from .outbox import TriggerOutbox, WebhookFaults
from .triggers import TriggerBook

Work = Callable[[Request], Awaitable[Response]]
JsonBody = Callable[[Request], Awaitable[dict[str, Any]]]


def _missing(trigger_id: int) -> UpsalesError:
    return UpsalesError(404, "NotFound", 7, f"Not found: triggers {trigger_id}")


def api_work(book: TriggerBook, json_body: JsonBody) -> list[tuple[str, str, Work]]:
    """The routes' paths, methods and work (each run inside the API's auth and limits)."""

    async def listed(request: Request) -> Response:
        rows = book.listed()
        return JSONResponse({"error": None, "metadata": {"total": len(rows)}, "data": rows})

    async def one(request: Request) -> Response:
        found = book.get(request.path_params["rid"])
        if found is None:
            raise _missing(request.path_params["rid"])
        return JSONResponse({"error": None, "data": found})

    async def create(request: Request) -> Response:
        return JSONResponse({"error": None, "data": book.create(await json_body(request))})

    async def update(request: Request) -> Response:
        changed = book.update(request.path_params["rid"], await json_body(request))
        if changed is None:
            raise _missing(request.path_params["rid"])
        return JSONResponse({"error": None, "data": changed})

    async def delete(request: Request) -> Response:
        if not book.delete(request.path_params["rid"]):
            raise _missing(request.path_params["rid"])
        return JSONResponse({"error": None})

    return [
        ("/api/v2/triggers", "GET", listed),
        ("/api/v2/triggers", "POST", create),
        ("/api/v2/triggers/{rid:int}", "GET", one),
        ("/api/v2/triggers/{rid:int}", "PUT", update),
        ("/api/v2/triggers/{rid:int}", "DELETE", delete),
    ]


def control_routes(outbox: TriggerOutbox) -> list[Route]:
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
            errors = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors(include_url=False, include_input=False)
            ]
            return JSONResponse({"errors": errors}, status_code=422)
        outbox.set_faults(faults)
        return JSONResponse(faults.model_dump(mode="json"))

    return [
        Route("/_emulator/webhooks", deliveries, methods=["GET"]),
        Route("/_emulator/webhooks/drain", drain, methods=["POST"]),
        Route("/_emulator/webhooks/faults", get_faults, methods=["GET"]),
        Route("/_emulator/webhooks/faults", set_faults, methods=["POST"]),
    ]
