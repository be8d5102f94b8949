"""The demo host: a Freshdesk-like ticket page that runs the real Freshworks app.

It serves the app's files unmodified from ``freshworks-app/`` (the platform's
``{{{appclient}}}`` placeholder becomes our FDK stand-in, as ``fdk run`` does), the data
the stand-in's ``client.data.get`` reads, and the relay that plays the platform's
request proxy: the stand-in fills a request template and the relay sends it on, to the
backend only. Case switches (language, an upstream down or slow) go to the emulators.
"""

from __future__ import annotations

import asyncio
import mimetypes
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Receive, Scope, Send

from ..appkit.rules import rules_json
from ..emulators.base import Emulator
from ..emulators.faults import Faults
from ..emulators.freshdesk.app import DEFAULT_KEY, FreshdeskEmulator
from ..emulators.freshdesk.store import FreshdeskStore
from ..emulators.scenarios import SCENARIOS
from ..emulators.upsales.app import DEFAULT_TOKEN, UpsalesEmulator
from ..web.middleware.security_headers import security_headers
from . import vendor

#: The host name the installed app uses for the backend; the relay resolves it locally.
SERVICE_HOST = "upsales-freshdesk.demo.example"
#: The demo backend's service secret, pre-filled in the installation: the app's settings
#: page requires one, as ``serve`` does (made-up, like every key of the demo).
DEMO_SECRET = "demo-service-secret-made-up-for-the-demo"  # noqa: S105
SECURE = ("freshdesk_api_key", "upsales_api_key", "service_secret")
#: What "Edit settings" hands getConfigs() for a stored secure value: "Secure iparams are
#: masked from the view of all app users once the values are saved, ... when editing their
#: values after installation" (https://developers.freshworks.com/docs/app-sdk/v3.0/contact/
#: app-settings/app-installation-page/installation-page). The mask itself is not documented;
#: a 2026 third-party app treats it as asterisks. Saved back unchanged, it keeps the value.
MASK = "********"
MODES = {
    "normal": Faults(),
    "down": Faults(error_rates={503: 1.0}),
    "slow": Faults(latency_ms=3000),
}
RELAY_HEADERS = ("content-type", "x-ratelimit-remaining")
#: invokeTemplate's limits, per app and per account: 50 requests a minute, 15 s each
#: (https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/advanced-interfaces/request-method/,
#: "Request method" > limits; the same in Freshworks' marketplace repo,
#: skills/app-dev/references/api/request-method-docs.md).
REQUESTS_PER_MINUTE = 50
REQUEST_TIMEOUT_S = 15.0
#: The platform's own answers when it does not send a request (its error objects:
#: freshworks-developers/marketplace references/common/fdk-docs/request-method-errors.md).
TOO_MANY = {
    "status": 429,
    "message": "You have exceeded the limit of 50 requests per minute",
    "errorSource": "PLATFORM",
}
TIMED_OUT = {
    "status": 504,
    "message": "Timeout error while processing the request",
    "errorSource": "PLATFORM",
}
TICKET_DATA_FIELDS = (
    "id",
    "subject",
    "description_text",
    "status",
    "priority",
    "requester_id",
    "created_at",
)


def default_iparams() -> dict[str, str]:
    return {
        "freshdesk_domain": "demo.freshdesk.com",
        "freshdesk_api_key": DEFAULT_KEY,
        "upsales_api_key": DEFAULT_TOKEN,
        "service_host": SERVICE_HOST,
        "service_secret": DEMO_SECRET,
        "auto_lookup": "",
    }


def _text(value: object) -> str:
    """An installation value as the platform stores it (a checkbox as "true"/"false")."""
    return str(value).lower() if isinstance(value, bool) else str(value)


#: The agent languages the page offers, as the agent's Freshdesk profile gives them to the
#: app (Norwegian as Freshdesk's ``nb-NO``; the app and the service map each to theirs).
LANGUAGES = ("en", "sv", "nb-NO", "da", "fi")


@dataclass
class DemoState:
    language: str = "en"
    modes: dict[str, str] = field(
        default_factory=lambda: {"freshdesk": "normal", "upsales": "normal"}
    )
    iparams: dict[str, str] = field(default_factory=default_iparams)
    relayed: int = 0
    #: Ticket-sidebar apps start minimised: app.activated fires when the agent opens the
    #: app, app.deactivated when they leave the ticket (the lifecycle methods,
    #: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/app-lifecycle-methods).
    #: False keeps the app open on every ticket (activated on each), for tests of the card.
    minimised: bool = True


