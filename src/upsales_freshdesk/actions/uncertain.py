"""Whether a failed write may have arrived (and must be looked up, never re-sent), and
the one way an activity is created so that a retry never makes two."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..clients import (
    ConnectionFailedError,
    Deadline,
    Filters,
    MalformedResponseError,
    ServerError,
    UpsalesClient,
    UpstreamError,
    UpstreamTimeoutError,
)
from ..clients.upsales import models as us

#: A contact's newest activities read to find the one a write of ours made.
RECENT_ACTIVITIES = 100


def may_have_arrived(error: UpstreamError) -> bool:
    """A 5xx, a timeout, a garbled answer or a connection lost after sending: the upstream
    may have done the write. A refusal (4xx, 429) or a refused connection means it did not."""
    if isinstance(error, ConnectionFailedError):
        return error.sent
    return isinstance(error, ServerError | UpstreamTimeoutError | MalformedResponseError)


async def recent_activity(
    ups: UpsalesClient,
    contact_id: int,
    ours: Callable[[us.Activity], bool],
    deadline: Deadline,
) -> us.Activity | None:
    """The contact's newest activity that ``ours`` recognises (by its marker), if any of
    its :data:`RECENT_ACTIVITIES` newest is."""
    recent = await ups.activities.list(
        Filters().eq("contact.id", contact_id),
        limit=RECENT_ACTIVITIES,
        sort="-id",
        deadline=deadline,
    )
    return next((a for a in recent.items if ours(a)), None)


async def create_activity(
    ups: UpsalesClient,
    body: Mapping[str, object],
    contact_id: int,
    ours: Callable[[us.Activity], bool],
    deadline: Deadline,
) -> int:
    """Create the activity; when the answer was lost, the one that may have arrived is
    looked up before the error is raised, so that a retry never makes a second."""
    try:
        return (await ups.activities.create(body, deadline=deadline)).id
    except UpstreamError as error:
        if may_have_arrived(error):
            arrived = await recent_activity(ups, contact_id, ours, deadline)
            if arrived is not None:
                return arrived.id
        raise
