"""The demo page's own Freshdesk actions and its "Upsales side" (issue 29).

- ``GET /_demo/requesters``: the listed tickets' requesters, for the "New ticket" form.
- ``POST /_demo/freshdesk/tickets``: the form's ticket, sent on to the emulator's
  ``POST /api/v2/tickets``.
- ``PUT /_demo/freshdesk/tickets/{id}``: the status picker's change, sent on to
  ``PUT /api/v2/tickets/{id}``.
- ``POST /_demo/timeline/drain?ticket={id}``: wait for the webhooks and the backend's
  jobs, and say what they did.
- ``GET /_demo/upsales/tickets/{id}``: the ticket requester's Upsales activities, read
  through Upsales' API.

The writes go through the emulator's real API routes with the demo agent's key, as
Freshdesk's own UI changes a ticket, so the account's automation rules run on them and
call the backend. The Upsales side is what an Upsales user sees of the requester's
contact: the activities, each with its type, its description without our marker, and
the status line of a ticket kept on the timeline.
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..actions.log import TicketRef
from ..clients import canonical_email, is_email
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us
from ..emulators.freshdesk.app import DEFAULT_KEY, FreshdeskEmulator
from ..emulators.upsales.app import DEFAULT_TOKEN, UpsalesEmulator
from ..rules.contact_link import LinkField
from ..rules.logged import timeline_stamp, without_marker
from .timeline import FRESHDESK_HOST, DemoTimeline

#: The tickets whose requesters the form offers (the page lists the same ones).
LISTED = 40
#: The requester's most recent activities shown on the Upsales side.
ACTIVITIES = 10
#: The notes' line that says the ticket's status (``timeline/shape.py`` writes it).
STATUS_LINE = "Status: "


class Desk:
    def __init__(
        self, freshdesk: FreshdeskEmulator, upsales: UpsalesEmulator, timeline: DemoTimeline
    ) -> None:
        self.freshdesk, self.upsales, self.timeline = freshdesk, upsales, timeline

    def routes(self) -> list[Route]:
        return [
            Route("/_demo/requesters", self.requesters),
            Route("/_demo/freshdesk/tickets", self.create_ticket, methods=["POST"]),
            Route("/_demo/freshdesk/tickets/{tid:int}", self.update_ticket, methods=["PUT"]),
            Route("/_demo/timeline/drain", self.drain, methods=["POST"]),
            Route("/_demo/upsales/tickets/{tid:int}", self.upsales_side),
        ]

    async def requesters(self, request: Request) -> Response:
        store = self.freshdesk.store
        seen: dict[int, dict[str, Any]] = {}
        for ticket in store.tickets_list(limit=LISTED):
            contact = store.contact(ticket["requester_id"] or 0)
            if contact is None or contact["id"] in seen or contact.get("deleted"):
                continue
            company = store.company(contact.get("company_id") or 0)
            seen[contact["id"]] = {
                "id": contact["id"],
                "name": contact.get("name"),
                "company": company["name"] if company else None,
            }
        return JSONResponse(list(seen.values()))

    # -- the ticket writes, through the emulator's API -------------------------------

    async def create_ticket(self, request: Request) -> Response:
        return await self._send_on(request, "POST", "/api/v2/tickets")

    async def update_ticket(self, request: Request) -> Response:
        return await self._send_on(request, "PUT", f"/api/v2/tickets/{request.path_params['tid']}")

    async def _send_on(self, request: Request, method: str, path: str) -> Response:
        """The page's JSON body to the emulator's route, and its answer back as it came
        (its checks are Freshdesk's: the page shows what Freshdesk would refuse)."""
        body = await request.body()
        async with freshdesk_api(self.freshdesk) as api:
            try:
                resp = await api.request(
                    method, path, content=body, headers={"Content-Type": "application/json"}
                )
            except httpx.HTTPError as error:
                return JSONResponse({"message": f"Freshdesk: {type(error).__name__}"}, 502)
        return Response(
            resp.content,
            status_code=resp.status_code,
            media_type=resp.headers.get("content-type", "application/json"),
        )

    async def drain(self, request: Request) -> Response:
        raw = request.query_params.get("ticket", "")
        ticket_id = int(raw) if raw.isdigit() else None
        return JSONResponse(await self.timeline.settle(ticket_id))

    # -- the Upsales side --------------------------------------------------------------

    async def upsales_side(self, request: Request) -> Response:
        tid: int = request.path_params["tid"]
        store = self.freshdesk.store
        ticket = store.ticket(tid)
        if ticket is None:
            return Response(status_code=404)
        requester = store.contact(ticket["requester_id"] or 0) or {}
        answer: dict[str, Any] = {"ticket": tid, "contact": None, "activities": []}
        linked = LinkField().linked_id(fd.Contact.model_validate(requester)) if requester else None
        email = requester.get("email")
        if linked is None and (not email or not is_email(email)):
            return JSONResponse({**answer, "reason": "The requester has no email address."})
        try:
            async with _upsales_api(self.upsales) as api:
                # As the timeline finds it: the requester's link first, then the email.
                found = await _data(api, "/api/v2/contacts", {"id": str(linked)}) if linked else []
                if not found and email and is_email(email):
                    query = {"email": canonical_email(email)}
                    found = await _data(api, "/api/v2/contacts", query)
                if len(found) != 1:
                    reason = (
                        "No Upsales contact has the requester's email address."
                        if not found
                        else "Several Upsales contacts have the requester's email address."
                    )
                    return JSONResponse({**answer, "reason": reason})
                contact = found[0]
                query = {"contact.id": str(contact["id"]), "sort": "-id", "limit": str(ACTIVITIES)}
                listed = await _data(api, "/api/v2/activities", query)
        except UpsalesUnavailable as error:
            return JSONResponse({**answer, "error": str(error)})
        ref = TicketRef(FRESHDESK_HOST, tid, "")
        client = contact.get("client") or {}
        return JSONResponse(
            {
                **answer,
                "contact": {
                    "id": contact["id"],
                    "name": contact.get("name"),
                    "account": client.get("name"),
                },
                "activities": [_shown(a, ref) for a in listed],
            }
        )


class UpsalesUnavailable(Exception):
    """Upsales' API did not answer a list (down, slow or garbled, as the top bar made it)."""


def freshdesk_api(freshdesk: FreshdeskEmulator) -> httpx.AsyncClient:
    """The emulator's API with the demo agent's key, as Freshdesk's own UI acts."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=freshdesk),
        base_url="http://testserver",
        auth=(DEFAULT_KEY, "X"),
    )


def _upsales_api(upsales: UpsalesEmulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=upsales),
        base_url="http://testserver",
        cookies={"token": DEFAULT_TOKEN},
    )


async def _data(api: httpx.AsyncClient, path: str, query: dict[str, str]) -> list[dict[str, Any]]:
    try:
        resp = await api.get(path, params=query)
        data = resp.json()["data"] if resp.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        raise UpsalesUnavailable(f"Upsales did not answer ({type(error).__name__}).") from None
    if not isinstance(data, list):
        raise UpsalesUnavailable(f"Upsales answered {resp.status_code}.")
    return data


def _shown(raw: dict[str, Any], ref: TicketRef) -> dict[str, Any]:
    """One activity as the Upsales side lists it; ``this_ticket``: it is ``ref``'s (by
    its marker, as the card finds it)."""
    activity = us.Activity.model_validate(raw)
    notes = (activity.notes or "").splitlines()
    status = next((line for line in notes if line.startswith(STATUS_LINE)), None)
    kept = timeline_stamp(activity)
    kind = raw.get("activityType") or {}
    return {
        "id": activity.id,
        "type": kind.get("name"),
        "description": without_marker(activity.description),
        "date": raw.get("date"),
        "closed": activity.is_closed,
        "status": status,
        "kept_since": kept.isoformat() if kept else None,
        "this_ticket": ref.logged_in(activity),
    }
