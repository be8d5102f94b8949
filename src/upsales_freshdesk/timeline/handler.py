"""The ticket job as the queue runs it: which failures wait and come back, and which end
the job. A refusal that time can mend (429, 5xx, a timeout, a wrong key the operator may
fix) is :class:`~..jobs.Later`; only what no retry can change is given up at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..clients import (
    AuthenticationError,
    DailyCapReachedError,
    FreshdeskClient,
    PermissionDeniedError,
    RateLimitedError,
    UpsalesClient,
    UpstreamError,
    ValidationError,
)
from ..jobs import Handler, Job, Later
from ..jobs.base import backoff
from .process import Outcome, TicketLogger

logger = logging.getLogger(__name__)

KIND = "ticket"
#: A wrong or revoked key waits this long before the next try: the operator may fix it.
REFUSED_KEY_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class TicketClients:
    freshdesk: FreshdeskClient
    upsales: UpsalesClient


def ticket_job(host: str, ticket_id: int) -> Job:
    """The job of one ticket: every event of a ticket is the same work (coalesced)."""
    return Job(KIND, f"{host}:{ticket_id}", {"host": host, "ticket_id": ticket_id})


def ticket_handler(
    ticket_logger: TicketLogger,
    clients_for: Callable[[str], TicketClients | None],
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
        try:
            outcome = await ticket_logger.log(clients.freshdesk, clients.upsales, host, ticket_id)
        except DailyCapReachedError as e:
            observe(None, job)
            raise Later(e.retry_after or 3600, "daily cap") from None
        except RateLimitedError as e:
            observe(None, job)
            raise Later(e.retry_after or backoff(job.attempt), "rate limited") from None
        except (AuthenticationError, PermissionDeniedError):
            observe(None, job)
            logger.warning("timeline: %s refused the server's key", "upstream")
            raise Later(REFUSED_KEY_SECONDS, "key refused") from None
        except ValidationError as e:
            # Refused as it is: a retry sends the same. Ids and field names only.
            logger.error("timeline: %s refused the activity (%s)", e.service, e.path)
            observe(Outcome("skipped", "refused"), job)
            return
        except UpstreamError as e:
            observe(None, job)
            raise Later(e.retry_after or backoff(job.attempt), e.kind) from None
        if outcome.status == "skipped":
            logger.info("timeline: ticket %s skipped (%s)", ticket_id, outcome.reason)
        observe(outcome, job)

    return handle


def lag_seconds(job: Job) -> float:
    return max(0.0, time.time() - job.submitted_at)
