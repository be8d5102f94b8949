"""The sync against both emulators: in-process (:class:`Book`) or served on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.conftest import RecordingSleep
from upsales_freshdesk.clients import RetryPolicy
from upsales_freshdesk.emulators.base import Emulator
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.server import EmulatorConfig, build
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator
from upsales_freshdesk.sync.config import SyncSettings
from upsales_freshdesk.sync.engine import Report, Sync
from upsales_freshdesk.sync.state import SyncState

BASE = "http://testserver/api/v2/"
FIELDS = {"name": "name", "phone": "phone", "mobile": "cellPhone", "job_title": "title"}


class Book:
    def __init__(self, tmp_path: Path) -> None:
        self.fd: Emulator = create_freshdesk_emulator(plan=100_000)
        self.us: Emulator = create_upsales_emulator()
        self.state_path = tmp_path / "state" / "sync.sqlite3"
        self.settings = SyncSettings(
            freshdesk_domain="demo",
            freshdesk_api_key=DEFAULT_KEY,
            upsales_token=DEFAULT_TOKEN,
            freshdesk_plan="100000",
            freshdesk_base_url=BASE,
            upsales_base_url=BASE,
            state_path=self.state_path,
            _env_file=None,
        )

    async def run(
        self, *, create_missing: bool = False, dry_run: bool = False, wrap: Any = None
    ) -> Report:
        fd, us = self.settings.clients(
            {
                "freshdesk": httpx.ASGITransport(app=self.fd),
                "upsales": httpx.ASGITransport(app=self.us),
            },
            policy=RetryPolicy(backoff_base=0.001, backoff_max=0.01, sleep=RecordingSleep()),
        )
        state = SyncState(self.state_path)
        try:
            async with fd, us:
                sync = Sync(fd, us, state, create_missing=create_missing, dry_run=dry_run)
                if wrap:
                    wrap(sync)
                return await sync.run()
        finally:
            state.close()

    async def upsales_put(self, contact_id: int, body: dict[str, Any]) -> None:
        """Change an Upsales contact through its API, so that its ``modDate`` moves."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.us),
            base_url="http://t",
            cookies={"token": DEFAULT_TOKEN},
        ) as c:
            resp = await c.put(f"/api/v2/contacts/{contact_id}", json=body)
            assert resp.status_code == 200

    def insert_upsales(self, email: str, name: str = "Inserted") -> int:
        record = self.us.store.insert(  # type: ignore[attr-defined]
            "contacts",
            {
                "name": name,
                "email": email,
                "client": 1,
                "active": 1,
                "firstName": name,
                "lastName": "",
                "phone": None,
                "cellPhone": None,
                "title": None,
                "regBy": None,
            },
        )
        return int(record["id"])

    def upsales_id_of(self, freshdesk_id: int) -> int:
        """The Upsales contact with one of the emails of a Freshdesk contact."""
        contact = self.fd.store.contacts[freshdesk_id]  # type: ignore[attr-defined]
        emails = {(e or "").lower() for e in (contact["email"], *contact["other_emails"])}
        return next(
            int(c["id"])
            for c in self.us.store.all("contacts")  # type: ignore[attr-defined]
            if (c.get("email") or "").lower() in emails - {""}
        )

    def retries(self) -> list[int]:
        state = SyncState(self.state_path)
        try:
            return state.retries()
        finally:
            state.close()

    def expected(self) -> dict[int, dict[str, Any]]:
        """What each Freshdesk contact should hold after a sync: Upsales' values."""
        uss = self.us.store.all("contacts")  # type: ignore[attr-defined]
        by_email: dict[str, list[dict[str, Any]]] = {}
        for c in uss:
            if c.get("email"):
                by_email.setdefault(c["email"].lower(), []).append(c)
        out = {}
        for contact in self.fd.store.contacts.values():  # type: ignore[attr-defined]
            emails = {contact["email"], *contact["other_emails"]}
            match = [u for e in emails for u in by_email.get((e or "").lower(), [])]
            if len(match) == 1:
                u = match[0]
                out[contact["id"]] = {k: u.get(v) or contact.get(k) for k, v in FIELDS.items()}
        return out

    def actual(self, ids: Any) -> dict[int, dict[str, Any]]:
        contacts = self.fd.store.contacts  # type: ignore[attr-defined]
        return {i: {k: contacts[i].get(k) for k in FIELDS} for i in ids}


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return Book(tmp_path)


@dataclass
class Served:
    """Both emulators on loopback ports, and a config file for the ``sync`` command."""

    fd: Emulator
    us: Emulator
    freshdesk_url: str
    upsales_url: str

    def config(self, folder: Path, **overrides: str) -> Path:
        values = {
            "FRESHDESK_DOMAIN": "demo",
            "FRESHDESK_API_KEY": DEFAULT_KEY,
            "UPSALES_TOKEN": DEFAULT_TOKEN,
            "FRESHDESK_BASE_URL": self.freshdesk_url,
            "UPSALES_BASE_URL": self.upsales_url,
            "FRESHDESK_PLAN": "100000",
            "STATE_PATH": str(folder / "state.sqlite3"),
            **overrides,
        }
        path = folder / "sync.env"
        path.write_text("".join(f"UFD_SYNC_{k}={v}\n" for k, v in values.items()))
        return path


@pytest.fixture
def served() -> Iterator[Served]:
    fd, us = build(EmulatorConfig())
    servers, urls = [], []
    for emulator in (fd, us):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(emulator, log_level="critical", lifespan="off"))
        threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
        servers.append(server)
        urls.append(f"http://127.0.0.1:{sock.getsockname()[1]}/api/v2/")
    while not all(s.started for s in servers):
        time.sleep(0.05)
    yield Served(fd, us, urls[0], urls[1])
    for server in servers:
        server.should_exit = True
