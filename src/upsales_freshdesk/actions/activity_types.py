"""The Upsales activity type a ticket is logged as: one rule for every caller that logs
tickets (the agent's "Log this ticket", automatic logging).

The account's own types come from ``GET /activitytypes/activity``, custom ones
("Support", "Ärende") included. An account that does not serve that path, or refuses
it, still has Upsales' two task types (``GET /todoTypes``: a to-do and a phone call),
and the ticket is logged as one of those: the lookup degrades, it never fails the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..clients import (
    Deadline,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    UpsalesClient,
    ValidationError,
)
from .errors import ActionError

#: Whole names (any case, spaces and dashes ignored) of a type for support cases, the
#: first that exists wins: English, Swedish, Norwegian, Danish and Finnish.
SUPPORT_NAMES = (
    "support",
    "ticket",
    "ärende",
    "supportärende",
    "kundtjänst",
    "kundservice",
    "kundeservice",
    "henvendelse",
    "helpdesk",
    "servicedesk",
    "tuki",
    "asiakastuki",
    "tukipyyntö",
    "tiketti",
)
#: Parts of a name that make it one too, when no name is one of the above: "Kundsupport",
#: "Support call", "Kundärende", "Kundestøtte".
SUPPORT_PARTS = (
    "support",
    "ticket",
    "ärende",
    "kundtjänst",
    "kundservice",
    "kundeservice",
    "kundestøtte",
    "helpdesk",
    "servicedesk",
    "tukipyyntö",
    "asiakastuki",
)
#: A to-do is an open task, not a record of a ticket: never picked unless it is the only
#: type. Upsales names it "Todo" ("Att göra" in Swedish).
TODO_NAMES = frozenset({"todo", "attgöra"})
#: The account's types are not served, or not as expected: its task types stand in. A
#: rate limit, a timeout or a lost connection is not here: the task types would meet
#: the same, and the action reports it.
NOT_SERVED = (
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    ServerError,
    MalformedResponseError,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TypeChoice:
    """A type the ticket may be logged as; ``key`` is a task type's (``PHONE_CALL``),
    which names it as well as its name does."""

    id: int
    name: str
    key: str = ""


async def activity_type_id(
    us_client: UpsalesClient, wanted: str | None, *, deadline: Deadline
) -> int:
    """The id of the type to log a ticket as: ``wanted`` (``UFD_LOG_ACTIVITY_TYPE``, an id
    or a name) when set; else the first support-like type; else one that is not a to-do.

    ``wanted`` naming no type is refused (``rejected``), as is an account with no type.
    """
    return pick(await types_of(us_client, deadline), wanted)


async def types_of(us_client: UpsalesClient, deadline: Deadline) -> list[TypeChoice]:
    """The account's activity types; its task types where those are not served."""
    try:
        listed = await us_client.activity_types.list(deadline=deadline)
    except NOT_SERVED as error:
        logger.info(
            "Upsales does not serve the account's activity types (%s, status %s): "
            "logging with its task types",
            error.kind,
            error.status,
        )
        listed = []
    if listed:
        return [TypeChoice(t.id, t.name or "") for t in listed]
    tasks = await us_client.todo_types.list(deadline=deadline)
    return [TypeChoice(t.id, t.name or "", key) for key, t in tasks.items()]


def pick(types: Sequence[TypeChoice], wanted: str | None = None) -> int:
    """The rule of :func:`activity_type_id` on a list of types, in the account's order."""
    if wanted is not None and wanted.strip():
        found = _named(types, wanted.strip())
        if found is None:
            logger.warning(
                "UFD_LOG_ACTIVITY_TYPE=%r is no Upsales activity type (there are: %s)",
                wanted,
                ", ".join(f"{t.id} {t.name or t.key}" for t in types),
            )
            raise ActionError("rejected")
        return found.id
    for name in SUPPORT_NAMES:
        if (support := _named(types, name)) is not None:
            return support.id
    for t in types:
        if any(part in _fold(t.name) for part in SUPPORT_PARTS):
            return t.id
    chosen = next((t for t in types if not _is_todo(t)), None)
    if chosen is None:
        chosen = next(iter(types), None)
    if chosen is None:  # an account without activity types: nothing to log as
        raise ActionError("rejected")
    return chosen.id


def _named(types: Sequence[TypeChoice], wanted: str) -> TypeChoice | None:
    """The type whose id, name or key is ``wanted`` (names and keys in any case)."""
    folded = _fold(wanted)
    for t in types:
        if wanted == str(t.id) or (folded and folded in {_fold(t.name), _fold(t.key)}):
            return t
    return None


def _is_todo(t: TypeChoice) -> bool:
    return bool(TODO_NAMES & {_fold(t.key), _fold(t.name)})


def _fold(name: str) -> str:
    """``To-do``, ``TODO`` and ``to do`` are one name; ``PHONE_CALL`` is ``Phone call``."""
    return re.sub(r"[\W_]+", "", name.casefold())
