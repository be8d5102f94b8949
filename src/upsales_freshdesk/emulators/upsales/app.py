"""The Upsales v2 emulator: routes, auth, rate limits and the vendor's error bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..base import Emulator
from ..delivery import outbox_routes
from ..ratelimit import WindowLimiter
from ..responses import JSONResponse
from . import appointments, catalogue, sales, shaping, trigger_routes, writes
from .errors import LIMIT, WINDOW, UpsalesError, error_body, shaper
from .firing import Change, Entity, fire
from .query import Index, QueryError, parse_list_query, run
from .store import Record, UpsalesStore
from .writes import SELF_USER_ID

__all__ = [
    "DEFAULT_TOKEN",
    "UpsalesEmulator",
    "UpsalesError",
    "create_upsales_emulator",
    "shaper",
]

DEFAULT_TOKEN = "demo-upsales-token"  # noqa: S105 - the emulator's published demo key
ALIASES = {
    "accounts": {"user": "users"},
    "activities": {"contact": "contacts", "user": "users"},
    "appointments": {"contact": "contacts", "user": "users"},
}
TABLES = ("contacts", "accounts", "orders", "activities", "appointments")
#: Fixed lists, each answered in the list envelope (paths as in the Postman collection).
CATALOGUES: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "products": catalogue.products,
    "orderstages": catalogue.order_stages,
    "customfields/account": catalogue.account_custom_fields,
    # Not in the Postman collection (its "Create appointment type" posts to this path);
    # read live by the MIT-licensed upsales-python-sdk, whose cassette is the fixture
    # activitytypes_activity_live.json.
    "activitytypes/activity": catalogue.activity_types,
}
ORIGINAL_PATH = "upsales.original_path"
Handler = Callable[[Request], Awaitable[Response]]


class UpsalesApi:
    def __init__(self, store: UpsalesStore, limiter: WindowLimiter, tokens: set[str]) -> None:
        self.store, self.limiter, self.tokens = store, limiter, tokens
        self._cache: dict[str, tuple[int, list[dict[str, Any]], Index]] = {}
        # Express routes ignore case unless told otherwise (express.Router
        # "caseSensitive: Disabled by default"); the Postman collection itself spells
        # /todoTypes but /orderstages and /customfields. Paths are matched lower-cased.
        routes = [
            Route("/api/v2/self", self.get_self, methods=["GET"]),
            Route("/api/v2/todotypes", self.get_todo_types, methods=["GET"]),
            Route("/api/v2/users", self.lister("users"), methods=["GET"]),
        ]
        for table in TABLES:
            routes.append(Route(f"/api/v2/{table}", self.lister(table), methods=["GET"]))
            routes.append(
                Route(f"/api/v2/{table}/{{rid:int}}", self.getter(table), methods=["GET"])
            )
        for path in CATALOGUES:
            routes.append(Route(f"/api/v2/{path}", self.catalogue(path), methods=["GET"]))
        for path, method, work in trigger_routes.api_work(store.triggers, self._json_body):
            routes.append(Route(path, self.served(work), methods=[method]))
        routes += [
            Route("/api/v2/contacts", self.create_contact, methods=["POST"]),
            Route("/api/v2/contacts/{rid:int}", self.update_contact, methods=["PUT"]),
            Route("/api/v2/contacts/{rid:int}", self.delete_contact, methods=["DELETE"]),
            Route("/api/v2/accounts", self.create_account, methods=["POST"]),
            Route("/api/v2/accounts/{rid:int}", self.update_account, methods=["PUT"]),
            Route("/api/v2/accounts/{rid:int}", self.delete_account, methods=["DELETE"]),
            Route("/api/v2/activities", self.create_activity, methods=["POST"]),
            Route("/api/v2/activities/{rid:int}", self.update_activity, methods=["PUT"]),
        ]
        handlers: Any = {404: self.not_routed, 405: self.not_routed}
        self.app = Starlette(routes=routes, exception_handlers=handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path != "/" and path.endswith("/"):
                path = path.rstrip("/")  # Express ignores a trailing /
            scope = {**scope, "path": path.lower(), ORIGINAL_PATH: scope["path"]}
        await self.app(scope, receive, send)

    async def not_routed(self, request: Request, exc: Exception) -> Response:
        """Express' own 404 page for anything unrouted (no JSON envelope)."""
        method, path = request.method, request.scope.get(ORIGINAL_PATH, request.url.path)
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Error</title>\n</head>\n<body>\n<pre>Cannot {method} {path}</pre>\n"
            "</body>\n</html>\n"
        )
        resp = HTMLResponse(page, status_code=404)
        if method == "GET":  # recorded: unrouted GETs carry the rate-limit headers, PUTs not
            self._limit_headers(resp, self._token(request) or "")
        return resp

    # -- auth, limits and envelopes ------------------------------------------------------

    @staticmethod
    def _token(request: Request) -> str | None:
        return request.query_params.get("token") or request.cookies.get("token")

    def _limit_headers(self, resp: Response, token: str, decision: Any = None) -> None:
        d = decision or self.limiter.peek(token)
        resp.headers.update(
            {
                "X-RateLimit-Limit": str(d.limit),
                "X-RateLimit-Remaining": str(d.remaining),
                "X-RateLimit-Reset": str(d.reset_in),
            }
        )

    async def _serve(self, request: Request, work: Handler) -> Response:
        token = self._token(request)
        if token not in self.tokens:
            return PlainTextResponse("Unauthorized", status_code=401)
        decision = self.limiter.take(token)
        if not decision.allowed:
            resp = shaper(429, None)
            resp.headers["X-RateLimit-Reset"] = str(decision.reset_in)
            return resp
        try:
            resp = await work(request)
        except UpsalesError as e:
            resp = error_body(e.status, e.key, e.error_code, e.msg)
        except QueryError as e:
            resp = error_body(400, "FailedValidation", 26, str(e))
        self._limit_headers(resp, token, decision)
        return resp

    def served(self, work: Handler) -> Handler:
        """``work`` behind the API's auth, limits and error envelopes."""

        async def handler(request: Request) -> Response:
            return await self._serve(request, work)

        return handler

    def _fired(self, resp: Response, entity: Entity, change: Change, record: Record) -> Response:
        """``resp``, with the web requests of the triggers ``record``'s write sets off
        sent once it has been answered (:mod:`.firing`)."""
        store = self.store
        staged = fire(store.triggers, store.webhooks, store, entity, change, record)
        if staged:
            resp.background = BackgroundTask(store.webhooks.start, staged)
        return resp

    @staticmethod
    def ok(data: Any, **extra: Any) -> JSONResponse:
        return JSONResponse({"error": None, **extra, "data": data})

    async def _json_body(self, request: Request) -> dict[str, Any]:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise UpsalesError(400, "FailedValidation", 26, "Invalid JSON") from None
        if not isinstance(body, dict):
            raise UpsalesError(400, "FailedValidation", 26, "Body must be an object")
        return {k: v.strip() if isinstance(v, str) else v for k, v in body.items()}

    def _shape(self, table: str, record: Record) -> dict[str, Any]:
        if table == "users":
            return shaping.user(record)
        shape: Callable[[UpsalesStore, Record], dict[str, Any]] = {
            "contacts": shaping.contact,
            "accounts": shaping.account,
            "orders": sales.order,
            "activities": sales.activity,
            "appointments": appointments.appointment,
        }[table]
        return shape(self.store, record)

    def _shaped(self, table: str) -> tuple[list[dict[str, Any]], Index]:
        """Every record of ``table`` in its answer shape, and an index over them, cached
        until the next write. Queries only read these, so sharing them is safe.
        """
        cached = self._cache.get(table)
        if cached is None or cached[0] != self.store.version:
            rows = [self._shape(table, r) for r in self.store.all(table)]
            cached = self._cache[table] = (self.store.version, rows, Index(rows))
        return cached[1], cached[2]

    def _found(self, table: str, rid: int) -> Record:
        record = self.store.get(table, rid)
        if record is None:
            raise UpsalesError(404, "NotFound", 7, f"Not found: {table} {rid}")
        return record

    # -- routes ----------------------------------------------------------------------

    def lister(self, table: str) -> Handler:
        async def handler(request: Request) -> Response:
            async def work(req: Request) -> Response:
                query = parse_list_query(req.query_params.multi_items(), ALIASES.get(table))
                rows, index = self._shaped(table)
                total, page = run(rows, query, index)
                meta = {"total": total, "limit": query.limit, "offset": query.offset}
                return self.ok(page, metadata=meta)

            return await self._serve(request, work)

        return handler

    def getter(self, table: str) -> Handler:
        async def handler(request: Request) -> Response:
            async def work(req: Request) -> Response:
                shaped = self._shape(table, self._found(table, req.path_params["rid"]))
                if table == "appointments":
                    shaped = appointments.read_alone(shaped)
                return self.ok(shaped)

            return await self._serve(request, work)

        return handler

    def catalogue(self, path: str) -> Handler:
        async def handler(request: Request) -> Response:
            async def work(req: Request) -> Response:
                query = parse_list_query(req.query_params.multi_items())
                total, page = run(CATALOGUES[path](), query)
                meta = {"total": total, "limit": query.limit, "offset": query.offset}
                return self.ok(page, metadata=meta)

            return await self._serve(request, work)

        return handler

    async def get_self(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            return JSONResponse(
                {"errors": None, "data": shaping.self_info(self.store, SELF_USER_ID)}
            )

        return await self._serve(request, work)

    async def get_todo_types(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            return JSONResponse(shaping.todo_types())

        return await self._serve(request, work)

    async def create_contact(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            body = await self._json_body(req)
            if not isinstance(body.get("client"), dict):
                raise UpsalesError(400, "FailedValidation", 26, "Missing required field: client")
            record: Record = {
                "name": "",
                "email": "",
                "phone": None,
                "cellPhone": None,
                "title": None,
                "notes": None,
                "active": 1,
                "regBy": SELF_USER_ID,
                "journeyStep": "lead",
                "firstName": "",
                "lastName": "",
            }
            split = req.query_params.get("usingFirstnameLastname") in ("true", "")
            writes.apply_contact(self.store, record, body, split)
            record = self.store.insert("contacts", record)
            return self._fired(
                self.ok(shaping.contact(self.store, record)), "contact", "insert", record
            )

        return await self._serve(request, work)

    async def update_contact(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            record = self._found("contacts", req.path_params["rid"])
            body = await self._json_body(req)
            draft = dict(record)
            writes.apply_contact(
                self.store, draft, body, "usingFirstnameLastname" in req.query_params
            )
            record.update(draft)
            self.store.touch(record)
            return self._fired(
                self.ok(shaping.contact(self.store, record)), "contact", "update", record
            )

        return await self._serve(request, work)

    async def delete_contact(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            record = dict(self._found("contacts", req.path_params["rid"]))
            resp = self._fired(JSONResponse({"error": None}), "contact", "delete", record)
            self.store.delete("contacts", record["id"])
            return resp

        return await self._serve(request, work)

    async def create_account(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            record = writes.new_account(self.store, await self._json_body(req))
            record = self.store.insert("accounts", record)
            return self._fired(
                self.ok(shaping.account(self.store, record)), "account", "insert", record
            )

        return await self._serve(request, work)

    async def update_account(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            record = self._found("accounts", req.path_params["rid"])
            draft = dict(record)
            writes.update_account(self.store, draft, await self._json_body(req))
            record.update(draft)
            self.store.touch(record)
            return self._fired(
                self.ok(shaping.account(self.store, record)), "account", "update", record
            )

        return await self._serve(request, work)

    async def delete_account(self, request: Request) -> Response:
        """Postman "Company > Delete company": 200 ``{"error": null}``. Its contacts stay
        (what Upsales does with them is not documented)."""

        async def work(req: Request) -> Response:
            record = dict(self._found("accounts", req.path_params["rid"]))
            resp = self._fired(JSONResponse({"error": None}), "account", "delete", record)
            self.store.delete("accounts", record["id"])
            return resp

        return await self._serve(request, work)

    async def create_activity(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            record = writes.new_activity(self.store, await self._json_body(req))
            return self.ok(sales.activity(self.store, self.store.insert("activities", record)))

        return await self._serve(request, work)

    async def update_activity(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            record = self._found("activities", req.path_params["rid"])
            draft = dict(record)
            writes.update_activity(self.store, draft, await self._json_body(req))
            record.update(draft)
            self.store.touch(record)
            return self.ok(sales.activity(self.store, record))

        return await self._serve(request, work)


#: The Upsales emulator: its store and API are Upsales's own.
UpsalesEmulator: TypeAlias = Emulator[UpsalesStore, UpsalesApi]


def create_upsales_emulator(
    *,
    seed: int = 1,
    tokens: set[str] | None = None,
    store: UpsalesStore | None = None,
    limit: int = LIMIT,
    window: float = WINDOW,
) -> UpsalesEmulator:
    """The Upsales emulator as an ASGI app, with its store, limits and controls."""
    store = store or UpsalesStore(seed)
    limiter = WindowLimiter(limit, window)
    api = UpsalesApi(store, limiter, tokens or {DEFAULT_TOKEN})
    return Emulator(
        name="upsales",
        api=api,
        store=store,
        shaper=shaper,
        limiters=[limiter],
        extra_routes=outbox_routes(store.webhooks),
    )
