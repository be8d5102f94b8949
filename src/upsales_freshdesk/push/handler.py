"""The contact job as the queue runs it; which failures wait and come back is
``rules/later.attempt``'s rule."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..jobs import Handler, Job
from ..rules.later import JobClients, run_job
from .process import ContactPusher, Outcome

logger = logging.getLogger(__name__)

KIND = "upsales-contact"


def contact_job(account: str, contact_id: int, delay: float = 0.0) -> Job:
    """Every poke of one Upsales contact is the same work: folded while it waits.
    ``account`` names the Upsales key's account (its hash), never the key."""
    return Job(KIND, f"{account}:{contact_id}", {"contact_id": contact_id}, delay=delay)


def contact_handler(
    pusher: ContactPusher,
    clients: Callable[[], JobClients],
    observe: Callable[[Outcome | None, Job], None] = lambda outcome, job: None,
) -> Handler:
    async def handle(job: Job) -> None:
        contact_id = int(job.args["contact_id"])
        made = clients()
        await run_job(
            job,
            lambda: pusher.push(made.freshdesk, made.upsales, contact_id),
            refused=Outcome("skipped", "refused"),
            name="push",
            what="Upsales contact",
            key=contact_id,
            observe=observe,
            log=logger,
        )

    return handle
