"""Upsales writes: the body checks and the records that creates and updates leave.

Every function raises :class:`.errors.UpsalesError` for a body Upsales would refuse.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..scenarios import ACTIVITY_TYPES
from .errors import invalid
from .store import Record, UpsalesStore

SELF_USER_ID = 12
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
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
#: A created account's mailAddress (Postman "Company > Create company" response).
EMPTY_MAIL_ADDRESS = {
    "zipcode": None,
    "city": None,
    "state": None,
    "address": None,
    "type": "Mail",
    "country": None,
    "latitude": None,
    "longitude": None,
}


def apply_contact(store: UpsalesStore, record: Record, body: dict[str, Any], split: bool) -> None:
    for key in CONTACT_FIELDS:
        if key in body:
            record[key] = body[key]
    email = record.get("email")
    if email and not EMAIL_RE.match(str(email)):
        raise invalid("Invalid email")
    if split or (("firstName" in body or "lastName" in body) and "name" not in body):
        record["name"] = f"{record.get('firstName') or ''} {record.get('lastName') or ''}".strip()
    elif "name" in body:
        first, _, last = str(body["name"] or "").rpartition(" ")
        record["firstName"], record["lastName"] = (first, last) if first else (last, "")
    if "client" in body:
        client_id = (body["client"] or {}).get("id") if isinstance(body["client"], dict) else None
        if not isinstance(client_id, int) or store.get("accounts", client_id) is None:
            raise invalid("No such client")
        record["client"] = client_id


def _user_ids(store: UpsalesStore, body: dict[str, Any]) -> list[int]:
    return [
        u["id"]
        for u in body.get("users", [])
        if isinstance(u, dict)
        and isinstance(u.get("id"), int)
        and store.get("users", u["id"]) is not None
    ]


def _custom(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Postman: custom is an "Array of field values {fieldId: 1, value: "my value"}"."""
    items = body.get("custom", [])
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("fieldId"), int) for i in items
    ):
        raise invalid("custom must be a list of {fieldId, value}")
    return [{"fieldId": i["fieldId"], "value": i.get("value")} for i in items]


def new_account(store: UpsalesStore, body: dict[str, Any]) -> Record:
    if not body.get("name"):
        raise invalid("Missing required field: name")
    record: Record = {k: body.get(k) for k in ACCOUNT_FIELDS}
    # The defaults of Postman "Company > Create company" (body {name, phone, users}):
    # active 1, journeyStep "lead", addresses [], fax null, headquarters 0, soliditet {},
    # externalClientData {}, an empty Mail mailAddress; custom values are echoed back
    # with typed copies (Postman "Custom fields > Create company with custom field").
    record.update(
        active=1,
        users=_user_ids(store, body),
        regBy=SELF_USER_ID,
        addresses=[],
        journeyStep=body.get("journeyStep") or "lead",
        fax=None,
        headquarters=0,
        soliditet={},
        externalClientData={},
        mailAddress=dict(EMPTY_MAIL_ADDRESS),
        custom=_custom(body),
    )
    return record


def update_account(store: UpsalesStore, record: Record, body: dict[str, Any]) -> None:
    """Postman "Company > Update company": a partial body {name, users, custom, phone,
    webpage}; the answer is the whole account. Custom values given replace those of
    the same fieldId; others stay."""
    if "name" in body and not body["name"]:
        raise invalid("name cannot be empty")
    changes: Record = {k: body[k] for k in ACCOUNT_FIELDS if k in body}
    if "users" in body:
        changes["users"] = _user_ids(store, body)
    if "custom" in body:
        given = {c["fieldId"]: c for c in _custom(body)}
        kept = [c for c in record.get("custom", []) if c["fieldId"] not in given]
        changes["custom"] = [*kept, *given.values()]
    record.update(changes)


def close_date(value: Any) -> str | None:
    """``"2021-09-29"`` comes back as midnight Stockholm in UTC, ``2021-09-28T22:00:00Z``
    (Postman "Tasks > Mark To-do as done")."""
    if not value:
        return None
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        raise invalid("Invalid closeDate") from None
    try:
        zone: Any = ZoneInfo("Europe/Stockholm")
    except ZoneInfoNotFoundError:
        zone = UTC
    return datetime.combine(day, time(0), zone).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _client_id(store: UpsalesStore, body: dict[str, Any]) -> int | None:
    client = body.get("client") or {}
    if not client:
        return None
    if not isinstance(client, dict) or not isinstance(client.get("id"), int):
        raise invalid("No such client")
    if store.get("accounts", client["id"]) is None:
        raise invalid("No such client")
    return int(client["id"])


def _type_id(body: dict[str, Any]) -> int:
    """One of the account's activity types (Postman "Tasks": activityType is "Object,
    mandatory, see ActivityTypes")."""
    type_id = (body.get("activityType") or {}).get("id")
    if type_id not in {t for t, _, _ in ACTIVITY_TYPES}:
        raise invalid("Invalid activityType")
    return int(type_id)


def _ids(items: Any) -> list[int]:
    return [i["id"] for i in items or [] if isinstance(i, dict) and isinstance(i.get("id"), int)]


def new_activity(store: UpsalesStore, body: dict[str, Any]) -> Record:
    type_id = _type_id(body)
    if not body.get("description"):
        raise invalid("Missing required field: description")
    return {
        "description": body["description"],
        "notes": body.get("notes"),
        "date": body.get("date"),
        "closeDate": close_date(body.get("closeDate")),
        "client": _client_id(store, body),
        "activityType": type_id,
        "regBy": SELF_USER_ID,
        "contacts": _ids(body.get("contacts")),
        "users": _ids(body.get("users")) or [SELF_USER_ID],
        "priority": body.get("priority", 0),
    }


def update_activity(store: UpsalesStore, record: Record, body: dict[str, Any]) -> None:
    """Postman "Tasks > Mark To-do as done": ``{"closeDate": "2021-09-29"}`` alone
    closes it; "Update Phone Call"/"Close phone call" send the full activity. Keys
    not sent stay as they were."""
    changes: Record = {}
    if "activityType" in body:
        changes["activityType"] = _type_id(body)
    if "description" in body:
        if not body["description"]:
            raise invalid("Missing required field: description")
        changes["description"] = body["description"]
    for key in ("notes", "date", "priority", "time"):
        if key in body:
            changes[key] = body[key]
    if "closeDate" in body:
        changes["closeDate"] = close_date(body["closeDate"])
    if "client" in body:
        changes["client"] = _client_id(store, body)
    if "contacts" in body:
        changes["contacts"] = _ids(body["contacts"])
    if "users" in body:
        changes["users"] = _ids(body["users"]) or record.get("users", [])
    record.update(changes)
