"""Update Freshdesk from Upsales, and undo it: only the fields the agent picked, only on
the pair the card showed, only if Freshdesk did not change since, and nothing cleared
unless the agent chose to clear it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from ..clients import Deadline, FreshdeskClient, UpsalesClient, UpstreamError
from ..clients.blank import present
from ..rules.contact_link import LinkField
from ..rules.fields import (
    FIELD_PAIRS,
    DifferenceName,
    FieldRule,
    difference_of,
    pair_matches,
    sync_requester,
)
from .errors import ActionError
from .uncertain import may_have_arrived


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """The fields written, what they held before, what they hold after (as Freshdesk
    answered), and the contact's new ``updated_at``."""

    applied: tuple[DifferenceName, ...]
    previous: dict[str, str | None]
    contact_id: int
    updated_at: datetime | None
    written: dict[str, str | None]


async def update_freshdesk_from_upsales(
    fd_client: FreshdeskClient,
    us_client: UpsalesClient,
    *,
    freshdesk_contact_id: int,
    upsales_contact_id: int,
    fields: Collection[DifferenceName],
    seen_updated_at: datetime,
    deadline: Deadline,
    rule: FieldRule,
    clear: Collection[DifferenceName] = (),
    link: LinkField | None = None,
) -> UpdateResult:
    """PUT the picked fields' Upsales values on the Freshdesk contact, or refuse whole.

    A picked field whose Upsales value is empty is cleared only if it is also in ``clear``.
    Refuses ``mismatch`` when the two contacts neither share an email address nor are
    linked (``link``: where the link is kept), and
    ``changed`` when the Freshdesk contact was edited after ``seen_updated_at``.
    """
    mapped = {p.difference for p, _ in rule.pairs()}
    if not fields or not set(fields) <= mapped or not set(clear) <= set(fields):
        raise ActionError("invalid_request")
    current, source = await asyncio.gather(
        fd_client.contacts.get(freshdesk_contact_id, deadline=deadline),
        us_client.contacts.get(upsales_contact_id, deadline=deadline),
    )
    if not pair_matches(current, source, (link or LinkField()).linked_id(current)):
        raise ActionError("mismatch")  # not the pair the card showed: write nothing
    if current.updated_at != seen_updated_at:
        raise ActionError("changed")  # someone edited it since the card: write nothing
    planned = rule.changes(current, source, only=fields, clear=clear)
    try:
        synced = await sync_requester(
            fd_client, current, source, rule, only=fields, clear=clear, deadline=deadline
        )
        after = synced.contact
    except UpstreamError as error:
        # The answer was lost: read the contact again rather than guess.
        if not may_have_arrived(error):
            raise
        after = await fd_client.contacts.get(current.id, deadline=deadline)
        if rule.changes(after, source, only=fields, clear=clear):
            raise  # it did not arrive (or not whole): report the failure
    previous: dict[str, str | None] = {c.field: getattr(current, c.field, None) for c in planned}
    written: dict[str, str | None] = {c.field: getattr(after, c.field, None) for c in planned}
    applied = tuple(c.difference for c in planned)
    return UpdateResult(applied, previous, current.id, after.updated_at, written)


def _same(a: str | None, b: str | None) -> bool:
    """The same stored value (an empty one by the one rule, whatever its spelling)."""
    return present(a) == present(b)


async def restore_freshdesk(
    fd_client: FreshdeskClient,
    *,
    contact_id: int,
    previous: Mapping[str, str | None],
    written: Mapping[str, str | None],
    seen_updated_at: datetime | None,
    deadline: Deadline,
) -> tuple[DifferenceName, ...]:
    """Undo an update: put the previous values back, unless the contact changed since.

    All or nothing: ``changed`` when ``updated_at`` moved, or when a field the update
    wrote no longer holds what it wrote (a colleague's edit in the same second, which
    ``updated_at``, to the second, does not show). A colleague's value is never
    overwritten, and no field is left half undone.
    """
    names = {f: difference_of(f) for f in previous}
    if not previous or any(n is None for n in names.values()) or set(written) != set(previous):
        raise ActionError("invalid_request")
    current = await fd_client.contacts.get(contact_id, deadline=deadline)
    if current.updated_at != seen_updated_at:
        raise ActionError("changed")
    if not all(_same(getattr(current, f, None), v) for f, v in written.items()):
        raise ActionError("changed")
    changed = {f: v for f, v in previous.items() if getattr(current, f, None) != v}
    if changed:
        await fd_client.contacts.update(contact_id, changed, deadline=deadline)
    order: list[str] = [p.freshdesk for p in FIELD_PAIRS]
    restored = (names[f] for f in sorted(changed, key=order.index))
    return tuple(n for n in restored if n is not None)
