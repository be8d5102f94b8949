"""``/api/v2/triggers`` (list, one, create, update, delete).

The API's answers follow :mod:`.triggers`' sources: the list in the envelope with
``metadata: {"total": N}`` only and every trigger whatever ``limit`` and ``offset`` say
(as recorded); one trigger, a created or an updated one in ``{"error": null, "data":
...}``; a delete ``{"error": null}`` (as Upsales answers its other deletes: Postman
"Delete company", recorded ``contact_delete.json``).

The controls of the triggers' web requests (``/_emulator/webhooks...``) are the
emulators' shared ones (:func:`..delivery.outbox_routes`); a delivery is listed without
its URL's path, headers or body (:meth:`.outbox.Delivery.summary`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..responses import JSONResponse
from .errors import UpsalesError
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
