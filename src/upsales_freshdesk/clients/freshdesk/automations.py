"""Freshdesk's Automations API: the account's automation rules, by automation type.

``/api/v2/automations/{automation_type_id}/rules`` (list, create) and ``.../rules/{id}``
(view, update), as the vendor's API documentation gives them through the Go SDK
askasoft/pango (``sdk/fdk/freshdesk/automation.go``, ``automations.go``, ``consts.go``)
and the Terraform provider slop-place/terraform-provider-freshdesk
(``freshdesk/automations.go``): types 1 ticket creation, 3 time triggers, 4 ticket
updates; a list is a JSON array of rules, paged with ``Link`` like Freshdesk's other
lists. The rule's parts whose shape depends on the field they name (conditions, events,
actions) are kept as the JSON they are.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from .._coerce import Model, OptDateTime, OptStr
from ..core import HttpCore
from ..policy import Deadline

AutomationType = Literal[1, 3, 4]
TICKET_CREATION: AutomationType = 1
TIME_TRIGGERS: AutomationType = 3
TICKET_UPDATES: AutomationType = 4
PER_PAGE = 100
#: Freshdesk's lists refuse pages beyond this one.
MAX_PAGE = 300


class AutomationRule(Model):
    id: int
    name: OptStr = None
    position: int | None = None
    active: bool = False
    automation_type_id: int | None = None
    #: Ticket updates only: who must act (``{"type": 1..4, "members": [...]}``).
    performer: dict[str, Any] | None = None
    #: Ticket updates only: ``[{"field_name", "from", "to"}]``.
    events: list[dict[str, Any]] = Field(default_factory=list)
    conditions: list[dict[str, Any]] = Field(default_factory=list)
    operator: OptStr = None
    actions: list[dict[str, Any]] = Field(default_factory=list)
    created_at: OptDateTime = None
    updated_at: OptDateTime = None


def _path(type_id: AutomationType, rule_id: int | None = None) -> str:
    if type_id not in (TICKET_CREATION, TIME_TRIGGERS, TICKET_UPDATES):
        raise ValueError(f"no automation type {type_id!r}")
    path = f"automations/{int(type_id)}/rules"
    return path if rule_id is None else f"{path}/{int(rule_id)}"


class Automations:
    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def list(
        self, type_id: AutomationType, *, deadline: Deadline | None = None
    ) -> builtins.list[AutomationRule]:
        """Every rule of one type, in the order Freshdesk lists them."""
        path = _path(type_id)
        rules: builtins.list[AutomationRule] = []
        for page in range(1, MAX_PAGE + 1):
            params: dict[str, str | int] = {"page": page, "per_page": PER_PAGE}
            resp = await self._core.request("GET", path, params=params, deadline=deadline)
            if not isinstance(resp.data, builtins.list):
                raise self._core.malformed(path, "GET")
            rules.extend(self._core.parse(AutomationRule, raw, path) for raw in resp.data)
            if "next" not in resp.links:
                break
        return rules

    async def get(
        self, type_id: AutomationType, rule_id: int, *, deadline: Deadline | None = None
    ) -> AutomationRule:
        path = _path(type_id, rule_id)
        return await self._core.fetch(AutomationRule, "GET", path, deadline=deadline)

    async def create(
        self,
        type_id: AutomationType,
        body: Mapping[str, Any],
        *,
        deadline: Deadline | None = None,
    ) -> AutomationRule:
        """A new rule. Not retried (a POST could create it twice): find it by name again."""
        return await self._core.fetch(
            AutomationRule, "POST", _path(type_id), json_body=dict(body), deadline=deadline
        )

    async def update(
        self,
        type_id: AutomationType,
        rule_id: int,
        body: Mapping[str, Any],
        *,
        deadline: Deadline | None = None,
    ) -> AutomationRule:
        """PUT the given parts of the rule; the others stay as they are."""
        path = _path(type_id, rule_id)
        return await self._core.fetch(
            AutomationRule, "PUT", path, json_body=dict(body), deadline=deadline
        )
