"""Freshdesk's "ticket created" webhook: sync that ticket's requester at once.

Freshdesk does not sign webhook calls, so the automation rule sends a secret header
(``X-Webhook-Secret``), compared in constant time. Freshdesk retries failed calls, so
the handler is idempotent: a second call finds nothing left to change.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ...clients import Deadline, NotFoundError, UpstreamError, ValidationError, is_email
from ...clients.blank import present
from ...rules.fields import FieldRule, sync_requester
from ...settings import Settings
from ...timeline.handler import ticket_job
from ..background import Background
from ..deps import (
    Clients,
    Credentials,
    ServiceError,
    SettingsDep,
    UpstreamsDep,
    allowed_host,
    make_clients,
)
from ..errors import ErrorResponse
from ..idempotency import Answer, scoped
from .pokes import check_secret, enabled, submit

router = APIRouter(prefix="/v1/webhooks")


class TicketCreated(BaseModel):
    model_config = ConfigDict(extra="ignore")  # admins build the payload; keep what we use
    #: A number, or the string Freshdesk's "{{ticket.id}}" placeholder gives.
    ticket_id: (
        Annotated[int, Field(strict=True, gt=0, le=2**53)]
        | Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,15}$")]
    )

    @property
    def id(self) -> int:
        return int(self.ticket_id)


class WebhookResult(BaseModel):
    status: Literal["updated", "unchanged", "skipped", "error"]
    reason: str | None = None
    fields: list[str] = []


router.responses.update({502: {"model": WebhookResult}, 503: {"model": ErrorResponse}})


async def check_webhook_secret(
    settings: SettingsDep, x_webhook_secret: Annotated[str | None, Header()] = None
) -> None:
    if settings.webhook_secret is None:
        raise ServiceError(404, "invalid_request")  # not enabled
    check_secret(x_webhook_secret, settings.webhook_secret)


async def webhook_clients(
    request: Request,
    settings: SettingsDep,
    upstreams: UpstreamsDep,
    x_freshdesk_domain: Annotated[str | None, Header()] = None,
    x_freshdesk_api_key: Annotated[str | None, Header()] = None,
    x_upsales_token: Annotated[str | None, Header()] = None,
) -> Clients:
    """The server's own credentials (the sync's ``UFD_SYNC_*``), so that the automation
    rule carries only the webhook secret. Credential headers are used only when the
    operator allowed them (``UFD_WEBHOOK_HEADER_CREDENTIALS``), and only without those."""
    server: Credentials | None = request.app.state.webhook_credentials
    if server is not None:
        return make_clients(settings, upstreams, server)
    if not settings.webhook_header_credentials:
        raise ServiceError(503, "unavailable")  # not configured: Freshdesk retries later
    if not (x_freshdesk_domain and x_freshdesk_api_key and x_upsales_token):
        raise ServiceError(400, "invalid_request")
    host = allowed_host(settings, x_freshdesk_domain)
    return make_clients(
        settings, upstreams, Credentials(host, x_freshdesk_api_key, x_upsales_token)
    )


WebhookClients = Annotated[Clients, Depends(webhook_clients)]


def _permanent(error: UpstreamError) -> bool:
    """Failures a retry cannot mend (the ticket is gone, Freshdesk refused the values)."""
    return isinstance(error, NotFoundError | ValidationError)


async def _sync_ticket(clients: Clients, settings: Settings, ticket_id: int) -> Answer:
    """Sync the ticket's requester; the answer as Freshdesk should see it."""
    deadline = Deadline.after(settings.card_deadline_seconds)
    try:
        ticket = await clients.freshdesk.tickets.get(
            ticket_id, include=["requester"], deadline=deadline
        )
        requester = ticket.requester
        email = present(requester.email) if requester is not None else None
        if requester is None or email is None:
            return _result("skipped", reason="no requester email")
        if not is_email(email):
            return _result("skipped", reason="invalid requester email")
        matches = await clients.upsales.contacts.find_by_email(email, deadline=deadline)
        if len(matches) != 1:
            reason = "not in Upsales" if not matches else "several Upsales contacts"
            return _result("skipped", reason=reason)
        current = await clients.freshdesk.contacts.get(requester.id, deadline=deadline)
        rule = FieldRule.of(settings.field_mapping)
        synced = await sync_requester(
            clients.freshdesk, current, matches[0], rule, deadline=deadline
        )
    except UpstreamError as e:
        # A 5xx makes Freshdesk retry later: anything but a permanent refusal (a garbled
        # or cut answer included) must not lose the event.
        status = 200 if _permanent(e) else 502
        return _result("error", status, reason=f"{e.service} {e.kind}")
    fields = [c.field for c in synced.changes]
    return _result("updated" if fields else "unchanged", fields=fields)


