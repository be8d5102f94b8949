"""A follow-up for the account manager, from the ticket: an open Upsales activity (a
to-do, or a phone call) on the requester's contact and account, assigned to one of the
account's managers, due on the agent's date, with the agent's note and a link back to
the ticket (Upsales' Postman collection, "Tasks > Create To-do": ``date``, ``users``,
``contacts``, ``client``, ``activityType``; no ``closeDate``, so it is open).

Each click is one follow-up: its marker names the ticket and the click's key
(``[Freshdesk acme.freshdesk.com #42 follow-up 1a2b3c4d5e]``), so a lost answer is looked
up by it and never posted twice, and a later click makes another.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..clients import Deadline, FreshdeskClient, UpsalesClient
from ..clients.upsales import models as us
from ..rules.contact_link import LinkField
from ..rules.fields import pair_matches
from ..rules.language import N_
from ..rules.logged import line
from .activity_types import activity_type_id
from .errors import ActionError
from .uncertain import create_activity, recent_activity

Kind = Literal["todo", "call"]
#: The task type each kind is, by the key of Upsales' ``/todoTypes`` (a name the account's
#: own types also carry).
TYPES: dict[Kind, str] = {"todo": "TODO", "call": "PHONE_CALL"}
#: The notes' last line, in the agent's language: the ticket, linked.
TICKET_LINK_LINE = N_("Freshdesk ticket #%(id)s: %(url)s")


@dataclass(frozen=True, slots=True)
class FollowUp:
    activity_id: int
    created: bool


def marker(host: str, ticket_id: int, key: str) -> str:
    """Names the ticket of this account, and the click (a hash of its key)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"[Freshdesk {host} #{int(ticket_id)} follow-up {digest}]"


async def create_follow_up(
    fd_client: FreshdeskClient,
    us_client: UpsalesClient,
    *,
    host: str,
    ticket_id: int,
    upsales_contact_id: int,
    user_id: int,
    due: date,
    note: str,
    kind: Kind,
    key: str,
    link: LinkField,
    deadline: Deadline,
    locale: str = "en",
) -> FollowUp:
    """Refuses ``mismatch`` (nothing written) when the Upsales contact is not the ticket
    requester's match (an email they share, or the link), or the user is not one of its
    account's managers."""
    ticket, contact = await asyncio.gather(
        fd_client.tickets.get(ticket_id, deadline=deadline),
        us_client.contacts.get(upsales_contact_id, deadline=deadline),
    )
    if ticket.requester_id is None:
        raise ActionError("mismatch")
    requester = await fd_client.contacts.get(ticket.requester_id, deadline=deadline)
    if not pair_matches(requester, contact, link.linked_id(requester)):
        raise ActionError("mismatch")
    if contact.client is None or user_id not in {u.id for u in contact.client.users}:
        raise ActionError("mismatch")  # not one of the account's managers
    mark = marker(host, ticket.id, key)

    def ours(activity: us.Activity) -> bool:
        return (activity.description or "").startswith(mark)

    if (earlier := await recent_activity(us_client, contact.id, ours, deadline)) is not None:
        return FollowUp(earlier.id, created=False)
    type_id = await activity_type_id(us_client, TYPES[kind], deadline=deadline)
    url = f"https://{host}/a/tickets/{ticket.id}"
    text = " ".join(note.split())
    body: dict[str, object] = {
        "description": f"{mark} {ticket.subject or ''}".strip()[:250],
        "notes": "\n".join(
            p for p in (text, line(TICKET_LINK_LINE, locale, id=ticket.id, url=url)) if p
        ),
        "date": due.isoformat(),
        "users": [{"id": user_id}],
        "contacts": [{"id": contact.id}],
        "client": {"id": contact.client.id},
        "activityType": {"id": type_id},
    }
    made = await create_activity(us_client, body, contact.id, ours, deadline)
    return FollowUp(made, created=True)
