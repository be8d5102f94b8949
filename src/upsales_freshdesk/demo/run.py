"""``upsales-freshdesk demo``: emulators, backend and demo host, in one process, one port."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette

from ..emulators.freshdesk.app import create_freshdesk_emulator
from ..emulators.upsales.app import create_upsales_emulator
from ..settings import Settings
from ..web.app import create_app
from .desk import Desk
from .host import DemoHost
from .platform import DEMO_SECRET
from .timeline import (
    CREDENTIALS,
    EMULATED,
    WEBHOOK_SECRET,
    DemoTimeline,
    timeline_settings,
)


def find_app_dir(given: Path | None = None) -> Path:
    """The Freshworks app folder: given, in the working directory, or in this checkout."""
    candidates = (
        [given]
        if given
        else [Path.cwd() / "freshworks-app", Path(__file__).resolve().parents[3] / "freshworks-app"]
    )
    for candidate in candidates:
        if candidate is not None and (candidate / "manifest.json").is_file():
            return candidate
    raise FileNotFoundError("freshworks-app/ not found; run from the repository or pass --app-dir")


def build_demo(
    app_dir: Path,
    *,
    seed: int = 1,
    latency_ms: float = 0,
    local_crayons: bool = True,
    minimised: bool = False,
) -> Starlette:
    """The whole demo as one ASGI app (the emulators and backend joined in-process).

    ``minimised``: the app starts minimised on each ticket and is activated when the agent
    opens it, as on the platform (``upsales-freshdesk demo``); off, it is open and active
    on every ticket (the card's tests; ``/_demo/state`` switches it either way).

    The timeline is on (:mod:`.timeline`): the emulator's automation rules call the
    backend's ticket-event webhook in-process, and the page shows the Upsales side."""
    freshdesk = create_freshdesk_emulator(seed=seed, plan="enterprise")
    upsales = create_upsales_emulator(seed=seed)
    backend = create_app(
        Settings(
            freshdesk_base_url=EMULATED,
            upsales_base_url=EMULATED,
            freshdesk_plan="enterprise",
            service_secret=DEMO_SECRET,
            webhook_secret=WEBHOOK_SECRET,
            _env_file=None,
        ),
        transports={
            "freshdesk": httpx.ASGITransport(app=freshdesk),
            "upsales": httpx.ASGITransport(app=upsales),
        },
        webhook_credentials=CREDENTIALS,
        timeline=timeline_settings(),
    )
    timeline = DemoTimeline(freshdesk, backend)
    host = DemoHost(
        app_dir,
        httpx.ASGITransport(app=backend),
        freshdesk,
        upsales,
        base_latency_ms=latency_ms,
        local_crayons=local_crayons,
        minimised=minimised,
        extra_routes=Desk(freshdesk, upsales, timeline).routes(),
        on_reset=timeline.reset,
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with backend.router.lifespan_context(backend), timeline.running():
            yield

    outer = Starlette(lifespan=lifespan)
    outer.mount("/", host)
    outer.state.host = host
    outer.state.timeline = timeline
    return outer


class PortTaken(OSError):
    """The demo's port is in use: one line that says so and what to do."""


def bind_demo(host: str, port: int) -> socket.socket:
    """The demo's listening socket, bound before the URL is printed; a port already in
    use is :class:`PortTaken`, with a message that names it and the way out."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn's own (TIME_WAIT)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise PortTaken(
            f"port {port} on {host} is already in use (another demo or server?); "
            f"stop it, or pick another port: make demo PORT={port + 1} "
            f"(upsales-freshdesk demo --port {port + 1})"
        ) from error
    return sock


def serve_demo(sock: socket.socket, *, app_dir: Path, seed: int, latency_ms: float) -> None:
    """Serve the demo on a socket from :func:`bind_demo`."""
    config = uvicorn.Config(
        build_demo(app_dir, seed=seed, latency_ms=latency_ms, minimised=True),
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])
