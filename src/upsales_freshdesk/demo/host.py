"""The demo host: a Freshdesk-like ticket page that runs the real Freshworks app.

It serves the app's files unmodified from ``freshworks-app/`` (the platform's
``{{{appclient}}}`` placeholder becomes our FDK stand-in, as ``fdk run`` does), the
ticket list and ticket the page shows, and the demo's switches: language, an upstream
down or slow (through the emulators), the app minimised, a reset. What the platform
itself gives the app (the installation, the data API, the request proxy) is
``platform.py``'s; the host routes the stand-in's calls to it.
"""

from __future__ import annotations

import mimetypes
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
from ..emulators.freshdesk.app import FreshdeskEmulator
from ..emulators.freshdesk.store import FreshdeskStore
from ..emulators.scenarios import SCENARIOS
from ..emulators.upsales.app import UpsalesEmulator
from ..web.middleware.security_headers import security_headers
from . import vendor
from .platform import (
    REQUEST_TIMEOUT_S,
    REQUESTS_PER_MINUTE,
    SECURE,
    Installation,
    RequestProxy,
    everywhere,
    ticket_data,
)

MODES = {
    "normal": Faults(),
    "down": Faults(error_rates={503: 1.0}),
    "slow": Faults(latency_ms=3000),
}
#: The agent languages the page offers, as the agent's Freshdesk profile gives them to the
#: app (Norwegian as Freshdesk's ``nb-NO``; the app and the service map each to theirs).
LANGUAGES = ("en", "sv", "nb-NO", "da", "fi")


@dataclass
class DemoState:
    language: str = "en"
    modes: dict[str, str] = field(
        default_factory=lambda: {"freshdesk": "normal", "upsales": "normal"}
    )
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
        #: The platform's side: the app's saved settings, and the proxy of its requests.
        self.installation = Installation()
        self.proxy = RequestProxy(
            backend,
            requests_per_minute=requests_per_minute,
            request_timeout_s=request_timeout_s,
        )
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
                Route("/_fdk/relay", self.proxy.relay, methods=["POST"]),
                Route("/_demo/state", self.get_state),
                Route("/_demo/state", self.set_state, methods=["POST"]),
                Route("/_demo/iparams", self.installation.get_iparams),
                Route("/_demo/iparams", self.installation.set_iparams, methods=["POST"]),
                Route("/_demo/configs", self.installation.get_configs),
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
                "relayed": self.proxy.relayed,
                "minimised": self.state.minimised,
                "installed": {
                    k: ("•••" if k in SECURE and v else v)
                    for k, v in self.installation.iparams.items()
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
            self.installation.reset()
            self.proxy.reset()
            self.state = DemoState(language=self.state.language, minimised=self.minimised)
        if isinstance(body.get("minimised"), bool):
            self.state.minimised = body["minimised"]
        self.apply_modes()
        return await self.get_state(request)

    # -- Freshdesk data: the page's tickets, and the data API (platform.py) ----------

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

    async def page_data(self, request: Request) -> Response:
        """The data API off a ticket (the settings page): the objects of every page only."""
        return JSONResponse(everywhere(self._fd, self.state.language))

    async def data(self, request: Request) -> Response:
        """Everything ``client.data.get`` gives on a ticket page."""
        found = ticket_data(self._fd, request.path_params["tid"], self.state.language)
        return Response(status_code=404) if found is None else JSONResponse(found)
