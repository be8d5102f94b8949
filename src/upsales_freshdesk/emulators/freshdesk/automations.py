"""Freshdesk's automation rules: their JSON, its validation, and when a rule matches.

The shape is the Automations API's (``/api/v2/automations/{automation_type_id}/rules``),
as the field documentation copied into askasoft/pango
``sdk/fdk/freshdesk/automation.go`` gives it: ``name``, ``position``, ``active``,
``performer`` and ``events`` ("applicable only if automation_type_id is 4"),
``conditions`` (``[{name, match_type: all|any, properties: [{resource_type,
field_name, operator, value}]}]``), ``operator`` (AND/OR between condition sets) and
``actions``; a webhook action is ``{field_name: "trigger_webhook", request_type, url,
content_type, content_layout, content, custom_headers, auth_header, api_key}``. Types
(pango ``consts.go``): 1 ticket creation, 3 time triggers, 4 ticket updates; performer
types 1 agent, 2 requester, 3 agent or requester, 4 system. Real rules in public code
(terraform-provider-freshdesk tests, a Qorus Freshdesk trigger) show ``content_type``
"JSON", ``content_layout`` "2" for Advanced with an object as ``content``, events
``{"field_name": "status", "from": "--", "to": "--"}`` and conditions such as
``{"field_name": "status", "operator": "in", "value": [2]}``.

A rule needs at least one condition: Freshdesk has no "every ticket" rule (Zulip's
Freshdesk guide pairs "source is email" with "source is not email" for that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .placeholders import CONTENT_TYPES
from .rulebook import UPDATES, Record
from .rules import FreshdeskError, validation

WRITABLE = frozenset(
    {"name", "position", "active", "performer", "events", "conditions", "operator", "actions"}
)
ONLY_ON_UPDATES = frozenset({"performer", "events"})
REQUEST_TYPES = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Condition fields: the ticket's own key and whether the value is text.
CONDITION_FIELDS: Mapping[str, tuple[str, str]] = {
    "status": ("status", "choice"),
    "priority": ("priority", "choice"),
    "source": ("source", "choice"),
    "ticket_type": ("type", "choice"),
    "group_id": ("group_id", "choice"),
    "responder_id": ("responder_id", "choice"),
    "tag_names": ("tags", "tags"),
    "subject": ("subject", "text"),
    "description": ("description_text", "text"),
}
OPERATORS: Mapping[str, tuple[str, ...]] = {
    "choice": ("in", "not_in", "is", "is_not"),
    "tags": ("in", "not_in", "and"),
    "text": ("is", "is_not", "contains", "does_not_contain", "starts_with", "ends_with"),
}
#: Events a ticket-update rule can listen for: the ticket's key for property changes.
EVENT_FIELDS: Mapping[str, str] = {
    "status": "status",
    "priority": "priority",
    "ticket_type": "type",
    "group_id": "group_id",
    "responder_id": "responder_id",
}
NOTE_EVENT = "note_type"
ANY = "--"


@dataclass(frozen=True, slots=True)
class Change:
    """A property a write changed, named as rule events name it."""

    field: str
    old: Any
    new: Any


def _fail(field: str, message: str, code: str = "invalid_value") -> FreshdeskError:
    return validation(field, message, code)


def _one_of(field: str, value: Any, allowed: tuple[Any, ...]) -> None:
    if value not in allowed:
        listed = ",".join(str(a) for a in allowed)
        raise _fail(field, f"It should be one of these values: '{listed}'")


def _typed(field: str, value: Any, kind: type, name: str) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _fail(field, f"It should be a/an {name}", "datatype_mismatch")


def check_rule(type_id: int, body: dict[str, Any], *, creating: bool) -> None:
    """Refuse a rule the way Freshdesk does: the first problem found."""
    for key in body:
        if key not in WRITABLE or (key in ONLY_ON_UPDATES and type_id != UPDATES):
            raise _fail(key, "Unexpected/invalid field in request", "invalid_field")
    required = ["name", "conditions", "actions"]
    if type_id == UPDATES:
        required += ["performer", "events"]
    for key in required if creating else ():
        if key not in body:
            kind = {"name": "String", "performer": "key/value pair"}.get(key, "Array")
            raise _fail(key, f"It should be a/an {kind}", "missing_field")
    if "name" in body:
        _typed("name", body["name"], str, "String")
        if not body["name"].strip():
            raise _fail("name", "It should not be blank as this is a mandatory field")
    if "active" in body:
        _typed("active", body["active"], bool, "Boolean")
    if "position" in body:
        _typed("position", body["position"], int, "Positive Integer")
        if body["position"] < 1:
            raise _fail("position", "It should be a Positive Integer")
    if "operator" in body:
        _one_of("operator", str(body["operator"]).upper(), ("AND", "OR"))
    if "performer" in body:
        _check_performer(body["performer"])
    if "events" in body:
        _check_list("events", body["events"], _check_event)
    if "conditions" in body:
        _check_list("conditions", body["conditions"], _check_condition_set)
    if "actions" in body:
        _check_list("actions", body["actions"], _check_action)


def _check_list(field: str, value: Any, check: Any) -> None:
    _typed(field, value, list, "Array")
    if not value:
        raise _fail(field, "It should not be blank as this is a mandatory field", "missing_field")
    for item in value:
        _typed(field, item, dict, "key/value pair")
        check(item)


def _check_performer(value: Any) -> None:
    _typed("performer", value, dict, "key/value pair")
    _one_of("performer.type", value.get("type"), (1, 2, 3, 4))
    members = value.get("members", [])
    _typed("performer.members", members, list, "Array")
    for m in members:
        _typed("performer.members", m, int, "Positive Integer")


def _check_event(event: dict[str, Any]) -> None:
    name = event.get("field_name")
    _one_of("events.field_name", name, (*EVENT_FIELDS, NOTE_EVENT))
    if name == NOTE_EVENT:
        _one_of("events.value", event.get("value", ANY), ("public", "private", ANY))


def _check_condition_set(cond: dict[str, Any]) -> None:
    _one_of("conditions.match_type", cond.get("match_type", "all"), ("all", "any"))
    _check_list("conditions.properties", cond.get("properties"), _check_property)


def _check_property(prop: dict[str, Any]) -> None:
    _one_of("conditions.resource_type", prop.get("resource_type", "ticket"), ("ticket",))
    field_name = prop.get("field_name")
    _one_of("conditions.field_name", field_name, tuple(CONDITION_FIELDS))
    kind = CONDITION_FIELDS[str(field_name)][1]
    operator = prop.get("operator")
    _one_of("conditions.operator", operator, OPERATORS[kind])
    value = prop.get("value")
    if operator in ("in", "not_in", "and"):
        _typed("conditions.value", value, list, "Array")
    elif kind == "text":
        _typed("conditions.value", value, str, "String")


def _check_action(action: dict[str, Any]) -> None:
    _typed("actions.field_name", action.get("field_name"), str, "String")
    if action["field_name"] == "trigger_webhook":
        check_webhook(action)


def check_webhook(action: Mapping[str, Any]) -> None:
    """A "Trigger webhook" action: method, URL, encoding, content, headers and auth."""
    _one_of("actions.request_type", action.get("request_type"), REQUEST_TYPES)
    url = action.get("url")
    _typed("actions.url", url, str, "String")
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail("actions.url", "It should be in the 'valid URL' format")
    encoding = action.get("content_type", "JSON")
    _one_of("actions.content_type", encoding, tuple(CONTENT_TYPES))
    layout = str(action.get("content_layout", "2"))
    _one_of("actions.content_layout", layout, ("1", "2"))
    content = action.get("content")
    if layout == "1":
        _typed("actions.content", content, list, "Array")
        for name in content or []:
            _typed("actions.content", name, str, "String")
    elif content is not None and not isinstance(content, str):
        structured = encoding == "JSON" and isinstance(content, dict | list)
        if not structured:
            raise _fail("actions.content", "It should be a/an String", "datatype_mismatch")
    for key in ("custom_headers", "auth_header"):
        headers = action.get(key, {})
        _typed(f"actions.{key}", headers, dict, "key/value pair")
        for name, value in (headers or {}).items():
            _typed(f"actions.{key}.{name}", value, str, "String")
    auth = action.get("auth_header")
    if auth and set(auth) != {"username", "password"}:
        raise _fail("actions.auth_header", "It should contain username and password")
    if "api_key" in action:
        _typed("actions.api_key", action["api_key"], str, "String")


# -- matching ---------------------------------------------------------------------------


def _matches(prop: Mapping[str, Any], ticket: Record) -> bool:
    key, kind = CONDITION_FIELDS[prop["field_name"]]
    actual, wanted, op = ticket.get(key), prop.get("value"), prop["operator"]
    if kind == "tags":
        tags = {t.lower() for t in actual or []}
        hits = [str(w).lower() in tags for w in wanted or []]
        return {"in": any(hits), "not_in": not any(hits), "and": all(hits)}[op]
    if kind == "choice":
        values = wanted if isinstance(wanted, list) else [wanted]
        found = any(str(actual) == str(v) for v in values)
        return found if op in ("in", "is") else not found
    text, part = str(actual or "").lower(), str(wanted).lower()
    return {
        "is": text == part,
        "is_not": text != part,
        "contains": part in text,
        "does_not_contain": part not in text,
        "starts_with": text.startswith(part),
        "ends_with": text.endswith(part),
    }[op]


def conditions_match(rule: Mapping[str, Any], ticket: Record) -> bool:
    results = []
    for cond in rule["conditions"]:
        hits = [_matches(p, ticket) for p in cond["properties"]]
        results.append(all(hits) if cond.get("match_type", "all") == "all" else any(hits))
    return any(results) if rule.get("operator") == "OR" else all(results)


def _value(value: Any) -> str:
    return str(value) if value is not None else ""


def first_event(rule: Mapping[str, Any], changes: list[Change], note: str | None) -> str | None:
    """The ``triggered_event`` text of the first of the rule's events that happened."""
    for event in rule.get("events", []):
        name = event["field_name"]
        if name == NOTE_EVENT:
            if note is not None and event.get("value", ANY) in (ANY, note):
                return f"{{note_type:{note}}}"
            continue
        for change in changes:
            if change.field != name:
                continue
            was, to = event.get("from", ANY), event.get("to", ANY)
            if (was == ANY or _value(was) == _value(change.old)) and (
                to == ANY or _value(to) == _value(change.new)
            ):
                return f"{{{name}:{{from:{_value(change.old)},to:{_value(change.new)}}}}}"
    return None


def performed_by(rule: Mapping[str, Any], agent_id: int) -> bool:
    """Whether an API write by the key's agent counts as the rule's performer: agents
    (1) or agents and requesters (3), limited to ``members`` when there are any."""
    performer = rule.get("performer") or {}
    if performer.get("type") not in (1, 3):
        return False
    members = performer.get("members") or []
    return not members or agent_id in members
