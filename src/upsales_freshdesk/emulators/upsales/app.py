"""The Upsales v2 emulator: routes, auth, rate limits and the vendor's error bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..base import Emulator
from ..ratelimit import WindowLimiter
from ..seed import TODO_TYPES
from . import shaping
from .query import Index, QueryError, parse_list_query, run
from .store import Record, UpsalesStore

DEFAULT_TOKEN = "demo-upsales-token"  # noqa: S105 - the emulator's published demo key
SELF_USER_ID = 12
LIMIT, WINDOW = 200, 10.0
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ALIASES = {
    "accounts": {"user": "users"},
    "activities": {"contact": "contacts", "user": "users"},
}
CONTACT_FIELDS = (
    "name",
    "firstName",
    "lastName",
    "email",
    "phone",
    "cellPhone",
    "title",
    "notes",
    "linkedin",
    "active",
)
ACCOUNT_FIELDS = ("name", "phone", "webpage", "orgNo", "journeyStep", "active")
Handler = Callable[[Request], Awaitable[Response]]


class UpsalesError(Exception):
    def __init__(self, status: int, key: str, error_code: int, msg: str) -> None:
        self.status, self.key, self.error_code, self.msg = status, key, error_code, msg


def error_body(status: int, key: str, error_code: int, msg: str) -> JSONResponse:
    """The observed envelope: ``{"error": {key, code, errorCode, msg}, "metadata": null}``."""
    content = {
        "error": {"key": key, "code": status, "errorCode": error_code, "msg": msg},
        "metadata": None,
    }
    return JSONResponse(content, status_code=status)


def shaper(status: int, retry_after: float | None) -> Response:
    """Upsales' answer for an injected fault status."""
    if status == 429:
        resp = error_body(429, "ThrottleLimit", 4, "Too many requests")
        resp.headers.update({"X-RateLimit-Limit": str(LIMIT), "X-RateLimit-Remaining": "0"})
        if retry_after is not None:
            resp.headers["X-RateLimit-Reset"] = str(int(retry_after))
        return resp
    if status == 401:
        return PlainTextResponse("Unauthorized", status_code=401)
    if status == 404:
        return error_body(404, "NotFound", 7, "Not found")
    if status >= 500:
        return error_body(status, "ServerError", 3, "Server error")
    return error_body(status, "FailedValidation", 26, "Failed validation")


