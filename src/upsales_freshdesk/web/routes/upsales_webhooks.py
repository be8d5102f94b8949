"""Upsales' triggers call here when a contact or an account changes.

Upsales signs nothing: the trigger sends a secret (``UFD_UPSALES_WEBHOOK_SECRET``), in
the ``X-Webhook-Secret`` header or, where a trigger cannot set headers, as the URL's last
segment (logged as the route's template, never as the URL). Compared in constant time.
A call is a poke, never data: it names a record, and the job reads that record from
Upsales with the server's own key before anything is written.
"""

from __future__ import annotations

import re
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from ...clients import Deadline, UpstreamError, is_email
from ...push.handler import contact_job
from ...sync.fired import known
from ..background import Background
from ..deps import ServiceError, UpstreamsDep
from ..errors import ErrorResponse
from .pokes import check_secret, enabled, submit

router = APIRouter(prefix="/v1/webhooks/upsales")
ID = re.compile(r"[1-9][0-9]{0,15}")


class Poke(BaseModel):
    """What our triggers send (``upsales-freshdesk triggers install``): the record's id
    as ``{{Contact.Id}}`` renders it, and a contact's email (``{{Contact.Email}}``), by
    which the id is found when the id did not render."""

    model_config = ConfigDict(extra="ignore")
    entity: Literal["contact", "account"]
    #: A number, or the string a placeholder renders (anything else: not rendered).
    id: int | Annotated[str, StringConstraints(max_length=100)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    event: Annotated[str, StringConstraints(max_length=100)] | None = None

    @property
    def record_id(self) -> int | None:
        raw = str(self.id).strip() if self.id is not None else ""
        if not ID.fullmatch(raw):
            return None
        value = int(raw)
        return value if value <= 2**53 else None


class PokeAccepted(BaseModel):
    status: Literal["queued", "coalesced", "ignored"]


#: The lookup of a contact by email (only when the id did not render) ends within this.
LOOKUP_SECONDS = 5.0

router.responses.update({429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})


PushDep = Annotated[Background, Depends(enabled(lambda background: background.push))]


def _check(background: Background, presented: str | None) -> None:
    check_secret(presented, background.push.secret if background.push is not None else None)


async def _by_email(background: Background, email: str | None) -> int | None:
    """The one Upsales contact with ``email``, looked up now (the queue holds ids only,
    never an email), with the jobs' clients and budgets."""
    if email is None or not is_email(email.strip()) or background.push_clients is None:
        return None
    clients = background.push_clients()
    try:
        found = await clients.upsales.contacts.find_by_email(
            email.strip(), deadline=Deadline.after(LOOKUP_SECONDS)
        )
    except UpstreamError:
        raise ServiceError(503, "unavailable") from None  # Upsales may call again
    return found[0].id if len(found) == 1 else None


async def _accept(body: Poke, background: Background, upstreams: UpstreamsDep) -> Any:
    counted = upstreams.metrics.events
    if body.entity == "account":
        # No mapped Freshdesk field comes from the account (rules/fields.py): its change
        # leaves every Freshdesk contact as it is.
        counted.labels("upsales", "ignored").inc()
        await _taken(body, background, upstreams)
        return JSONResponse({"status": "ignored"}, status_code=202)
    assert background.push is not None  # checked by PushDep
    record_id = body.record_id
    if record_id is None:
        record_id = await _by_email(background, body.email)
    if record_id is None:
        counted.labels("upsales", "unknown_record").inc()
        raise ServiceError(422, "invalid_request")  # no id, and no one contact by the email
    job = contact_job(background.account, record_id, background.push.coalesce_seconds)
    result = await submit(background.queue, job, counted, "upsales")
    await _taken(body, background, upstreams)
    return JSONResponse({"status": result}, status_code=202)


async def _taken(body: Poke, background: Background, upstreams: UpstreamsDep) -> None:
    """For ``triggers status``: when the trigger's call was last taken (an event name
    and a time, nothing of the record); a refused call is not taken."""
    if (event := known(body.event)) is not None:
        now = time.time()
        await background.fired.mark(background.account, event, now)
        upstreams.metrics.trigger_last_call.labels(event).set(now)


@router.post("", response_model=PokeAccepted, status_code=202)
async def poke(
    body: Poke,
    background: PushDep,
    upstreams: UpstreamsDep,
    x_webhook_secret: Annotated[str | None, Header()] = None,
) -> Any:
    """An Upsales record changed: its Freshdesk contact follows it within seconds.

    202 once queued (or folded into the record's waiting job; "ignored" for an account,
    whose change maps to no Freshdesk field); 429 when the queue is full and 503 when it
    cannot be reached; 401 for a wrong secret; 404 when pushes are off.
    """
    _check(background, x_webhook_secret)
    return await _accept(body, background, upstreams)


@router.post("/{secret}", response_model=PokeAccepted, status_code=202)
async def poke_with_secret_in_url(
    secret: str, body: Poke, background: PushDep, upstreams: UpstreamsDep
) -> Any:
    """The same, for a trigger that cannot set headers: the secret is the last segment."""
    _check(background, secret)
    return await _accept(body, background, upstreams)
