"""Log a ticket to Upsales: one closed activity on the requester's own Upsales contact,
once per ticket of each Freshdesk account."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from ..clients import Deadline, FreshdeskClient, UpsalesClient
from ..clients.upsales import models as us
from ..rules.contact_link import LinkField
from ..rules.fields import pair_matches
from ..rules.logged import LOGGED_BY_LINE, TICKET_LINE, line
from .activity_types import activity_type_id
from .errors import ActionError
from .uncertain import create_activity, recent_activity


@dataclass(frozen=True, slots=True)
class LogResult:
    activity_id: int
    created: bool


@dataclass(frozen=True, slots=True)
class TicketRef:
    """A ticket of one Freshdesk account (``host``)."""

    host: str
    id: int
    subject: str

    @property
    def url(self) -> str:
        return f"https://{self.host}/a/tickets/{self.id}"

    @property
    def marker(self) -> str:
        """Names the account: ticket 7 of two accounts is two tickets."""
        return f"[Freshdesk {self.host} #{self.id}]"

    def logged_in(self, activity: us.Activity) -> bool:
        description = activity.description or ""
        if description.startswith(self.marker):
            return True
        # Logged before the marker named the account: the notes' link names it.
        legacy = f"[Freshdesk #{self.id}]"
        return description.startswith(legacy) and self.url in (activity.notes or "").split()


async def log_ticket(
    fd_client: FreshdeskClient,
    us_client: UpsalesClient,
    *,
    host: str,
    ticket_id: int,
    upsales_contact_id: int,
    deadline: Deadline,
    activity_type: str | None = None,
    agent: str | None = None,
    link: LinkField | None = None,
    locale: str = "en",
) -> LogResult:
    """A closed activity on the contact and its account; a second log finds the first.

    The Upsales contact must be the ticket requester's match (``mismatch`` otherwise);
    the subject is read from Freshdesk, not taken from the request. ``activity_type``
    (``UFD_LOG_ACTIVITY_TYPE``) names the type by id or name; one that does not exist is
    ``rejected`` and nothing is logged. Unset, the account's support type is used
    (:func:`.activity_types.activity_type_id`). ``agent`` (the Freshdesk agent's name) is written
    in the notes (``LOGGED_BY_LINE``): the API key's Upsales user is not who logged it. The
    notes are in the agent's ``locale``.
    """
    ticket, contact = await asyncio.gather(
        fd_client.tickets.get(ticket_id, deadline=deadline),
        us_client.contacts.get(upsales_contact_id, deadline=deadline),
    )
    if ticket.requester_id is None:
        raise ActionError("mismatch")
    requester = await fd_client.contacts.get(ticket.requester_id, deadline=deadline)
    if not pair_matches(requester, contact, (link or LinkField()).linked_id(requester)):
        raise ActionError("mismatch")
    ref = TicketRef(host, ticket.id, ticket.subject or "")
    earlier = await recent_activity(us_client, contact.id, ref.logged_in, deadline)
    if earlier is not None:
        return LogResult(earlier.id, created=False)
    type_id = await activity_type_id(us_client, activity_type, deadline=deadline)
    body = _activity(ref, contact, type_id, agent, locale)
    created = await create_activity(us_client, body, contact.id, ref.logged_in, deadline)
    return LogResult(created, created=True)


def _activity(
    ref: TicketRef,
    contact: us.Contact,
    activity_type_id: int,
    agent: str | None = None,
    locale: str = "en",
) -> dict[str, object]:
    today = datetime.now(UTC).date().isoformat()
    notes = line(TICKET_LINE, locale, id=ref.id, subject=ref.subject) + f"\n{ref.url}"
    if agent and (name := " ".join(agent.split())):
        notes += "\n" + line(LOGGED_BY_LINE, locale, name=name)
    body: dict[str, object] = {
        "description": f"{ref.marker} {ref.subject}"[:250],
        "notes": notes,
        "date": today,
        "closeDate": today,
        "contacts": [{"id": contact.id}],
        "activityType": {"id": activity_type_id},
    }
    if contact.client is not None:
        body["client"] = {"id": contact.client.id}
    return body