class UpsalesApi:
    def __init__(self, store: UpsalesStore, limiter: WindowLimiter, tokens: set[str]) -> None:
        self.store, self.limiter, self.tokens = store, limiter, tokens
        self._cache: dict[str, tuple[int, list[dict[str, Any]], Index]] = {}
        routes = [
            Route("/api/v2/self", self.get_self, methods=["GET"]),
            Route("/api/v2/todoTypes", self.get_todo_types, methods=["GET"]),
            Route("/api/v2/users", self.lister("users"), methods=["GET"]),
        ]
        for table in ("contacts", "accounts", "orders", "activities"):
            routes.append(Route(f"/api/v2/{table}", self.lister(table), methods=["GET"]))
            routes.append(
                Route(f"/api/v2/{table}/{{rid:int}}", self.getter(table), methods=["GET"])
            )
        routes += [
            Route("/api/v2/contacts", self.create_contact, methods=["POST"]),
            Route("/api/v2/contacts/{rid:int}", self.update_contact, methods=["PUT"]),
            Route("/api/v2/contacts/{rid:int}", self.delete_contact, methods=["DELETE"]),
            Route("/api/v2/accounts", self.create_account, methods=["POST"]),
            Route("/api/v2/activities", self.create_activity, methods=["POST"]),
        ]
        handlers: Any = {404: self.not_routed, 405: self.not_routed}
        self.app = Starlette(routes=routes, exception_handlers=handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != "/" and scope["path"].endswith("/"):
            scope = {**scope, "path": scope["path"].rstrip("/")}  # Express ignores a trailing /
        await self.app(scope, receive, send)

    async def not_routed(self, request: Request, exc: Exception) -> Response:
        """Express' own 404 page for anything unrouted (no JSON envelope)."""
        method, path = request.method, request.url.path
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
            "orders": shaping.order,
            "activities": shaping.activity,
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
                return self.ok(self._shape(table, self._found(table, req.path_params["rid"])))

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

    def _apply_contact(self, record: Record, body: dict[str, Any], split: bool) -> None:
        for key in CONTACT_FIELDS:
            if key in body:
                record[key] = body[key]
        email = record.get("email")
        if email and not EMAIL_RE.match(str(email)):
            raise UpsalesError(400, "FailedValidation", 26, "Invalid email")
        if split or (("firstName" in body or "lastName" in body) and "name" not in body):
            record["name"] = (
                f"{record.get('firstName') or ''} {record.get('lastName') or ''}".strip()
            )
        elif "name" in body:
            first, _, last = str(body["name"] or "").rpartition(" ")
            record["firstName"], record["lastName"] = (first, last) if first else (last, "")
        if "client" in body:
            client_id = (
                (body["client"] or {}).get("id") if isinstance(body["client"], dict) else None
            )
            if not isinstance(client_id, int) or self.store.get("accounts", client_id) is None:
                raise UpsalesError(400, "FailedValidation", 26, "No such client")
            record["client"] = client_id

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
            self._apply_contact(record, body, split)
            return self.ok(shaping.contact(self.store, self.store.insert("contacts", record)))

        return await self._serve(request, work)

    async def update_contact(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            record = self._found("contacts", req.path_params["rid"])
            body = await self._json_body(req)
            draft = dict(record)
            self._apply_contact(draft, body, "usingFirstnameLastname" in req.query_params)
            record.update(draft)
            self.store.touch(record)
            return self.ok(shaping.contact(self.store, record))

        return await self._serve(request, work)

    async def delete_contact(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            self._found("contacts", req.path_params["rid"])
            self.store.delete("contacts", req.path_params["rid"])
            return JSONResponse({"error": None})

        return await self._serve(request, work)

    async def create_account(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            body = await self._json_body(req)
            if not body.get("name"):
                raise UpsalesError(400, "FailedValidation", 26, "Missing required field: name")
            users = [
                u["id"]
                for u in body.get("users", [])
                if isinstance(u, dict)
                and isinstance(u.get("id"), int)
                and self.store.get("users", u["id"]) is not None
            ]
            record: Record = {k: body.get(k) for k in ACCOUNT_FIELDS}
            record.update(
                active=1,
                users=users,
                regBy=SELF_USER_ID,
                addresses=[],
                journeyStep=body.get("journeyStep") or "lead",
            )
            return self.ok(shaping.account(self.store, self.store.insert("accounts", record)))

        return await self._serve(request, work)

    async def create_activity(self, request: Request) -> Response:
        async def work(req: Request) -> Response:
            body = await self._json_body(req)
            type_id = (body.get("activityType") or {}).get("id")
            if type_id not in {t for t, _, _ in TODO_TYPES.values()}:
                raise UpsalesError(400, "FailedValidation", 26, "Invalid activityType")
            if not body.get("description"):
                raise UpsalesError(
                    400, "FailedValidation", 26, "Missing required field: description"
                )
            client = body.get("client") or {}
            if client and (
                not isinstance(client.get("id"), int)
                or self.store.get("accounts", client["id"]) is None
            ):
                raise UpsalesError(400, "FailedValidation", 26, "No such client")
            record: Record = {
                "description": body["description"],
                "notes": body.get("notes"),
                "date": body.get("date"),
                "closeDate": _close_date(body.get("closeDate")),
                "client": client.get("id"),
                "activityType": type_id,
                "regBy": SELF_USER_ID,
                "contacts": [c["id"] for c in body.get("contacts", []) if isinstance(c, dict)],
                "users": [u["id"] for u in body.get("users", []) if isinstance(u, dict)]
                or [SELF_USER_ID],
                "priority": body.get("priority", 0),
            }
            return self.ok(shaping.activity(self.store, self.store.insert("activities", record)))

        return await self._serve(request, work)


def _close_date(value: Any) -> str | None:
    """``"2021-09-29"`` comes back as midnight Stockholm in UTC: ``2021-09-28T22:00:00Z``."""
    if not value:
        return None
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        raise UpsalesError(400, "FailedValidation", 26, "Invalid closeDate") from None
    try:
        zone: Any = ZoneInfo("Europe/Stockholm")
    except ZoneInfoNotFoundError:
        zone = UTC
    return datetime.combine(day, time(0), zone).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_upsales_emulator(
    *,
    seed: int = 1,
    tokens: set[str] | None = None,
    store: UpsalesStore | None = None,
    limit: int = LIMIT,
    window: float = WINDOW,
) -> Emulator:
    """The Upsales emulator as an ASGI app, with its store, limits and controls."""
    store = store or UpsalesStore(seed)
    limiter = WindowLimiter(limit, window)
    api = UpsalesApi(store, limiter, tokens or {DEFAULT_TOKEN})
    return Emulator(name="upsales", api=api, store=store, shaper=shaper, limiters=[limiter])
