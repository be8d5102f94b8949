"""The ticket writes and the Automations API, as routes of the Freshdesk emulator.

- ``POST /api/v2/tickets`` (201 and the ticket, with ``Location``), ``PUT
  /api/v2/tickets/{id}`` (200 and the ticket), ``DELETE /api/v2/tickets/{id}`` (204;
  the ticket stays, with ``deleted: true``) and ``PUT /api/v2/tickets/{id}/restore``
  (204): the vendor's "Create a Ticket", "Update a Ticket", "Delete a Ticket" and
  "Restore a Ticket"; create and update spend from their own per-minute sub-limits.
- ``/api/v2/automations/{automation_type_id}/rules`` and ``.../rules/{id}``: list,
  create (201), view, update and delete (204) rules of types 1, 3 and 4 (another type
  is a 404), as the vendor's Automations API (see :mod:`.automations`).

A write that sets off rules answers first; its webhook calls start after the answer
(a background task of the response), never inside the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..responses import JSONResponse
from . import ticket_writes, triggers
from .automations import check_rule
from .limits import Endpoint
from .rulebook import CREATION, TYPES, UPDATES
from .rules import FreshdeskError, json_body, paged
from .store import FreshdeskStore, Record, now_iso
from .webhooks import Delivery

Work = Callable[[Request], Awaitable[Response]]


class Serving(Protocol):
    """What the routes need of the emulator's API (``app.FreshdeskApi``)."""

    store: FreshdeskStore
    domain: str

    async def serve(
        self, request: Request, work: Work, *, endpoint: Endpoint | None = None
    ) -> Response: ...


def answer(store: FreshdeskStore, body: Any, status: int, staged: list[Delivery]) -> JSONResponse:
    """``body`` as JSON; the staged webhook calls start once it has been sent."""
    task = BackgroundTask(store.webhooks.start, staged) if staged else None
    return JSONResponse(body, status_code=status, background=task)


def _ticket(store: FreshdeskStore, request: Request) -> Record:
    ticket = store.tickets.get(request.path_params["tid"])
    if ticket is None:
        raise FreshdeskError(404)
    return ticket


def _type(request: Request) -> int:
    type_id: int = request.path_params["type_id"]
    if type_id not in TYPES:
        raise FreshdeskError(404)
    return type_id


def write_routes(api: Serving) -> list[Route]:
    store = api.store

    async def create_ticket(request: Request) -> Response:
        body = await json_body(request)
        ticket_writes.check_create(store, body)
        ticket = ticket_writes.create(store, body)
        staged = triggers.fire(store, ticket, type_id=CREATION, domain=api.domain)
        resp = answer(store, ticket, 201, staged)
        resp.headers["Location"] = str(request.url.replace(path=f"/api/v2/tickets/{ticket['id']}"))
        return resp

    async def update_ticket(request: Request) -> Response:
        ticket = _ticket(store, request)
        body = await json_body(request)
        ticket_writes.check_update(store, ticket, body)
        changes = ticket_writes.update(store, ticket, body)
        staged = triggers.fire(store, ticket, type_id=UPDATES, domain=api.domain, changes=changes)
        return answer(store, ticket, 200, staged)

    async def delete_ticket(request: Request) -> Response:
        ticket = _ticket(store, request)
        if ticket.get("deleted"):
            raise FreshdeskError(404)
        ticket.update(deleted=True, updated_at=now_iso())
        return Response(status_code=204)

    async def restore_ticket(request: Request) -> Response:
        ticket = _ticket(store, request)
        if not ticket.get("deleted") or ticket.get("spam"):
            raise FreshdeskError(404)  # restore reaches deleted tickets that are not spam
        del ticket["deleted"]
        ticket["updated_at"] = now_iso()
        return Response(status_code=204)

    async def list_rules(request: Request) -> Response:
        return paged(request, store.automations.listed(_type(request)))

    async def create_rule(request: Request) -> Response:
        type_id = _type(request)
        body = await json_body(request)
        check_rule(type_id, body, creating=True)
        rule = store.automations.create(type_id, body, agent_id=store.agent["id"], now=now_iso())
        return JSONResponse(rule, status_code=201)

    def _rule(request: Request) -> tuple[int, Record]:
        type_id = _type(request)
        rule = store.automations.get(type_id, request.path_params["rid"])
        if rule is None:
            raise FreshdeskError(404)
        return type_id, rule

    async def view_rule(request: Request) -> Response:
        return JSONResponse(_rule(request)[1])

    async def update_rule(request: Request) -> Response:
        type_id, rule = _rule(request)
        body = await json_body(request)
        check_rule(type_id, body, creating=False)
        agent = store.agent["id"]
        updated = store.automations.update(type_id, rule["id"], body, agent_id=agent, now=now_iso())
        return JSONResponse(updated)

    async def delete_rule(request: Request) -> Response:
        type_id, rule = _rule(request)
        store.automations.delete(type_id, rule["id"])
        return Response(status_code=204)

    def served(work: Work, endpoint: Endpoint | None = None) -> Work:
        async def route(request: Request) -> Response:
            return await api.serve(request, work, endpoint=endpoint)

        return route

    t, r = "/api/v2/tickets/{tid:int}", "/api/v2/automations/{type_id:int}/rules"
    return [
        Route("/api/v2/tickets", served(create_ticket, "ticket_create"), methods=["POST"]),
        Route(t, served(update_ticket, "ticket_update"), methods=["PUT"]),
        Route(t, served(delete_ticket), methods=["DELETE"]),
        Route(f"{t}/restore", served(restore_ticket), methods=["PUT"]),
        Route(r, served(list_rules), methods=["GET"]),
        Route(r, served(create_rule), methods=["POST"]),
        Route(f"{r}/{{rid:int}}", served(view_rule), methods=["GET"]),
        Route(f"{r}/{{rid:int}}", served(update_rule), methods=["PUT"]),
        Route(f"{r}/{{rid:int}}", served(delete_rule), methods=["DELETE"]),
    ]
