"""The sync against both emulators: in-process (:class:`Book`), or served on loopback
(:class:`Served`) for the ``sync`` command (:func:`sync`, :func:`report_of`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from tests.support.emulated import EMULATED as BASE
from tests.support.sleeps import RecordingSleep
from upsales_freshdesk.cli import app
from upsales_freshdesk.clients import RetryPolicy
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk import app as freshdesk
from upsales_freshdesk.emulators.upsales import app as upsales
from upsales_freshdesk.sync.config import SyncSettings
from upsales_freshdesk.sync.engine import Report, Sync
from upsales_freshdesk.sync.state import SyncState

FIELDS = {"name": "name", "phone": "phone", "mobile": "cellPhone", "job_title": "title"}


class Book:
    def __init__(self, tmp_path: Path) -> None:
        self.fd = freshdesk.create_freshdesk_emulator(plan=100_000)
        self.us = upsales.create_upsales_emulator()
        self.state_path = tmp_path / "state" / "sync.sqlite3"
        self.settings = SyncSettings(
            freshdesk_domain="demo",
            freshdesk_api_key=freshdesk.DEFAULT_KEY,
            upsales_token=upsales.DEFAULT_TOKEN,
            freshdesk_plan="100000",
            freshdesk_base_url=BASE,
            upsales_base_url=BASE,
            state_path=self.state_path,
            _env_file=None,
        )

    async def run(
        self,
        *,
        create_missing: bool = False,
        dry_run: bool = False,
        wrap: Callable[[Sync], None] | None = None,
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

    def faults_after_the_index(self, faults: Faults) -> Callable[[Sync], None]:
        """A ``wrap`` for :meth:`run`: ``faults`` start on Freshdesk once the run has read
        its contact list."""

        def wrap(sync: Sync) -> None:
            index = sync.index

            async def then_faults() -> Any:
                found = await index()
                self.fd.faults.set(faults)
                return found

            sync.index = then_faults  # type: ignore[method-assign]

        return wrap

    async def upsales_put(self, contact_id: int, body: dict[str, Any]) -> None:
        """Change an Upsales contact through its API, so that its ``modDate`` moves."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.us),
            base_url="http://t",
            cookies={"token": upsales.DEFAULT_TOKEN},
        ) as c:
            resp = await c.put(f"/api/v2/contacts/{contact_id}", json=body)
            assert resp.status_code == 200

    def insert_upsales(self, email: str, name: str = "Inserted") -> int:
        record = self.us.store.insert(
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
        contact = self.fd.store.contacts[freshdesk_id]
        emails = {(e or "").lower() for e in (contact["email"], *contact["other_emails"])}
        return next(
            int(c["id"])
            for c in self.us.store.all("contacts")
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
        uss = self.us.store.all("contacts")
        by_email: dict[str, list[dict[str, Any]]] = {}
        for c in uss:
            if c.get("email"):
                by_email.setdefault(c["email"].lower(), []).append(c)
        out = {}
        for contact in self.fd.store.contacts.values():
            emails = {contact["email"], *contact["other_emails"]}
            match = [u for e in emails for u in by_email.get((e or "").lower(), [])]
            if len(match) == 1:
                u = match[0]
                out[contact["id"]] = {k: u.get(v) or contact.get(k) for k, v in FIELDS.items()}
        return out

    def actual(self, ids: Any) -> dict[int, dict[str, Any]]:
        contacts = self.fd.store.contacts
        return {i: {k: contacts[i].get(k) for k in FIELDS} for i in ids}


@dataclass
class Served:
    """Both emulators on loopback ports, and a config file for the ``sync`` command."""

    fd: freshdesk.FreshdeskEmulator
    us: upsales.UpsalesEmulator
    freshdesk_url: str
    upsales_url: str

    def config(self, folder: Path, **overrides: str) -> Path:
        values = {
            "FRESHDESK_DOMAIN": "demo",
            "FRESHDESK_API_KEY": freshdesk.DEFAULT_KEY,
            "UPSALES_TOKEN": upsales.DEFAULT_TOKEN,
            "FRESHDESK_BASE_URL": self.freshdesk_url,
            "UPSALES_BASE_URL": self.upsales_url,
            "FRESHDESK_PLAN": "100000",
            "STATE_PATH": str(folder / "state.sqlite3"),
            **overrides,
        }
        path = folder / "sync.env"
        path.write_text("".join(f"UFD_SYNC_{k}={v}\n" for k, v in values.items()))
        return path


KEYS = {"status", "exit_code", "started_at", "finished_at", "duration_seconds", "error", "report"}
STATUS = {0: "ok", 1: "error", 2: "failed_records", 3: "bad_config", 4: "stopped", 5: "locked"}


def sync(config: Path | None, *args: str) -> Any:
    argv = ["sync", *(["--config", str(config)] if config else []), *args]
    return CliRunner().invoke(app, argv)


def report_of(path: Path, code: int) -> dict[str, Any]:
    """The ``--json`` document, checked for its fields and for contact data."""
    text = path.read_text()
    assert "@" not in text  # no email, hence no contact data and no key in a URL
    doc: dict[str, Any] = json.loads(text)
    assert set(doc) == KEYS
    assert (doc["exit_code"], doc["status"]) == (code, STATUS[code])
    assert doc["finished_at"] >= doc["started_at"]
    assert doc["duration_seconds"] >= 0
    assert (doc["error"] is None) == (code in (0, 2))
    return doc
