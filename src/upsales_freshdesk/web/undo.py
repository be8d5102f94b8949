"""Undo tokens: what "Update Freshdesk" changed, signed, so that Undo can put back exactly
those values on exactly that contact, and nothing else.

The service stores nothing: the token travels to the app and back. It holds the account,
the contact id, the previous values of the fields written, the values the update left in
them, the contact's ``updated_at`` after the update and an expiry. Undo refuses, and puts
nothing back, when ``updated_at`` moved or when any field written no longer holds what the
update left there: ``updated_at`` has one-second resolution, so only the values show a
colleague's edit made in the same second. It is signed with HMAC-SHA256 under a key
derived from ``UFD_SERVICE_SECRET`` (so every replica accepts it), or under a random
per-process key when no secret is set. A token without the values written (issued before
they were carried) is not accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

#: Undo is offered for this long after an update.
UNDO_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class UndoTicket:
    host: str
    contact_id: int
    previous: dict[str, str | None]
    updated_at: datetime | None
    #: What the update left in each field of ``previous`` (same keys).
    written: dict[str, str | None]


class InvalidUndoError(ValueError):
    """The token was not signed here, was altered, or has expired."""


class UndoSigner:
    def __init__(self, secret: str | None) -> None:
        seed = secret.encode() if secret else secrets.token_bytes(32)
        self._key = hmac.new(seed, b"upsales-freshdesk undo v1", hashlib.sha256).digest()

    def _sign(self, payload: bytes) -> str:
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def issue(self, ticket: UndoTicket, now: float | None = None) -> str:
        data = {
            "h": ticket.host,
            "c": ticket.contact_id,
            "v": ticket.previous,
            "w": ticket.written,
            "u": ticket.updated_at.isoformat() if ticket.updated_at else None,
            "x": int((now or time.time()) + UNDO_SECONDS),
        }
        payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(payload)}"

    def read(self, token: str, now: float | None = None) -> UndoTicket:
        body, _, mac = token.partition(".")
        try:
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError:
            raise InvalidUndoError("not a token") from None
        if not mac or not hmac.compare_digest(mac, self._sign(payload)):
            raise InvalidUndoError("not signed here")
        data = json.loads(payload)
        if data["x"] < (now or time.time()):
            raise InvalidUndoError("expired")
        previous, written = dict(data["v"]), data.get("w")
        if not isinstance(written, dict) or set(written) != set(previous):
            raise InvalidUndoError("no values written")  # issued before they were carried
        updated = datetime.fromisoformat(data["u"]) if data["u"] else None
        return UndoTicket(data["h"], int(data["c"]), previous, updated, dict(written))
