"""The ticket job as the queue runs it; which failures wait and come back is
``rules/later.attempt``'s rule."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ..jobs import Handler, Job
from ..rules.later import JobClients, run_job
from .process import Outcome, TicketLogger

logger = logging.getLogger(__name__)

KIND = "ticket"


def ticket_job(host: str, ticket_id: int) -> Job:
    """The job of one ticket: every event of a ticket is the same work (coalesced)."""
    return Job(KIND, f"{host}:{ticket_id}", {"host": host, "ticket_id": ticket_id})


def ticket_handler(
    ticket_logger: TicketLogger,
    clients_for: Callable[[str], JobClients | None],
    observe: Callable[[Outcome | None, Job], None] = lambda outcome, job: None,
) -> Handler:
    """``clients_for(host)`` gives the server's clients for that Freshdesk host, or None
    when the host is not the server's account (a job that does not belong here)."""

    async def handle(job: Job) -> None:
        host, ticket_id = str(job.args["host"]), int(job.args["ticket_id"])
        clients = clients_for(host)
        if clients is None:
            observe(Outcome("skipped", "another account"), job)
            return
        await run_job(
            job,
            lambda: ticket_logger.log(clients.freshdesk, clients.upsales, host, ticket_id),
            refused=Outcome("skipped", "refused"),
            name="timeline",
            what="ticket",
            key=ticket_id,
            observe=observe,
            log=logger,
        )

    return handle


def lag_seconds(job: Job) -> float:
    return max(0.0, time.time() - job.submitted_at)
