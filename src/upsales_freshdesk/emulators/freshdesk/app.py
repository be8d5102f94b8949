"""The Freshdesk v2 emulator: routes, auth and per-plan rate limits."""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeAlias

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..base import Emulator
from ..ratelimit import Clock, Decision, WindowLimiter
from ..responses import JSONResponse
from ..seed import SCENARIOS
from . import search, tickets, triggers
from .control import control_routes
from .limits import WINDOW_SECONDS, Endpoint, PlanLimits, parse_plan
from .people import agent_record, autocomplete
from .rulebook import UPDATES
from .rules import FreshdeskError, check_contact, found, json_body, paged, validation
from .store import CONTACT_DEFAULTS, FreshdeskStore, now_iso
from .write_routes import answer, write_routes

DEFAULT_KEY = "demo-freshdesk-key"
DEFAULT_DOMAIN = "demo"
SEARCH_PAGE_SIZE, SEARCH_MAX_PAGE = 30, 10
Work = Callable[["FreshdeskApi", Request], Awaitable[Response]]
Now = Callable[[], datetime]
RouteFn = Callable[[Any, Request], Awaitable[Response]]


def shaper(status: int, retry_after: float | None) -> Response:
    """Freshdesk's answer for an error status (also used for injected faults)."""
    if status == 429:
        message = {"message": "You have exceeded the limit of requests per minute"}
        resp = JSONResponse(message, status_code=429)
        if retry_after is not None:
            resp.headers["Retry-After"] = str(int(retry_after))
        return resp
    if status == 401:
        body = {
            "code": "invalid_credentials",
            "message": "You have to be logged in to perform this action.",
        }
        return JSONResponse(body, status_code=401)
    if status >= 500:
        body = {"code": "internal_error", "message": "We're sorry, but something went wrong."}
        return JSONResponse(body, status_code=status)
    return Response(status_code=status)


def served(endpoint: Endpoint | None = None) -> Callable[[Work], RouteFn]:
    """Run a route through rate limiting, auth and error shaping.

    ``endpoint`` names the route's own sub-limit, where Freshdesk documents one.
    """

    def decorate(work: Work) -> RouteFn:
        @wraps(work)
        async def route(self: FreshdeskApi, request: Request) -> Response:
            return await self.serve(request, lambda r: work(self, r), endpoint=endpoint)

        return route

    return decorate


