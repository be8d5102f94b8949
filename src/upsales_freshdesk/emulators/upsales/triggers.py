"""Upsales' triggers (``/api/v2/triggers``): the account's rules "when this record
changes, do that", kept in the shape the live API answers.

Sources:

- The trigger's shape: a live list recorded on power.upsales.com (3 Nov 2025) in the VCR
  cassettes of the MIT-licensed upsales-python-sdk
  (``tests/cassettes/integration/test_triggers_integration/``), kept as
  ``tests/fixtures/upsales/triggers_list_live.json``: ``{id, name, description, active
  (0/1), events[], actions[{properties[{name, value}], id, action: "", description:
  null, alias}], criterias[{id, type, attribute, operator, value, orGroup,
  valueText}]}``. Every action's properties are listed by name, alphabetically, and every
  value is a string.
- The list answers ``metadata: {"total": N}`` alone, and the same body for ``limit`` 1,
  10 and 100 (one ETag, ``W/"2aef-..."``, in three cassettes): ``/triggers`` ignores
  paging. The emulator does the same.
- The events recorded: ``after_{order,client,contact,todo}_{insert,update}``. Upsales'
  app triggers also run on deletes (help centre "App triggers": ``clientdelete``,
  ``contactdelete``); the trigger events for deletes are unconfirmed, and the emulator
  takes ``after_client_delete`` and ``after_contact_delete`` by that pattern.
- Create, update and delete: the SDK's triggers resource (``upsales/resources/
  triggers.py``) uses POST, PUT and DELETE on ``/triggers``; its field notes
  (``api_endpoints_with_fields.json``, not a recording) give the writable fields
  ``name, description, active, events, actions, criterias`` and ``active`` true by
  default. No write was recorded: the answers follow Upsales' other routes (the record
  in ``{"error": null, "data": ...}``, a delete ``{"error": null}``, a 400
  ``FailedValidation`` for a body it refuses, a 404 ``NotFound``).
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import invalid

#: Recorded trigger events (see the module's sources), and the delete events taken by
#: the pattern of Upsales' app triggers (unconfirmed).
EVENTS = frozenset(
    {
        "after_order_insert",
        "after_order_update",
        "after_client_insert",
        "after_client_update",
        "after_client_delete",
        "after_contact_insert",
        "after_contact_update",
        "after_contact_delete",
        "after_todo_insert",
        "after_todo_update",
    }
)
#: The ids of a live account's triggers, actions and criterias run in the millions
#: (1001003, 1001429, 1004847); the emulator's start there too.
FIRST_IDS = {"trigger": 1001001, "action": 1001401, "criteria": 1004801}
FIELDS = ("name", "description", "active", "events", "actions", "criterias")


def _flag(value: Any) -> int:
    if isinstance(value, bool) or value in (0, 1):
        return int(value)
    raise invalid("active must be 0 or 1")


def _events(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(e, str) for e in value):
        raise invalid("events must be a list of event names")
    unknown = sorted(set(value) - EVENTS)
    if unknown:
        raise invalid(f"Invalid event: {unknown[0]}")
    return list(dict.fromkeys(value))


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(f"{what} must be a string")
    return str(value)


class TriggerBook:
    """The account's triggers, by id. Handed out as copies: the store's own stay put."""

    def __init__(self) -> None:
        self.triggers: dict[int, dict[str, Any]] = {}
        self._next = dict(FIRST_IDS)

    def clear(self) -> None:
        self.triggers.clear()
        self._next = dict(FIRST_IDS)

    def _id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] += 1
        return value

    # -- reading ---------------------------------------------------------------------

    def listed(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(self.triggers[i]) for i in sorted(self.triggers)]

    def get(self, trigger_id: int) -> dict[str, Any] | None:
        found = self.triggers.get(trigger_id)
        return None if found is None else copy.deepcopy(found)

    def for_event(self, event: str) -> list[dict[str, Any]]:
        """The active triggers that run on ``event``, by id."""
        return [t for t in self.listed() if t["active"] and event in t["events"]]

    # -- writing ---------------------------------------------------------------------

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        trigger: dict[str, Any] = {
            "id": 0,
            "name": "",
            "description": None,
            "active": 1,
            "events": [],
            "actions": [],
            "criterias": [],
        }
        self._apply(trigger, body)
        trigger["id"] = self._id("trigger")
        self.triggers[trigger["id"]] = trigger
        return copy.deepcopy(trigger)

    def update(self, trigger_id: int, body: dict[str, Any]) -> dict[str, Any] | None:
        """The keys sent change; the others stay. Actions and criterias sent replace
        the trigger's own, with new ids."""
        found = self.triggers.get(trigger_id)
        if found is None:
            return None
        draft = copy.deepcopy(found)
        self._apply(draft, body)
        self.triggers[trigger_id] = draft
        return copy.deepcopy(draft)

    def delete(self, trigger_id: int) -> bool:
        return self.triggers.pop(trigger_id, None) is not None

    def _apply(self, trigger: dict[str, Any], body: dict[str, Any]) -> None:
        if "name" in body:
            trigger["name"] = _text(body["name"], "name")
        if "description" in body:
            trigger["description"] = (
                None if body["description"] is None else _text(body["description"], "description")
            )
        if "active" in body:
            trigger["active"] = _flag(body["active"])
        if "events" in body:
            trigger["events"] = _events(body["events"])
        if "actions" in body:
            trigger["actions"] = self._actions(body["actions"])
        if "criterias" in body:
            trigger["criterias"] = self._criterias(body["criterias"])

    def _actions(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise invalid("actions must be a list")
        out = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("alias"), str):
                raise invalid("an action needs an alias")
            props = item.get("properties", [])
            if not isinstance(props, list) or not all(
                isinstance(p, dict) and isinstance(p.get("name"), str) for p in props
            ):
                raise invalid("an action's properties must be [{name, value}]")
            named = {p["name"]: _text(p.get("value"), p["name"]) for p in props}
            out.append(
                {
                    # Recorded: the properties by name, each value a string.
                    "properties": [{"name": k, "value": named[k]} for k in sorted(named)],
                    "id": self._id("action"),
                    "action": "",
                    "description": None,
                    "alias": item["alias"],
                }
            )
        return out

    def _criterias(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise invalid("criterias must be a list")
        out = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("attribute"), str):
                raise invalid("a criteria needs an attribute")
            kind = item.get("type", "and")
            if kind not in ("and", "or"):
                raise invalid("a criteria's type is and or or")
            group = item.get("orGroup", 0 if kind == "and" else 1)
            if not isinstance(group, int) or isinstance(group, bool):
                raise invalid("orGroup must be a number")
            text = _text(item.get("value"), "value")
            out.append(
                {
                    "id": self._id("criteria"),
                    "type": kind,
                    "attribute": item["attribute"],
                    "operator": _text(item.get("operator", "Equals"), "operator"),
                    "value": text,
                    "orGroup": group,
                    # Recorded: the value, or for a checkbox its label ("checked" for 1).
                    "valueText": _text(item.get("valueText", text), "valueText"),
                }
            )
        return out
