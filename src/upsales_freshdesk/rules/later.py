"""Which upstream failures a queued job waits out and tries again, and which end it; and
one try of a job (a ticket's, a contact's) under that rule.

A refusal time can mend (a 429, a 5xx, a timeout, a lost connection, a daily cap, a key
the operator may fix) is :class:`~..jobs.Later`: the job is kept, not forgotten. A
refusal of the values themselves (400, 404) ends it: a retry would send the same."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ..clients import (
    AuthenticationError,
    DailyCapReachedError,
    FreshdeskClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UpsalesClient,
    UpstreamError,
    ValidationError,
)
from ..jobs import Job, Later
from ..jobs.base import backoff

ResultT = TypeVar("ResultT")
logger = logging.getLogger(__name__)


class Outcome(Protocol):
    """What a job's work ends with: ``skipped`` ones say why (words, never data)."""

    @property
    def status(self) -> str: ...
    @property
    def reason(self) -> str | None: ...


OutcomeT = TypeVar("OutcomeT", bound=Outcome)


@dataclass(frozen=True, slots=True)
class JobClients:
    """The server's own clients a job works with (its credentials, the jobs' budgets)."""

    freshdesk: FreshdeskClient
    upsales: UpsalesClient


#: A wrong or revoked key waits this long before the next try: the operator may fix it.
REFUSED_KEY_SECONDS = 300.0


def later_for(error: UpstreamError, attempt: int) -> Later | None:
    """When to try again after ``error``, or None when no retry can help."""
    if isinstance(error, DailyCapReachedError):
        return Later(error.retry_after or 3600, "daily cap")
    if isinstance(error, RateLimitedError):
        return Later(error.retry_after or backoff(attempt), "rate limited")
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return Later(REFUSED_KEY_SECONDS, "key refused")
    if isinstance(error, ValidationError | NotFoundError):
        return None
    return Later(error.retry_after or backoff(attempt), error.kind)


async def attempt(
    job: Job,
    work: Callable[[], Awaitable[ResultT]],
    *,
    refused: ResultT,
    name: str,
    observe: Callable[[ResultT | None, Job], None],
) -> ResultT:
    """One try of a job's work under :func:`later_for`'s rule: its outcome; ``refused``
    when an upstream refused it as it is (logged by kind and path, never values); a
    failure time can mend observed as None and raised as :class:`~..jobs.Later`."""
    try:
        return await work()
    except UpstreamError as e:
        later = later_for(e, job.attempt)
        if later is None:
            logger.error("%s: %s refused (%s %s)", name, e.service, e.kind, e.path)
            return refused
        observe(None, job)
        raise later from None


async def run_job(
    job: Job,
    work: Callable[[], Awaitable[OutcomeT]],
    *,
    refused: OutcomeT,
    name: str,
    what: str,
    key: int,
    observe: Callable[[OutcomeT | None, Job], None],
    log: logging.Logger,
) -> None:
    """One try of ``work`` (:func:`attempt`), its outcome observed; a skipped one logged
    to the job's own ``log`` as ``<name>: <what> <key> skipped (<reason>)``, the key and
    the reason as the record's arguments (the service's log shows only plain ones)."""
    outcome = await attempt(job, work, refused=refused, name=name, observe=observe)
    if outcome.status == "skipped":
        log.info(f"{name}: {what} %s skipped (%s)", key, outcome.reason)
    observe(outcome, job)
