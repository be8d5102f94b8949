"""Freshdesk's ticket writes: ``POST /tickets`` and ``PUT /tickets/{id}``, their checks
and what they store.

The rules come from Freshdesk's own API code (its ``TicketValidation`` and
``ApiTicketConstants``, as published in public code): the fields each write takes (an
update takes no ``cc_emails``), a requester from one of requester_id, phone, email,
twitter_id, facebook_id (and unique_external_id), a ``description`` string on create,
``status`` within the account's statuses and ``priority`` 1..4, and that only tickets
neither deleted nor spam can be updated (``CONDITIONS_FOR_TICKET_ACTIONS``). The error
texts follow Freshdesk's recorded ones ("Please fill at least 1 of requester_id, ...
fields", "It should be one of these values: '2,3,4,5'", "Unexpected/invalid field in
request"). Defaults on create, as the API documents them: status 2 (Open), priority 1
(Low), source 2 (Portal). Ticket types are Freshdesk's defaults (Question, Incident,
Problem, Feature Request).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .automations import EVENT_FIELDS, Change
from .rules import EMAIL_RE, FreshdeskError, validation
from .store import CONTACT_DEFAULTS, TICKET_DEFAULTS, FreshdeskStore, Record, now_iso
from .tickets import parse_time

STATUSES, PRIORITIES, SOURCES = (2, 3, 4, 5), (1, 2, 3, 4), (1, 2, 3, 7, 9, 10)
TICKET_TYPES = ("Question", "Incident", "Problem", "Feature Request")
REQUESTER_FIELDS = ("requester_id", "phone", "email", "twitter_id", "facebook_id")
_STRING = frozenset(
    {
        "name",
        "subject",
        "description",
        "email",
        "phone",
        "twitter_id",
        "facebook_id",
        "unique_external_id",
        "type",
        "due_by",
        "fr_due_by",
    }
)
_IDS = frozenset({"requester_id", "responder_id", "group_id", "product_id", "company_id"})
_CHOICES = {"status": STATUSES, "priority": PRIORITIES, "source": SOURCES, "type": TICKET_TYPES}
_LISTS = frozenset({"tags", "cc_emails"})
CREATE_FIELDS = _STRING | _IDS | _LISTS | {"status", "priority", "source", "custom_fields"}
UPDATE_FIELDS = CREATE_FIELDS - {"cc_emails"}
TAG = re.compile(r"<[^>]+>")


def _check_types(body: dict[str, Any], allowed: frozenset[str]) -> None:
    for key, value in body.items():
        if key not in allowed:
            raise validation(key, "Unexpected/invalid field in request", "invalid_field")
        if value is None and key not in _STRING | _IDS:
            raise validation(key, "It should not be blank", "invalid_value")
        if key in _CHOICES:
            if value not in _CHOICES[key] or isinstance(value, bool):
                listed = ",".join(str(c) for c in _CHOICES[key])
                message = f"It should be one of these values: '{listed}'"
                raise validation(key, message, "invalid_value")
        elif key in _STRING and value is not None and not isinstance(value, str):
            raise validation(key, "It should be a/an String", "datatype_mismatch")
        elif (
            key in _IDS
            and value is not None
            and (not isinstance(value, int) or isinstance(value, bool) or value < 1)
        ):
            raise validation(key, "It should be a/an Positive Integer", "datatype_mismatch")
        elif key in _LISTS and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise validation(key, "It should be a/an Array", "datatype_mismatch")
        elif key == "custom_fields" and not isinstance(value, dict):
            raise validation(key, "It should be a/an key/value pair", "datatype_mismatch")


def _check_values(store: FreshdeskStore, body: dict[str, Any]) -> None:
    emails = [body["email"]] if body.get("email") else []
    for address in [*emails, *body.get("cc_emails", [])]:
        if not EMAIL_RE.match(address):
            field = "email" if address in emails else "cc_emails"
            message = "It should be in the 'valid email address' format"
            raise validation(field, message, "invalid_value")
    for key in ("due_by", "fr_due_by"):
        if body.get(key) is not None:
            parse_time(body[key], key)
    tables: dict[str, tuple[str, Mapping[int, Any]]] = {
        "requester_id": ("contact", store.contacts),
        "company_id": ("company", store.companies),
        "group_id": ("group", store.groups),
        "responder_id": ("agent", {store.agent["id"]: store.agent}),
    }
    for key, (what, table) in tables.items():
        rid = body.get(key)
        if rid is None:
            continue
        record = table.get(rid)
        if record is None or (isinstance(record, dict) and record.get("deleted")):
            raise validation(key, f"There is no {what} matching the given {key}", "invalid_value")


def check_create(store: FreshdeskStore, body: dict[str, Any]) -> None:
    """Refuse a ticket create the way Freshdesk does: the first problem found."""
    _check_types(body, CREATE_FIELDS)
    if not any(body.get(k) for k in (*REQUESTER_FIELDS, "unique_external_id")):
        fields = ", ".join(REQUESTER_FIELDS)
        raise validation(
            "requester_id", f"Please fill at least 1 of {fields} fields", "missing_field"
        )
    for key in ("subject", "description"):
        if not isinstance(body.get(key), str):
            raise validation(key, "It should be a/an String", "missing_field")
    _check_values(store, body)
    only_phone = body.get("phone") and not any(
        body.get(k) for k in ("requester_id", "email", "twitter_id", "facebook_id")
    )
    if only_phone and not _by(store, "phone", body["phone"]) and not body.get("name"):
        raise validation("name", "It should be a/an String", "missing_field")


def check_update(store: FreshdeskStore, ticket: Record, body: dict[str, Any]) -> None:
    if ticket.get("deleted") or ticket.get("spam"):
        raise FreshdeskError(404)  # updates reach only tickets neither deleted nor spam
    _check_types(body, UPDATE_FIELDS)
    for key in ("subject", "description"):
        if key in body and not body[key]:
            message = "It should not be blank as this is a mandatory field"
            raise validation(key, message, "invalid_value")
    _check_values(store, body)


def _by(store: FreshdeskStore, key: str, value: str) -> Record | None:
    if key == "email":
        hits = store.contacts_with_email(value)
        return hits[0] if hits else None
    return next(
        (c for c in store.contacts.values() if not c["deleted"] and c.get(key) == value), None
    )


def _requester(store: FreshdeskStore, body: dict[str, Any]) -> int | None:
    """The requester's id: the one given, a contact found by email, phone and so on, or
    a contact made for a new requester (as Freshdesk adds one)."""
    if body.get("requester_id"):
        return int(body["requester_id"])
    for key in ("email", "phone", "twitter_id", "unique_external_id", "facebook_id"):
        value = body.get(key)
        if not value:
            continue
        contact = _by(store, key, value)
        if contact is None:
            now = now_iso()
            name = body.get("name") or (value.split("@")[0] if key == "email" else value)
            contact = {
                **CONTACT_DEFAULTS,
                "id": store.next_contact_id(),
                "name": name,
                "created_at": now,
                "updated_at": now,
            }
            if key in CONTACT_DEFAULTS:
                contact[key] = value
            store.contacts[contact["id"]] = contact
        return int(contact["id"])
    return None


def _text(description: str) -> str:
    return html.unescape(TAG.sub("", description)).strip()


def create(store: FreshdeskStore, body: dict[str, Any]) -> Record:
    """Store a new ticket (``body`` already checked) and answer it."""
    now = now_iso()
    created = datetime.fromisoformat(now.replace("Z", "+00:00"))
    requester_id = _requester(store, body)
    contact = store.contacts.get(requester_id or 0) or {}

    def stamp(days: int) -> str:
        return (created + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    ticket: Record = {
        **TICKET_DEFAULTS,
        "id": store.next_ticket_id(),
        "subject": body["subject"],
        "description": body["description"],
        "description_text": _text(body["description"]),
        "status": body.get("status", 2),
        "priority": body.get("priority", 1),
        "source": body.get("source", 2),
        "type": body.get("type"),
        "requester_id": requester_id,
        "responder_id": body.get("responder_id"),
        "group_id": body.get("group_id"),
        "product_id": body.get("product_id"),
        "company_id": body.get("company_id", contact.get("company_id")),
        "tags": list(body.get("tags", [])),
        "cc_emails": list(body.get("cc_emails", [])),
        "reply_cc_emails": list(body.get("cc_emails", [])),
        "custom_fields": dict(body.get("custom_fields", {})),
        "fr_due_by": body.get("fr_due_by") or stamp(1),
        "due_by": body.get("due_by") or stamp(3),
        "created_at": now,
        "updated_at": now,
    }
    store.tickets[ticket["id"]] = ticket
    return ticket


def update(store: FreshdeskStore, ticket: Record, body: dict[str, Any]) -> list[Change]:
    """Apply ``body`` (already checked) to ``ticket``; the changes rules listen for."""
    before = {event: ticket.get(key) for event, key in EVENT_FIELDS.items()}
    changes = dict(body)
    for key in ("email", "phone", "twitter_id", "facebook_id", "unique_external_id", "name"):
        changes.pop(key, None)
    if any(body.get(k) for k in (*REQUESTER_FIELDS, "unique_external_id")):
        changes["requester_id"] = _requester(store, body)
    if "description" in body:
        changes["description_text"] = _text(body["description"])
    ticket.update(changes, updated_at=now_iso())
    return [
        Change(event, before[event], ticket.get(key))
        for event, key in EVENT_FIELDS.items()
        if ticket.get(key) != before[event]
    ]
