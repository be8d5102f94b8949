"""What a contact or account write sets off: the triggers whose event and criterias
match, and the web request of each of their ``SendWebRequest`` actions, placeholders
filled as the record is at the write.

Sources:

- Placeholders are ``{{Entity.Field}}``, with ``:N`` after a date for N days later:
  ``{{Client.UserId}}``, ``{{Client.AssignedUserId}}``, ``{{General.CurrentUser}}``,
  ``{{General.Today:10}}``, ``{{Order.Date:45}}`` in the recorded triggers
  (``tests/fixtures/upsales/triggers_list_live.json``). The fields of each entity are
  those of ``GET /api/v2/triggerAttributes`` (live, 9 Feb 2026, same SDK's cassettes;
  the Contact, Client and General parts in
  ``tests/fixtures/upsales/trigger_attributes_live.json``): ``Contact.Name``,
  ``Contact.ClientId``, ``Client.Www``, ``Client.VisitCity``...
- ``{{Contact.Id}}`` and ``{{Client.Id}}`` are in no recording and not among the
  attributes (no entity lists its own id; ``General.Today`` is not listed either, yet is
  used): unconfirmed. The emulator fills them with the record's id, which is what the
  receiver's triggers send (``sync/triggers.py``); check them on a live account.
- A ``SendWebRequest`` action has the properties ``URL``, ``Method``, ``ContentType``
  and ``Body``, and no header (recorded). So the request carries ``Content-Type`` from
  ``ContentType`` and no other header of the admin's; Upsales' user agent is not known.
- How a value is written into the body (escaped for JSON or not) is not documented: the
  emulator writes it as it is, so a quote in a name would break a JSON body. Placeholders
  in ``URL`` are percent-encoded (an emulator choice, so the URL stays a URL). A
  placeholder the emulator does not know is left empty (unconfirmed).
- Criterias: ``{type: "and"|"or", attribute, operator, value, orGroup}``, the recorded
  operators ``Equals``, ``NotEquals``, ``LessThan``, ``LessThanEquals``, ``GreaterThan``,
  ``GreaterThanEquals``; a value may hold a placeholder (``{{General.CurrentUser}}``).
  The recorded "and" items have ``orGroup`` 0 and the "or" items ``orGroup`` 1, read
  here as: every "and" must hold, and each "or" group needs one that holds (Upsales'
  own rule is unconfirmed). An operator or attribute the emulator does not know fails.
- An API write is made by the key's user (``General.CurrentUser``), and sets off
  triggers as any write does: Upsales' own app template skips app-trigger calls "from
  API-user" (upsales/upsales-node-integration-template ``src/routes/orderTrigger.js``),
  so such calls happen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

from ..delivery import WebhookRequest
from .outbox import Delivery, TriggerOutbox
from .store import Record, UpsalesStore
from .triggers import TriggerBook
from .writes import SELF_USER_ID

Entity = Literal["contact", "account"]
Change = Literal["insert", "update", "delete"]
PLACEHOLDER = re.compile(
    r"\{\{\s*([A-Za-z][A-Za-z0-9]*)\.([A-Za-z_][A-Za-z0-9_]*)(?::(-?\d+))?\s*\}\}"
)
#: The API's record kind -> the events' word for it (``after_client_update``).
EVENT_WORD = {"contact": "contact", "account": "client"}
ADDRESS_TYPES = ("Visit", "Mail", "Invoice", "Delivery", "Other")
ADDRESS_PARTS = {
    "Address": "address",
    "ZipCode": "zipcode",
    "City": "city",
    "State": "state",
    "Country": "country",
    "Municipality": "municipality",
}
NO_BODY = ("GET", "DELETE")


def event_name(entity: Entity, change: Change) -> str:
    return f"after_{EVENT_WORD[entity]}_{change}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _account_values(account: Mapping[str, Any] | None) -> dict[str, str]:
    if account is None:
        return {}
    users = account.get("users") or []
    values = {
        "Client.Id": account.get("id"),
        "Client.Name": account.get("name"),
        "Client.Phone": account.get("phone"),
        "Client.Www": account.get("webpage"),
        "Client.OrgNo": account.get("orgNo"),
        "Client.Notes": account.get("notes"),
        "Client.Score": account.get("score", 0),
        "Client.UserId": users[0] if users else None,  # "default.accountManager"
        "Client.RegById": account.get("regBy"),
        "Client.JourneyStep": account.get("journeyStep"),
    }
    for kind in ADDRESS_TYPES:
        addresses: list[dict[str, Any]] = account.get("addresses") or []
        found = next((a for a in addresses if a.get("type") == kind), {})
        for part, key in ADDRESS_PARTS.items():
            values[f"Client.{kind}{part}"] = found.get(key)
    return {k: _text(v) for k, v in values.items()}


def _contact_values(contact: Mapping[str, Any]) -> dict[str, str]:
    values = {
        "Contact.Id": contact.get("id"),
        "Contact.Name": contact.get("name"),
        "Contact.Phone": contact.get("phone"),
        "Contact.CellPhone": contact.get("cellPhone"),
        "Contact.Email": contact.get("email"),
        "Contact.Title": contact.get("title"),
        "Contact.LinkedIn": contact.get("linkedin"),
        "Contact.Score": contact.get("score", 0),
        "Contact.Notes": contact.get("notes"),
        "Contact.ClientId": contact.get("client"),
        "Contact.RegById": contact.get("regBy"),
        "Contact.Active": int(bool(contact.get("active", 1))),
        "Contact.JourneyStep": contact.get("journeyStep"),
    }
    return {k: _text(v) for k, v in values.items()}


def record_values(store: UpsalesStore, entity: Entity, record: Mapping[str, Any]) -> dict[str, str]:
    """Every placeholder's text for ``record`` as it is now: a contact's own fields and
    its account's, or an account's, and ``General.CurrentUser``."""
    if entity == "contact":
        client = record.get("client")
        account = store.get("accounts", client) if isinstance(client, int) else None
        values = {**_account_values(account), **_contact_values(record)}
    else:
        values = _account_values(record)
    values["General.CurrentUser"] = str(SELF_USER_ID)
    return values


def render(
    template: str,
    values: Mapping[str, str],
    *,
    today: date,
    escape: Callable[[str], str] = str,
) -> str:
    """``template`` with its placeholders filled; ``General.Today:N`` is N days from
    ``today`` (YYYY-MM-DD; the recorded triggers show only the tag)."""

    def one(match: re.Match[str]) -> str:
        entity, field, days = match.group(1), match.group(2), match.group(3)
        if (entity, field) == ("General", "Today"):
            return (today + timedelta(days=int(days or 0))).isoformat()
        return escape(values.get(f"{entity}.{field}", ""))

    return PLACEHOLDER.sub(one, template)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _holds(criteria: Mapping[str, Any], values: Mapping[str, str], today: date) -> bool:
    actual = values.get(criteria["attribute"])
    if actual is None:
        return False
    wanted = render(criteria["value"], values, today=today)
    operator = criteria["operator"]
    if operator == "Equals":
        return actual == wanted
    if operator == "NotEquals":
        return actual != wanted
    a, w = _number(actual), _number(wanted)
    if a is None or w is None:
        return False
    compare: dict[str, Callable[[float, float], bool]] = {
        "LessThan": lambda x, y: x < y,
        "LessThanEquals": lambda x, y: x <= y,
        "GreaterThan": lambda x, y: x > y,
        "GreaterThanEquals": lambda x, y: x >= y,
    }
    return operator in compare and compare[operator](a, w)


def criterias_hold(trigger: Mapping[str, Any], values: Mapping[str, str], today: date) -> bool:
    groups: dict[int, list[bool]] = {}
    for criteria in trigger["criterias"]:
        held = _holds(criteria, values, today)
        if criteria["type"] == "and" and not held:
            return False
        if criteria["type"] == "or":
            groups.setdefault(criteria["orGroup"], []).append(held)
    return all(any(group) for group in groups.values())


def web_request(
    action: Mapping[str, Any], values: Mapping[str, str], *, today: date
) -> WebhookRequest:
    """The HTTP request of one ``SendWebRequest`` action."""
    props = {p["name"]: p["value"] for p in action["properties"]}
    method = (props.get("Method") or "POST").upper()
    url = render(props.get("URL", ""), values, today=today, escape=lambda v: quote(v, safe=""))
    headers: dict[str, str] = {}
    body = b""
    if method not in NO_BODY:
        body = render(props.get("Body", ""), values, today=today).encode()
        if props.get("ContentType"):
            headers["Content-Type"] = props["ContentType"]
    return WebhookRequest(method, url, headers, body)


def fire(
    book: TriggerBook,
    outbox: TriggerOutbox,
    store: UpsalesStore,
    entity: Entity,
    change: Change,
    record: Record,
    *,
    now: datetime | None = None,
) -> list[Delivery]:
    """Run the triggers of ``entity``'s ``change`` on ``record`` (as it is at the write:
    before a delete, after an insert or update); the web requests they stage."""
    event = event_name(entity, change)
    today = (now or datetime.now(UTC)).date()
    values = record_values(store, entity, record)
    staged = []
    for trigger in book.for_event(event):
        if not criterias_hold(trigger, values, today):
            continue
        for action in trigger["actions"]:
            if action["alias"] != "SendWebRequest":
                continue  # the emulator carries out web requests only
            staged.append(
                outbox.stage(
                    trigger_id=trigger["id"],
                    event=event,
                    entity=entity,
                    record_id=int(record["id"]),
                    request=web_request(action, values, today=today),
                )
            )
    return staged
