"""Serve both emulators on loopback with uvicorn, in one process."""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..web.server import send_when_written
from .faults import ARRIVED, Faults
from .freshdesk.app import (
    DEFAULT_DOMAIN,
    DEFAULT_KEY,
    FreshdeskEmulator,
    create_freshdesk_emulator,
)
from .freshdesk.limits import parse_plan
from .upsales.app import DEFAULT_TOKEN, UpsalesEmulator, create_upsales_emulator


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    freshdesk_port: int = 9001
    upsales_port: int = 9002
    seed: int = 1
    #: A Freshdesk plan name or a number of calls/min (see :func:`parse_plan`).
    plan: str = "pro"
    latency_ms: float = 0.0
    freshdesk_key: str = DEFAULT_KEY
    upsales_token: str = DEFAULT_TOKEN
    #: More Upsales tokens, each its own account with its own rate limit.
    extra_upsales_tokens: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not is_loopback(self.host):
            # The control surface (/_emulator/) has no auth: never expose it.
            raise ValueError("the emulators serve on loopback only")
        parse_plan(self.plan)  # refuse an unknown plan here, not when serving

    @property
    def freshdesk_url(self) -> str:
        return f"http://{self.host}:{self.freshdesk_port}/api/v2/"

    @property
    def upsales_url(self) -> str:
        return f"http://{self.host}:{self.upsales_port}/api/v2/"

    @property
    def freshdesk_domain(self) -> str:
        return DEFAULT_DOMAIN


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build(config: EmulatorConfig) -> tuple[FreshdeskEmulator, UpsalesEmulator]:
    """Both emulators, with the configured seed, keys, plan and base latency."""
    freshdesk = create_freshdesk_emulator(
        seed=config.seed, keys={config.freshdesk_key}, plan=config.plan
    )
    tokens = {config.upsales_token, *config.extra_upsales_tokens}
    upsales = create_upsales_emulator(seed=config.seed, tokens=tokens)
    if config.latency_ms:
        for emulator in (freshdesk, upsales):
            emulator.faults.set(Faults(latency_ms=config.latency_ms))
    return freshdesk, upsales


class ArrivalStampingProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, noting in the scope when a request's bytes arrived.

    The emulated latency counts from there (see ``faults._answer_at``): when many calls
    arrive together, the time a call waits for the emulator's own event loop is then
    inside the latency, as at a real upstream that serves them all at once, not on top.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        send_when_written(transport)  # an answer leaves at its latency, not a turn later

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope[ARRIVED] = self.loop.time()  # type: ignore[literal-required]


async def serve(config: EmulatorConfig, *, log_level: str = "warning") -> None:
    """Run both emulators until cancelled."""
    freshdesk, upsales = build(config)
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                app,
                host=config.host,
                port=port,
                log_level=log_level,
                access_log=False,
                lifespan="off",
                http=ArrivalStampingProtocol,
            )
        )
        for app, port in ((freshdesk, config.freshdesk_port), (upsales, config.upsales_port))
    ]
    await asyncio.gather(*(s.serve() for s in servers))


def run(config: EmulatorConfig) -> None:
    """Serve until interrupted, on uvloop where it is installed (as ``serve`` runs): the
    emulators share the machine with the backend in the benchmarks, so they should not
    spend more CPU per call than they must."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        asyncio.run(serve(config))
    else:
        uvloop.run(serve(config))
