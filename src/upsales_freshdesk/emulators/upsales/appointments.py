"""Appointments as the live API answers them (Dec 2025), not as Postman's 2018 example.

Source: ``GET /api/v2/appointments?limit=5`` and ``GET /api/v2/appointments/6``, recorded
on power.upsales.com on 2 Dec 2025 in the VCR cassettes of the MIT-licensed
upsales-python-sdk (``tests/cassettes/integration/test_appointments_integration/``),
kept as ``tests/fixtures/upsales/appointments_live.json``. What changed since Postman's
"Appointment > Get appointment list":

- 16 more keys: ``externalCalendarId``, ``seriesMasterId``, ``aiNotes``, ``aiNotesEn``,
  ``agenda``, ``weblinkUrl``, ``includeWeblink`` (0), ``isExternalHost``,
  ``bookedRooms``, ``outcome``, ``outcomeCommentId``, ``outcomeAction``,
  ``outcomeExtra``, ``outcomeType``, ``emailAttendees`` ([]), ``projectPlan``; one
  appointment read alone adds ``hostHasCalendarIntegration``.
- ``private`` and ``activityType.first`` are booleans (Postman: 0).
- ``client`` is the activity's ``{operationalAccount, journeyStep, phone, name, id,
  users}``; ``contacts[]`` items are ``{journeyStep, titleCategory, phoneCountryCode,
  phone, name, client {operationalAccount, addresses, name, id, users [{name, id}]}, id,
  email, cellPhone, cellPhoneCountryCode}`` (Postman: ``{phone, name, id, cellPhone}``).
- ``outcome`` is ``"completed"`` on the four past appointments and null on the one
  still ahead when recorded; the emulator does the same against the book's date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..scenarios import APPOINTMENT_TYPES, EPOCH
from .sales import client_ref
from .shaping import address, user_ref, users_ref
from .store import Record, UpsalesStore

APPOINTMENT_NAMES = {tid: (name, first) for tid, name, first in APPOINTMENT_TYPES}


def _contact(store: UpsalesStore, contact_id: int) -> dict[str, Any] | None:
    c = store.get("contacts", contact_id)
    if c is None:
        return None
    client_id = c.get("client")
    account = store.get("accounts", client_id) if isinstance(client_id, int) else None
    client = None
    if account is not None:
        managers = [{"name": u["name"], "id": u["id"]} for u in users_ref(store, account["users"])]
        client = {
            "operationalAccount": None,
            "addresses": [address(x) for x in account["addresses"]],
            "name": account["name"],
            "id": account["id"],
            "users": managers,
        }
    return {
        "journeyStep": c.get("journeyStep"),
        "titleCategory": None,
        "phoneCountryCode": None,
        "phone": c.get("phone"),
        "name": c["name"],
        "client": client,
        "id": c["id"],
        "email": c.get("email") or "",
        "cellPhone": c.get("cellPhone"),
        "cellPhoneCountryCode": None,
    }


def appointment(store: UpsalesStore, a: Record) -> dict[str, Any]:
    """One appointment as a list item."""
    client = client_ref(store, a.get("client"))
    if client is not None:  # as an activity's: the account's phone added
        client = {**client, "phone": (store.get("accounts", client["id"]) or {}).get("phone")}
    name, first = APPOINTMENT_NAMES.get(a["activityType"], (None, 0))
    past = datetime.fromisoformat(a["date"].replace("Z", "+00:00")) < EPOCH
    return {
        "id": a["id"],
        "description": a["description"],
        "externalCalendarId": None,
        "seriesMasterId": None,
        "notes": None,
        "aiNotes": None,
        "aiNotesEn": None,
        "agenda": None,
        "weblinkUrl": None,
        "includeWeblink": 0,
        "date": a["date"],
        "client": client,
        "users": users_ref(store, a.get("users", [])),
        "project": None,
        "activityType": {"name": name, "id": a["activityType"], "first": bool(first)},
        "regDate": a["regDate"],
        "endDate": a["endDate"],
        "private": False,
        "isExternalHost": False,
        "bookedRooms": None,
        "isAppointment": 1,
        "regBy": user_ref(store, a.get("regBy")),
        "modDate": a["modDate"],
        "opportunity": None,
        "clientConnection": None,
        "contacts": [x for x in (_contact(store, i) for i in a.get("contacts", [])) if x],
        "custom": [],
        "location": None,
        "outcome": "completed" if past else None,
        "userRemovable": True,
        "userEditable": True,
        "outcomeCommentId": None,
        "outcomeAction": None,
        "outcomeExtra": None,
        "outcomeType": None,
        "emailAttendees": [],
        "projectPlan": None,
    }


def read_alone(shaped: dict[str, Any]) -> dict[str, Any]:
    """``GET /appointments/{id}`` adds ``hostHasCalendarIntegration`` (recorded true for
    a host with a connected calendar; the made-up users have none)."""
    return {**shaped, "hostHasCalendarIntegration": False}
