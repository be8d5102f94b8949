"""Upsales' triggers (``/api/v2/triggers``): the account's rules "after this record
changes, do that", among them ``SendWebRequest``, a call to a URL.

The shape is a live list recorded on power.upsales.com (3 Nov 2025, cassettes of the
MIT-licensed upsales-python-sdk; ``tests/fixtures/upsales/triggers_list_live.json``):
``{id, name, description, active (0/1), events[], actions[{id, alias, properties[{name,
value}], action, description}], criterias[{id, type, attribute, operator, value,
orGroup, valueText}]}``. The list's ``metadata`` holds only ``total``, and the same
answer came back for ``limit`` 1, 10 and 100: ``/triggers`` does not page. A write's
answer is not recorded; Upsales' other writes answer the record in ``{"error": null,
"data": ...}``, which is what this reads.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from .._coerce import Flag, Model, OptStr
from ..core import HttpCore
from ..policy import Deadline
from .models import ListEnvelope, ObjectEnvelope

PATH = "triggers"
#: Asked for in case an account's list does page; the recorded one ignores it.
PAGE = 2000


class TriggerProperty(Model):
    name: str
    #: Always a string in the recording ("" included), whatever it stands for.
    value: str | None = None


class TriggerAction(Model):
    id: int | None = None
    #: What the action does: ``SendWebRequest``, ``SendMail``, ``CreateTodo``...
    alias: str
    properties: list[TriggerProperty] = Field(default_factory=list)

    def property(self, name: str) -> str | None:
        return next((p.value for p in self.properties if p.name == name), None)


class TriggerCriteria(Model):
    id: int | None = None
    type: OptStr = None
    attribute: str
    operator: OptStr = None
    value: str | None = None
    orGroup: int | None = None


class Trigger(Model):
    id: int
    name: OptStr = None
    description: OptStr = None
    active: Flag = False
    events: list[str] = Field(default_factory=list)
    actions: list[TriggerAction] = Field(default_factory=list)
    criterias: list[TriggerCriteria] = Field(default_factory=list)


class Triggers:
    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def list(self, *, deadline: Deadline | None = None) -> builtins.list[Trigger]:
        """Every trigger of the account. Pages are followed while they bring triggers not
        seen yet, so an account whose list pages is read whole, and one that answers the
        whole list to every page is read once."""
        seen: dict[int, Trigger] = {}
        offset = 0
        while True:
            page = await self._core.fetch(
                ListEnvelope[Trigger],
                "GET",
                PATH,
                params=[("limit", PAGE), ("offset", offset)],
                deadline=deadline,
            )
            new = [t for t in page.data if t.id not in seen]
            seen.update((t.id, t) for t in new)
            if not new or len(seen) >= page.metadata.total:
                return builtins.list(seen.values())
            offset = len(seen)

    async def create(self, body: Mapping[str, Any], *, deadline: Deadline | None = None) -> Trigger:
        """A new trigger. Not retried (a POST could make it twice): find it by name again."""
        one = await self._core.fetch(
            ObjectEnvelope[Trigger], "POST", PATH, json_body=dict(body), deadline=deadline
        )
        return one.data

    async def update(
        self, trigger_id: int, body: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> Trigger:
        """PUT the given parts of the trigger (send its actions and criterias whole: how
        Upsales merges a part is not documented)."""
        one = await self._core.fetch(
            ObjectEnvelope[Trigger],
            "PUT",
            f"{PATH}/{int(trigger_id)}",
            json_body=dict(body),
            deadline=deadline,
        )
        return one.data
