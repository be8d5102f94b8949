"""Link a Freshdesk contact to the Upsales contact the agent picked, or unlink it: the
link is kept on the Freshdesk contact (``rules/contact_link.py``), so it survives a
changed email in either system, and the card and the sync use it before the email.

Both refuse, writing nothing, when the Freshdesk contact is not the ticket's requester
(``mismatch``: the ids do not belong together), when the link changed since the card
showed it (``changed``), or when the field holds another system's id (``link_taken``).
A write whose answer was lost is looked up, never guessed: the contact is read again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ..clients import Deadline, FreshdeskClient, UpsalesClient, UpstreamError
from ..clients.freshdesk import models as fd
from ..rules.contact_link import LinkField
from .errors import ActionError
from .uncertain import may_have_arrived


@dataclass(frozen=True, slots=True)
class LinkResult:
    #: Whether this call wrote the link (else it was already so).
    changed: bool


async def _requester(
    fd_client: FreshdeskClient, ticket_id: int, contact_id: int, deadline: Deadline
) -> fd.Contact:
    ticket, contact = await asyncio.gather(
        fd_client.tickets.get(ticket_id, deadline=deadline),
        fd_client.contacts.get(contact_id, deadline=deadline),
    )
    if ticket.requester_id != contact.id:
        raise ActionError("mismatch")
    return contact


async def _write(
    fd_client: FreshdeskClient,
    contact: fd.Contact,
    link: LinkField,
    upsales_id: int | None,
    deadline: Deadline,
) -> None:
    try:
        await fd_client.contacts.update(contact.id, link.body(upsales_id), deadline=deadline)
    except UpstreamError as error:
        if not may_have_arrived(error):
            raise
        after = await fd_client.contacts.get(contact.id, deadline=deadline)
        if link.read(after).upsales_id != upsales_id:
            raise  # it did not arrive: report the failure


async def link_contact(
    fd_client: FreshdeskClient,
    us_client: UpsalesClient,
    *,
    ticket_id: int,
    freshdesk_contact_id: int,
    upsales_contact_id: int,
    replaces: int | None,
    link: LinkField,
    deadline: Deadline,
) -> LinkResult:
    """Keep ``upsales_contact_id`` on the ticket requester's Freshdesk contact.

    ``replaces`` is the link the card showed (``None``: none, or one to a contact that no
    longer exists, which the card also sends). The Upsales contact must exist.
    """
    contact, target = await asyncio.gather(
        _requester(fd_client, ticket_id, freshdesk_contact_id, deadline),
        us_client.contacts.get(upsales_contact_id, deadline=deadline),
    )
    current = link.read(contact)
    if current.foreign:
        raise ActionError("link_taken")
    if current.upsales_id == target.id:
        return LinkResult(changed=False)
    if current.upsales_id != replaces:
        raise ActionError("changed")  # linked elsewhere since the card: write nothing
    await _write(fd_client, contact, link, target.id, deadline)
    return LinkResult(changed=True)


async def unlink_contact(
    fd_client: FreshdeskClient,
    *,
    ticket_id: int,
    freshdesk_contact_id: int,
    upsales_contact_id: int,
    link: LinkField,
    deadline: Deadline,
) -> LinkResult:
    """Remove the link to ``upsales_contact_id`` (the one the card showed)."""
    contact = await _requester(fd_client, ticket_id, freshdesk_contact_id, deadline)
    current = link.read(contact)
    if current.upsales_id is None and not current.foreign:
        return LinkResult(changed=False)
    if current.upsales_id != upsales_contact_id:
        raise ActionError("changed")  # another link, or another system's value
    await _write(fd_client, contact, link, None, deadline)
    return LinkResult(changed=True)