class FreshdeskApi:
    def __init__(
        self,
        store: FreshdeskStore,
        *,
        keys: set[str],
        limits: PlanLimits,
        window: float,
        clock: Clock,
        now: Now,
        domain: str = DEFAULT_DOMAIN,
    ) -> None:
        self.store, self.keys, self.now, self.domain = store, keys, now, domain
        self.limiter = WindowLimiter(limits.per_minute, window, clock)
        store.webhooks.limiter = self.limiter  # webhook calls spend the account's limit
        #: One limiter per endpoint with a documented sub-limit, each its own budget.
        self.endpoint_limiters: dict[Endpoint, WindowLimiter] = {
            name: WindowLimiter(n, window, clock) for name, n in limits.per_endpoint.items()
        }
        r = "/api/v2"
        routes = [
            Route(f"{r}/tickets", self.list_tickets, methods=["GET"]),
            Route(f"{r}/tickets/{{tid:int}}", self.get_ticket, methods=["GET"]),
            Route(f"{r}/tickets/{{tid:int}}/conversations", self.conversations, methods=["GET"]),
            Route(f"{r}/tickets/{{tid:int}}/notes", self.create_note, methods=["POST"]),
            Route(f"{r}/contacts", self.list_contacts, methods=["GET"]),
            Route(f"{r}/contacts/autocomplete", self.autocomplete, methods=["GET"]),
            Route(f"{r}/contacts", self.create_contact, methods=["POST"]),
            Route(f"{r}/contacts/{{cid:int}}", self.get_contact, methods=["GET"]),
            Route(f"{r}/contacts/{{cid:int}}", self.update_contact, methods=["PUT"]),
            Route(f"{r}/search/contacts", self.search_contacts, methods=["GET"]),
            Route(f"{r}/companies", self.list_companies, methods=["GET"]),
            Route(f"{r}/companies/{{cid:int}}", self.get_company, methods=["GET"]),
            Route(f"{r}/agents", self.list_agents, methods=["GET"]),
            Route(f"{r}/agents/me", self.agents_me, methods=["GET"]),
            Route(f"{r}/agents/{{aid:int}}", self.get_agent, methods=["GET"]),
            *write_routes(self),
        ]
        not_found: Any = {404: self.no_route, 405: self.no_route}
        self.app = Starlette(routes=routes, exception_handlers=not_found)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def no_route(self, request: Request, exc: Exception) -> Response:
        async def missing(_: Request) -> Response:
            raise FreshdeskError(404)

        return await self.serve(request, missing)

    def _authorised(self, request: Request) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return decoded.partition(":")[0] in self.keys  # "key:X" or a bare "key"

    async def serve(
        self,
        request: Request,
        work: Callable[[Request], Awaitable[Response]],
        *,
        endpoint: Endpoint | None = None,
    ) -> Response:
        decision = self._admit(request, endpoint)
        if not decision.allowed:
            resp = shaper(429, decision.reset_in)
        elif not self._authorised(request):
            resp = shaper(401, None)
        else:
            try:
                resp = await work(request)
            except FreshdeskError as e:
                resp = (
                    Response(status_code=e.status)
                    if e.body is None
                    else JSONResponse(e.body, status_code=e.status)
                )
        resp.headers.update(
            {
                "X-RateLimit-Total": str(decision.limit),
                "X-RateLimit-Remaining": str(decision.remaining),
                "X-RateLimit-Used-CurrentRequest": str(decision.used),
                "X-Request-Id": str(uuid.uuid4()),
            }
        )
        return resp

    def _admit(self, request: Request, endpoint: Endpoint | None) -> Decision:
        """Spend from the endpoint's sub-limit (if any), then from the account's."""
        includes = [i for i in request.query_params.get("include", "").split(",") if i]
        path, cost = request.url.path, 1
        if path.startswith("/api/v2/tickets/"):
            cost += len(includes)  # "Each include will consume an additional API credit"
        elif path.rstrip("/") == "/api/v2/tickets":
            cost += 2 * len(includes)  # list: "Each include consumes an additional 2 credits"
        # Invalid calls count too; a refused call costs nothing.
        sub = self.endpoint_limiters.get(endpoint) if endpoint else None
        decision = sub.take("account") if sub else None
        if decision is None or decision.allowed:
            decision = self.limiter.take("account", cost)
        return decision

    _body = staticmethod(json_body)
    _found = staticmethod(found)

    # -- routes ----------------------------------------------------------------------

    @served()
    async def agents_me(self, request: Request) -> Response:
        return JSONResponse(agent_record(self.store))

    @served()
    async def get_agent(self, request: Request) -> Response:
        # Vendor "View an Agent" (GET /api/v2/agents/[id]): the agent object, as in the
        # list; an id of no agent is the API's 404. The emulator's account has one agent.
        agent = agent_record(self.store)
        if request.path_params["aid"] != agent["id"]:
            raise FreshdeskError(404)
        return JSONResponse(agent)

    @served()
    async def list_agents(self, request: Request) -> Response:
        # A bare array of agent objects, paged like tickets (vendor "List All Agents").
        return paged(request, [agent_record(self.store)])

    @served()
    async def get_ticket(self, request: Request) -> Response:
        wanted = tickets.includes(request.query_params, tickets.INCLUDES)
        # A deleted or spam ticket is still shown, with deleted/spam true (Freshdesk's
        # ticket API scopes 'show' to every ticket).
        ticket = self.store.tickets.get(request.path_params["tid"])
        if ticket is None:
            raise FreshdeskError(404)
        return JSONResponse(tickets.embed(self.store, ticket, wanted))

    @served("tickets_list")
    async def list_tickets(self, request: Request) -> Response:
        return paged(request, tickets.listed(self.store, request.query_params, self.now()))

    @served()
    async def conversations(self, request: Request) -> Response:
        tid = request.path_params["tid"]
        self._found(self.store.tickets, tid)
        return paged(request, self.store.conversations.get(tid, []))

    @served()
    async def create_note(self, request: Request) -> Response:
        tid = request.path_params["tid"]
        self._found(self.store.tickets, tid)
        body = await self._body(request)
        if not isinstance(body.get("body"), str) or not body["body"].strip():
            raise validation("body", "It should be a/an String", "missing_field")
        private = body.get("private", True)
        if not isinstance(private, bool):
            raise validation("private", "It should be a/an Boolean", "datatype_mismatch")
        notify = body.get("notify_emails", [])
        if not isinstance(notify, list) or not all(isinstance(e, str) for e in notify):
            raise validation("notify_emails", "It should be a/an Array", "datatype_mismatch")
        note = self.store.add_note(tid, body["body"], private)
        kind = "private" if private else "public"
        ticket = self.store.tickets[tid]
        staged = triggers.fire(self.store, ticket, type_id=UPDATES, domain=self.domain, note=kind)
        # The note sample answers with notified_to (vendor "Create a Note").
        return answer(self.store, {**note, "notified_to": notify}, 201, staged)

    @served("contacts_list")
    async def list_contacts(self, request: Request) -> Response:
        q = request.query_params
        rows = [c for c in self.store.contacts.values() if not c["deleted"]]
        if "email" in q:
            ids = {c["id"] for c in self.store.contacts_with_email(q["email"])}
            rows = [c for c in rows if c["id"] in ids]
        for key in ("phone", "mobile", "unique_external_id"):
            if key in q:
                rows = [c for c in rows if c.get(key) == q[key]]
        if "company_id" in q:
            rows = [c for c in rows if str(c.get("company_id")) == q["company_id"]]
        if "state" in q:
            want = {"verified": True, "unverified": False}.get(q["state"])
            if want is None:
                raise validation(
                    "state",
                    "It should be one of these values: 'verified,unverified,blocked,deleted'",
                    "invalid_value",
                )
            rows = [c for c in rows if c["active"] is want]
        if since := q.get("_updated_since"):
            moment = tickets.parse_time(since, "_updated_since")
            rows = [c for c in rows if tickets.parse_time(c["updated_at"], "updated_at") >= moment]
        rows.sort(key=lambda c: (c["updated_at"], c["id"]))  # oldest-updated first
        return paged(request, rows)

    @served()
    async def get_contact(self, request: Request) -> Response:
        return JSONResponse(self._found(self.store.contacts, request.path_params["cid"]))

    @served()
    async def create_contact(self, request: Request) -> Response:
        body = await self._body(request)
        check_contact(self.store, body, None)
        now = now_iso()
        contact = {
            **CONTACT_DEFAULTS,
            **body,
            "id": self.store.next_contact_id(),
            "created_at": now,
            "updated_at": now,
        }
        self.store.contacts[contact["id"]] = contact
        return JSONResponse(contact, status_code=201)

    @served()
    async def update_contact(self, request: Request) -> Response:
        contact = self._found(self.store.contacts, request.path_params["cid"])
        body = await self._body(request)
        check_contact(self.store, body, contact)
        if isinstance(body.get("custom_fields"), dict):  # only the custom fields named change
            body = {**body, "custom_fields": {**contact["custom_fields"], **body["custom_fields"]}}
        contact.update(body, updated_at=now_iso())
        return JSONResponse(contact)

    @served()
    async def autocomplete(self, request: Request) -> Response:
        term = request.query_params.get("term", "").strip()
        if not term:
            raise validation("term", "It should be a/an String", "missing_field")
        return JSONResponse(autocomplete(self.store, term))

    @served()
    async def search_contacts(self, request: Request) -> Response:
        try:
            pred = search.parse(request.query_params.get("query", ""))
            page = int(request.query_params.get("page", "1"))
        except (search.SearchError, ValueError) as e:
            raise validation("query", str(e) or "invalid", "invalid_value") from None
        if not 1 <= page <= SEARCH_MAX_PAGE:
            raise validation(
                "page",
                f"It should be a Positive Number less than or equal to {SEARCH_MAX_PAGE}",
                "invalid_value",
            )
        hits = [c for c in self.store.contacts.values() if not c["deleted"] and pred(c)]
        start = (page - 1) * SEARCH_PAGE_SIZE
        return JSONResponse({"results": hits[start : start + SEARCH_PAGE_SIZE], "total": len(hits)})

    @served()
    async def list_companies(self, request: Request) -> Response:
        rows = sorted(self.store.companies.values(), key=lambda c: c["id"])
        return paged(request, rows)

    @served()
    async def get_company(self, request: Request) -> Response:
        return JSONResponse(self._found(self.store.companies, request.path_params["cid"]))


