"""The account's automation rules, as stored: a table per automation type.

The routes validate a rule (:mod:`.automations`) before it reaches the book; the book
only keeps rules in Freshdesk's shape and hands them out in the order they run.
"""

from __future__ import annotations

import copy
from typing import Any

Record = dict[str, Any]
#: Automation types (askasoft/pango ``consts.go``, from the vendor's API docs):
#: 1 ticket creation, 3 time triggers, 4 ticket updates.
TYPES = (1, 3, 4)
CREATION, TIME_TRIGGERS, UPDATES = TYPES


class RuleBook:
    """The account's rules by type, each table keyed by rule id."""

    def __init__(self) -> None:
        self.rules: dict[int, dict[int, Record]] = {}
        self.clear()

    def clear(self) -> None:
        self.rules = {t: {} for t in TYPES}
        self._next_id = 1

    def listed(self, type_id: int) -> list[Record]:
        """The rules in the order Freshdesk runs them (position, then id)."""
        return sorted(self.rules[type_id].values(), key=lambda r: (r["position"], r["id"]))

    def get(self, type_id: int, rule_id: int) -> Record | None:
        return self.rules.get(type_id, {}).get(rule_id)

    def create(self, type_id: int, body: dict[str, Any], *, agent_id: int, now: str) -> Record:
        rule: Record = {
            "id": self._next_id,
            "name": body["name"],
            "position": body.get("position", len(self.rules[type_id]) + 1),
            "active": body.get("active", True),
            "automation_type_id": type_id,
            "conditions": copy.deepcopy(body["conditions"]),
            "operator": str(body.get("operator", "AND")).upper(),
            "actions": copy.deepcopy(body["actions"]),
            "outdated": False,
            "last_updated_by": agent_id,
            "affected_tickets_count": 0,
            "summary": {},
            "meta": {},
            "created_at": now,
            "updated_at": now,
        }
        if type_id == UPDATES:
            rule["performer"] = copy.deepcopy(body["performer"])
            rule["events"] = copy.deepcopy(body["events"])
        self._next_id += 1
        self.rules[type_id][rule["id"]] = rule
        return rule

    def update(
        self, type_id: int, rule_id: int, body: dict[str, Any], *, agent_id: int, now: str
    ) -> Record:
        rule = self.rules[type_id][rule_id]
        changes = copy.deepcopy(body)
        if "operator" in changes:
            changes["operator"] = str(changes["operator"]).upper()
        rule.update(changes, last_updated_by=agent_id, updated_at=now)
        return rule

    def delete(self, type_id: int, rule_id: int) -> None:
        del self.rules[type_id][rule_id]
