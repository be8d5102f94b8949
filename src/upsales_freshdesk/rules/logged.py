"""How a logged ticket reads in Upsales: the marker that starts its description (for
finding it again, never for showing) and the notes' line that names the Freshdesk agent
who logged it. Written by the log action, read by the card."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..clients.upsales import models as us

#: The notes' line that names the Freshdesk agent who logged the ticket.
LOGGED_BY = "Logged in Freshdesk by "
#: The marker that starts a logged activity's description: ``[Freshdesk host #7]``, or
#: ``[Freshdesk #7]`` as logged before the marker named the account.
MARKER_RE = re.compile(r"^\[Freshdesk (?:\S+ )?#\d+\]\s*")


def logged_by(activity: us.Activity) -> str | None:
    """The Freshdesk agent a logged activity names in its notes, if any."""
    for line in reversed((activity.notes or "").splitlines()):
        if line.startswith(LOGGED_BY) and (name := line[len(LOGGED_BY) :].strip()):
            return name
    return None


def without_marker(description: str | None) -> str | None:
    """A description as the agent reads it: a logged ticket's subject, not our marker."""
    if not description:
        return description
    return MARKER_RE.sub("", description, count=1) or description


#: The notes' line of a ticket kept on the timeline by itself: the ticket's own
#: ``updated_at`` (ISO 8601, UTC) when the activity was last written. An event older than
#: it never overwrites the activity; the card shows it as "updated <time>".
TIMELINE_STAMP = "Kept up to date from Freshdesk; ticket updated "


def timeline_stamp(activity: us.Activity) -> datetime | None:
    """When the ticket an automatic activity shows was last changed, or None for an
    activity that is not kept up to date by itself."""
    for line in (activity.notes or "").splitlines():
        if line.startswith(TIMELINE_STAMP):
            try:
                stamp = datetime.fromisoformat(line[len(TIMELINE_STAMP) :].strip())
            except ValueError:
                return None
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return None