def _result(status: str, http_status: int = 200, **extra: Any) -> Answer:
    body = WebhookResult.model_validate({"status": status, **extra})
    return Answer(http_status, body.model_dump(mode="json"))


@router.post("/freshdesk/ticket-created", response_model=WebhookResult)
async def ticket_created(
    body: TicketCreated,
    settings: SettingsDep,
    upstreams: UpstreamsDep,
    _: Annotated[None, Depends(check_webhook_secret)],
    clients: WebhookClients,
) -> Any:
    """Freshdesk delivers an event more than once, and at once: one sync per ticket."""
    scope = ("webhook", clients.freshdesk.host)
    answer = await upstreams.once.run(
        scoped(*scope, "delivery", body.id),
        scoped(*scope, "ticket", body.id),
        lambda: _sync_ticket(clients, settings, body.id),
    )
    return JSONResponse(answer.body, status_code=answer.status)


class TicketEvent(BaseModel):
    """What the timeline's automation rules send: the ticket's id, as Freshdesk's
    ``{{ticket.id}}`` placeholder renders it, in the admin's own JSON ("Advanced"
    content) or wrapped in ``freshdesk_webhook`` ("Simple" content). Everything else is
    read from Freshdesk when the job runs: the event is a poke, never the data."""

    model_config = ConfigDict(extra="ignore")
    ticket_id: (
        Annotated[int, Field(strict=True, gt=0, le=2**53)]
        | Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,15}$")]
    )
    #: ``{{ticket.url}}``: when sent, its host must be the server's account.
    ticket_url: Annotated[str, StringConstraints(max_length=2048)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("freshdesk_webhook"), dict):
            return value["freshdesk_webhook"]
        return value

    @property
    def id(self) -> int:
        return int(self.ticket_id)

    def url_host(self) -> str | None:
        """The URL's host ("" for a URL with none, or one that cannot be parsed)."""
        if not self.ticket_url:
            return None
        try:
            return (urlsplit(self.ticket_url.strip()).hostname or "").lower()
        except ValueError:
            return ""


class EventAccepted(BaseModel):
    status: Literal["queued", "coalesced"]


TimelineDep = Annotated[Background, Depends(enabled(lambda background: background.timeline))]


@router.post(
    "/freshdesk/ticket-event",
    response_model=EventAccepted,
    status_code=202,
    responses={429: {"model": ErrorResponse}},
)
async def ticket_event(
    body: TicketEvent,
    upstreams: UpstreamsDep,
    _: Annotated[None, Depends(check_webhook_secret)],
    timeline: TimelineDep,
) -> Any:
    """A ticket was created or changed: its activity is brought up to date by a job.

    202 once the job is queued (or folded into the ticket's job that waits); 429 when the
    queue is full and 503 when it cannot be reached, both retried by Freshdesk; 422 for a
    ticket of another Freshdesk account, which no retry mends.
    """
    counted = upstreams.metrics.events
    host = body.url_host()
    if host is not None and host != timeline.host:
        counted.labels("ticket", "other_account").inc()
        raise ServiceError(422, "mismatch")
    result = await submit(timeline.queue, ticket_job(timeline.host, body.id), counted, "ticket")
    return JSONResponse({"status": result}, status_code=202)