#: The Freshdesk emulator: its store and API are Freshdesk's own.
FreshdeskEmulator: TypeAlias = Emulator[FreshdeskStore, FreshdeskApi]


def create_freshdesk_emulator(
    *,
    seed: int = 1,
    keys: set[str] | None = None,
    plan: str | int = "pro",
    store: FreshdeskStore | None = None,
    window: float = WINDOW_SECONDS,
    clock: Clock = time.monotonic,
    now: Now | None = None,
    domain: str = DEFAULT_DOMAIN,
) -> FreshdeskEmulator:
    """The Freshdesk emulator as an ASGI app.

    ``plan`` is a plan name or calls/min (see :func:`.limits.parse_plan`); ``window``
    and ``clock`` let tests shorten or drive the rate-limit window. ``now`` (the wall
    clock by default) anchors the ticket list's default 30-day window. ``domain`` is
    the helpdesk's (``{{ticket.url}}`` names it). Webhook calls go out through
    ``emulator.store.webhooks`` (see :mod:`.webhooks`).
    """
    store = store or FreshdeskStore(seed)
    api = FreshdeskApi(
        store,
        keys=keys or {DEFAULT_KEY},
        limits=parse_plan(plan),
        window=window,
        clock=clock,
        now=now or (lambda: datetime.now(UTC)),
        domain=domain,
    )

    async def scenarios(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "key": s.key,
                    "ticket_id": s.ticket_id,
                    "email": s.email,
                    "description": s.description,
                }
                for s in SCENARIOS.values()
            ]
        )

    return Emulator(
        name="freshdesk",
        api=api,
        store=store,
        shaper=shaper,
        limiters=[api.limiter, *api.endpoint_limiters.values()],
        extra_routes=[
            Route("/_emulator/scenarios", scenarios, methods=["GET"]),
            *control_routes(store),
        ],
    )
