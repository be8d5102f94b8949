"""How a ticket reads on the Upsales timeline: one activity per ticket, found again by
its marker, dated by the ticket, and stamped with the ticket's ``updated_at`` so that an
older event never overwrites a newer state."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from ..actions.log import TicketRef
from ..clients.freshdesk.models import Ticket
from ..clients.upsales import models as us
from ..rules.language import N_, translations
from ..rules.logged import TICKET_LINE, TIMELINE_STAMP_LINE, line

#: Freshdesk's built-in ticket statuses and priorities (API v2, "Ticket properties"), as
#: the activity's lines name them. A custom status (a number above 5) is named by its
#: number.
STATUSES = {
    2: N_("Status: Open"),
    3: N_("Status: Pending"),
    4: N_("Status: Resolved"),
    5: N_("Status: Closed"),
}
CUSTOM_STATUS = N_("Status: %(number)s")
PRIORITIES = {
    1: N_("Priority: Low"),
    2: N_("Priority: Medium"),
    3: N_("Priority: High"),
    4: N_("Priority: Urgent"),
}
AGENT_LINE = N_("Agent: %(name)s")
DONE = frozenset({4, 5})
#: Upsales' activity description holds at most this many characters.
DESCRIPTION_MAX = 250


def digest(description: object, notes: object) -> str:
    """A short hash of what an activity shows: a hash, so no ticket text is kept."""
    shown = f"{description or ''}\n{notes or ''}".encode()
    return hashlib.sha256(shown).hexdigest()[:16]


def status_line(ticket: Ticket, locale: str = "en") -> str:
    """ "Status: Open" (and " · Priority: High"), as ``locale`` reads it."""
    t = translations(locale)
    known = STATUSES.get(ticket.status or 0)
    text = t.gettext(known) if known else t.gettext(CUSTOM_STATUS) % {"number": ticket.status}
    if ticket.priority in PRIORITIES:
        text += " · " + t.gettext(PRIORITIES[ticket.priority])
    return text


def is_done(ticket: Ticket) -> bool:
    return ticket.status in DONE


def stamp_of(ticket: Ticket) -> datetime:
    """The ticket's last change, in UTC to the second (what the notes carry)."""
    moment = ticket.updated_at or ticket.created_at or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def activity_body(
    ref: TicketRef,
    ticket: Ticket,
    contact: us.Contact,
    activity_type_id: int,
    *,
    agent: str | None,
    description_lines: int | None = None,
    locale: str = "en",
) -> dict[str, object]:
    """The activity's fields, its notes in ``locale`` (the timeline's language). It is a
    record of the ticket, so it is written closed (an open activity would stand in the
    account manager's to-do list), dated by the ticket's creation and closed at its last
    change."""
    opened = stamp_of(ticket) if ticket.created_at is None else ticket.created_at
    lines = [
        line(TICKET_LINE, locale, id=ref.id, subject=ref.subject),
        status_line(ticket, locale),
    ]
    if agent:
        lines.append(line(AGENT_LINE, locale, name=" ".join(agent.split())))
    lines.append(ref.url)
    if description_lines and (text := (ticket.description_text or "").strip()):
        kept = [row.rstrip() for row in text.splitlines() if row.strip()][:description_lines]
        lines += ["", *kept, ""]
    lines.append(line(TIMELINE_STAMP_LINE, locale, when=stamp_of(ticket).isoformat()))
    body: dict[str, object] = {
        "description": f"{ref.marker} {ref.subject}"[:DESCRIPTION_MAX],
        "notes": "\n".join(lines),
        "date": opened.date().isoformat(),
        "closeDate": stamp_of(ticket).date().isoformat(),
        "contacts": [{"id": contact.id}],
        "activityType": {"id": activity_type_id},
    }
    if contact.client is not None:
        body["client"] = {"id": contact.client.id}
    return body