class DemoHost:
    def __init__(
        self,
        app_dir: Path,
        backend: httpx.AsyncBaseTransport,
        freshdesk: FreshdeskEmulator,
        upsales: UpsalesEmulator,
        *,
        base_latency_ms: float = 0,
        local_crayons: bool = True,
        minimised: bool = True,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
        request_timeout_s: float = REQUEST_TIMEOUT_S,
        extra_routes: Sequence[BaseRoute] = (),
        on_reset: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.app_dir = app_dir
        self.backend = backend
        self.emulators: dict[str, Emulator[Any, Any]] = {
            "freshdesk": freshdesk,
            "upsales": upsales,
        }
        self._fd: FreshdeskStore = freshdesk.store
        #: Tickets above the seed's last id were made on the page: listed first.
        self.seeded = max((t["id"] for t in self._fd.tickets_list()), default=0)
        #: What else a reset must redo (the timeline's rules), after the emulators'.
        self.on_reset = on_reset
        self.base_latency_ms = base_latency_ms
        #: Serve Crayons from the local copy (the demo); False keeps the CDN URLs (tests).
        self.local_crayons = local_crayons
        self.crayons = vendor.crayons_dir()
        self.minimised = minimised
        self.requests_per_minute = requests_per_minute
        self.request_timeout_s = request_timeout_s
        #: When each of the last minute's requests went out (one app, one account).
        self.sent: deque[float] = deque()
        self.state = DemoState(minimised=minimised)
        self.static = resources.files(__package__).joinpath("static")
        self.headers = {
            **security_headers(["'self'"]),
            # The app's pages may load Crayons from jsDelivr (as on the platform); its
            # components set their styles from script.
            "Content-Security-Policy": (
                f"default-src 'self'; script-src 'self' blob: {vendor.CDN_ORIGIN}; "
                f"style-src 'self' 'unsafe-inline' {vendor.CDN_ORIGIN}; "
                f"font-src 'self' {vendor.CDN_ORIGIN}; connect-src 'self' {vendor.CDN_ORIGIN}; "
                "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
            ),
        }
        self.app = Starlette(
            routes=[
                Route("/", self.page("index.html")),
                Route("/install", self.page("install.html")),
                Route("/_demo/static/{name}", self.demo_static),
                Route("/app/{path:path}", self.app_file),
                Route("/config/{path:path}", self.config_file),
                Route("/_fdk/client.js", self.fdk_client),
                Route("/_fdk/requests.json", self.request_templates),
                Route("/_fdk/rules.json", self.template_rules),
                Route("/_vendor/crayons/{path:path}", self.crayons_file),
                Route("/_fdk/relay", self.relay, methods=["POST"]),
                Route("/_demo/state", self.get_state),
                Route("/_demo/state", self.set_state, methods=["POST"]),
                Route("/_demo/iparams", self.get_iparams),
                Route("/_demo/iparams", self.set_iparams, methods=["POST"]),
                Route("/_demo/configs", self.get_configs),
                Route("/_demo/tickets", self.tickets),
                Route("/_demo/tickets/{tid:int}", self.ticket),
                Route("/_demo/data/page", self.page_data),
                Route("/_demo/data/{tid:int}", self.data),
                *extra_routes,
            ]
        )
        self.apply_modes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = [(k, v) for k, v in message.get("headers", [])]
                raw += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)

    # -- files -----------------------------------------------------------------------

    def page(self, name: str) -> Any:
        async def serve(request: Request) -> Response:
            return HTMLResponse(self.static.joinpath(name).read_text("utf-8"))

        return serve

    async def demo_static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in {"demo.js", "desk.js", "demo.css", "install.js", "fdk-client.js"}:
            return Response(status_code=404)
        media = "text/css" if name.endswith(".css") else "text/javascript"
        return Response(self.static.joinpath(name).read_text("utf-8"), media_type=media)

    def _file(self, folder: str, rel: str) -> Response:
        base = (self.app_dir / folder).resolve()
        target = (base / rel).resolve()
        if base not in target.parents or not target.is_file():
            return Response(status_code=404)
        if target.suffix == ".html":  # what `fdk run` does with the client placeholder
            text = target.read_text("utf-8").replace("{{{appclient}}}", "/_fdk/client.js")
            return HTMLResponse(vendor.to_local(text) if self.local_crayons else text)
        media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return FileResponse(target, media_type=media)

    async def app_file(self, request: Request) -> Response:
        return self._file("app", request.path_params["path"])

    async def config_file(self, request: Request) -> Response:
        rel = request.path_params["path"]
        if rel == "requests.json":
            return Response(status_code=404)  # the front end never reads the templates
        return self._file("config", rel)

    async def fdk_client(self, request: Request) -> Response:
        return Response(
            self.static.joinpath("fdk-client.js").read_text("utf-8"), media_type="text/javascript"
        )

    async def template_rules(self, request: Request) -> Response:
        """Where each placeholder may stand: the validator's own definition."""
        return JSONResponse(rules_json())

    async def crayons_file(self, request: Request) -> Response:
        target = vendor.vendor_file(self.crayons, request.path_params["path"])
        if target is None:
            return Response(status_code=404)
        media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".js", ".mjs"):
            media = "text/javascript"
        return FileResponse(target, media_type=media)

    async def request_templates(self, request: Request) -> Response:
        return Response(
            (self.app_dir / "config" / "requests.json").read_bytes(), media_type="application/json"
        )

    # -- state -----------------------------------------------------------------------

    def apply_modes(self) -> None:
        for name, emulator in self.emulators.items():
            faults = MODES[self.state.modes[name]]
            if self.base_latency_ms and not faults.latency_ms:
                faults = faults.model_copy(update={"latency_ms": self.base_latency_ms})
            emulator.faults.set(faults)

    async def get_state(self, request: Request) -> Response:
        return JSONResponse(
            {
                "language": self.state.language,
                "modes": self.state.modes,
                "relayed": self.state.relayed,
                "minimised": self.state.minimised,
                "installed": {
                    k: ("•••" if k in SECURE and v else v) for k, v in self.state.iparams.items()
                },
            }
        )

    async def set_state(self, request: Request) -> Response:
        body = await request.json()
        if body.get("language") in LANGUAGES:
            self.state.language = body["language"]
        for name in ("freshdesk", "upsales"):
            if body.get(name) in MODES:
                self.state.modes[name] = body[name]
        if body.get("reset"):
            for emulator in self.emulators.values():
                emulator.reset()
            if self.on_reset is not None:
                await self.on_reset()
            self.sent.clear()
            self.state = DemoState(language=self.state.language, minimised=self.minimised)
        if isinstance(body.get("minimised"), bool):
            self.state.minimised = body["minimised"]
        self.apply_modes()
        return await self.get_state(request)

    async def get_iparams(self, request: Request) -> Response:
        """The saved installation values, read by the FDK stand-in (the platform keeps
        secure ones server-side; the app's own code never sees them)."""
        return JSONResponse({"iparams": self.state.iparams, "secure": list(SECURE)})

    async def get_configs(self, request: Request) -> Response:
        """What the platform hands the settings page's getConfigs() on "Edit settings"."""
        return JSONResponse(
            {k: (MASK if k in SECURE and v else v) for k, v in self.state.iparams.items()}
        )

    async def set_iparams(self, request: Request) -> Response:
        body = await request.json()
        saved = self.state.iparams
        self.state.iparams = {
            k: saved.get(k, "") if k in SECURE and body.get(k) == MASK else _text(body.get(k, ""))
            for k in default_iparams()
        }
        return JSONResponse({"ok": True})

    # -- Freshdesk data (what the ticket page and client.data.get show) -------------

    async def tickets(self, request: Request) -> Response:
        scenario_of = {s.ticket_id: s.key for s in SCENARIOS.values()}
        rows = []
        made = [t for t in self._fd.tickets_list() if t["id"] > self.seeded]
        for t in [*reversed(made), *self._fd.tickets_list(limit=40)]:
            requester = self._fd.contact(t["requester_id"]) or {}
            rows.append(
                {
                    "id": t["id"],
                    "subject": t["subject"],
                    "requester": requester.get("name"),
                    "scenario": scenario_of.get(t["id"]),
                    "status": t["status"],
                }
            )
        return JSONResponse(rows)

    async def ticket(self, request: Request) -> Response:
        tid = request.path_params["tid"]
        t = self._fd.ticket(tid)
        if t is None:
            return Response(status_code=404)
        requester = self._fd.contact(t["requester_id"]) or {}
        return JSONResponse(
            {
                "id": tid,
                "subject": t["subject"],
                "description_text": t["description_text"],
                "created_at": t["created_at"],
                "status": t["status"],
                "priority": t["priority"],
                "requester": {"name": requester.get("name"), "email": requester.get("email")},
                "conversations": [
                    {
                        "body_text": n["body_text"],
                        "private": n["private"],
                        "created_at": n["created_at"],
                    }
                    for n in self._fd.notes(tid)
                ],
            }
        )

    def everywhere(self) -> dict[str, Any]:
        """What ``client.data.get`` gives on every page, the settings page included:
        ``currentHost`` and ``loggedInUser`` ("Data objects accessible from all pages",
        https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/data-method/;
        the custom settings page reads ``currentHost`` itself,
        https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/app-settings/custom-app-settings).
        """
        me = self._fd.current_agent()
        agent = me["contact"]
        return {
            "loggedInUser": {
                "id": me["id"],
                "contact": {
                    "name": agent["name"],
                    "email": agent["email"],
                    "language": self.state.language,
                    "time_zone": agent["time_zone"],
                },
            },
            "currentHost": {
                "subscribed_modules": ["support_ticket"],
                "endpoint_urls": {"freshdesk": "https://demo.freshdesk.com"},
            },
        }

    async def page_data(self, request: Request) -> Response:
        """The data API off a ticket (the settings page): the objects of every page only."""
        return JSONResponse(self.everywhere())

    async def data(self, request: Request) -> Response:
        """Everything ``client.data.get`` gives on a ticket page, as the platform shapes it."""
        tid = request.path_params["tid"]
        t = self._fd.ticket(tid)
        if t is None:
            return Response(status_code=404)
        c = self._fd.contact(t["requester_id"]) or {}
        company = self._fd.company(c.get("company_id") or 0)
        requester = {k: c.get(k) for k in ("id", "name", "email", "phone", "mobile")}
        return JSONResponse(
            {
                "ticket": {k: t.get(k) for k in TICKET_DATA_FIELDS},
                "requester": requester,
                "contact": requester,
                "company": {"id": company["id"], "name": company["name"]} if company else None,
                **self.everywhere(),
            }
        )

    # -- the platform's request proxy ------------------------------------------------

    async def relay(self, request: Request) -> Response:
        """Send a filled request template on, as the platform's proxy does.

        Only https and only the backend's host are served: anything else fails like the
        platform's "Error in establishing connection".
        """
        spec = await request.json()
        if spec.get("protocol") != "https" or spec.get("host") != SERVICE_HOST:
            return JSONResponse(
                {
                    "status": 502,
                    "message": "Error in establishing connection",
                    "errorSource": "PLATFORM",
                },
                status_code=200,
            )
        if not self.take_a_request():
            return JSONResponse(TOO_MANY)
        self.state.relayed += 1
        async with httpx.AsyncClient(
            transport=self.backend, base_url="https://backend", timeout=self.request_timeout_s
        ) as client:
            try:
                # The whole request within the platform's timeout (an in-process transport
                # honours no httpx timeout).
                resp = await asyncio.wait_for(
                    client.request(
                        spec.get("method", "GET"),
                        spec.get("path", "/"),
                        params=spec.get("query"),
                        headers=spec.get("headers") or {},
                        content=(spec.get("body") or "").encode(),
                    ),
                    timeout=self.request_timeout_s,
                )
            except (httpx.TimeoutException, TimeoutError):
                return JSONResponse(TIMED_OUT)
        headers = {k: v for k, v in resp.headers.items() if k.lower() in RELAY_HEADERS}
        return JSONResponse({"status": resp.status_code, "headers": headers, "response": resp.text})

    def take_a_request(self) -> bool:
        """One of the minute's requests, or False when the app has had its 50: a refused
        one is never sent, and does not count."""
        now = time.monotonic()
        while self.sent and now - self.sent[0] >= 60:
            self.sent.popleft()
        if len(self.sent) >= self.requests_per_minute:
            return False
        self.sent.append(now)
        return True
