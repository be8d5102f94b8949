"""How a logged ticket reads in Upsales: the marker that starts its description (for
finding it again, never for showing), and the notes' lines, in the language of whoever
wrote them (the agent's for "Log this ticket", the timeline's setting for the timeline):
the ticket, the Freshdesk agent who logged it, and when the timeline last kept it up to
date. Written by the log action and the timeline, read by the card and the timeline, in
whichever language they were written."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache

from ..clients.upsales import models as us
from .language import N_, SUPPORTED, translations

#: The notes' first line: the ticket it records.
TICKET_LINE = N_("Freshdesk ticket #%(id)s: %(subject)s")
#: The notes' line that names the Freshdesk agent who logged the ticket.
LOGGED_BY_LINE = N_("Logged in Freshdesk by %(name)s")
#: The marker that starts a logged activity's description: ``[Freshdesk host #7]``, or
#: ``[Freshdesk #7]`` as logged before the marker named the account.
MARKER_RE = re.compile(r"^\[Freshdesk (?:\S+ )?#\d+\]\s*")
#: The notes' line of a ticket kept on the timeline by itself: the ticket's own
#: ``updated_at`` (ISO 8601, UTC) when the activity was last written. An event older than
#: it never overwrites the activity; the card shows it as "updated <time>".
TIMELINE_STAMP_LINE = N_("Kept up to date from Freshdesk; ticket updated %(when)s")


def line(text: str, locale: str, **values: object) -> str:
    """One of the notes' lines in ``locale``, filled in."""
    return translations(locale).gettext(text) % values


@cache
def _patterns(text: str) -> tuple[re.Pattern[str], ...]:
    """``text``'s line in every language, its one placeholder as a group: a line written
    in any of them (or before the notes were translated: English) is read back."""
    found = []
    for language in SUPPORTED:
        translated = translations(language).gettext(text)
        before, _, after = re.split(r"(%\(\w+\)s)", translated, maxsplit=1)
        found.append(re.compile(f"^{re.escape(before)}(.+?){re.escape(after)}$"))
    return tuple(found)


def _value(text: str, notes_line: str) -> str | None:
    for pattern in _patterns(text):
        if (match := pattern.match(notes_line.strip())) and (value := match.group(1).strip()):
            return value
    return None


def logged_by(activity: us.Activity) -> str | None:
    """The Freshdesk agent a logged activity names in its notes, if any."""
    for notes_line in reversed((activity.notes or "").splitlines()):
        if (name := _value(LOGGED_BY_LINE, notes_line)) is not None:
            return name
    return None


def without_marker(description: str | None) -> str | None:
    """A description as the agent reads it: a logged ticket's subject, not our marker."""
    if not description:
        return description
    return MARKER_RE.sub("", description, count=1) or description


def timeline_stamp(activity: us.Activity) -> datetime | None:
    """When the ticket an automatic activity shows was last changed, or None for an
    activity that is not kept up to date by itself. The last such line: ours ends the
    notes, and a line copied from what a customer wrote (the description's opt-in) must
    not pass for it."""
    for notes_line in reversed((activity.notes or "").splitlines()):
        if (when := _value(TIMELINE_STAMP_LINE, notes_line)) is not None:
            try:
                stamp = datetime.fromisoformat(when)
            except ValueError:
                return None
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return None
