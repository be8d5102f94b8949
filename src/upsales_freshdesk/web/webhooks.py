"""Freshdesk's "ticket created" webhook: sync that ticket's requester at once.

Freshdesk does not sign webhook calls, so the automation rule sends a secret header
(``X-Webhook-Secret``), compared in constant time. Freshdesk retries failed calls, so
the handler is idempotent: a second call finds nothing left to change.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..clients import Deadline, UpstreamError
from ..lookup.fields import FieldRule, sync_requester
from .deps import ClientsDep, ServiceError, SettingsDep

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


router.responses.update({502: {"model": WebhookResult}})


def check_webhook_secret(
    settings: SettingsDep, x_webhook_secret: Annotated[str | None, Header()] = None
) -> None:
    expected = settings.webhook_secret
    if expected is None:
        raise ServiceError(404, "invalid_request")  # not enabled
    if not x_webhook_secret or not hmac.compare_digest(
        x_webhook_secret.encode(), expected.get_secret_value().encode()
    ):
        raise ServiceError(401, "auth_failed")


@router.post("/freshdesk/ticket-created", response_model=WebhookResult)
async def ticket_created(
    body: TicketCreated,
    settings: SettingsDep,
    clients: ClientsDep,
    x_webhook_secret: Annotated[str | None, Header()] = None,
) -> Any:
    check_webhook_secret(settings, x_webhook_secret)
    deadline = Deadline.after(settings.card_deadline_seconds)
    try:
        ticket = await clients.freshdesk.tickets.get(
            body.id, include=["requester"], deadline=deadline
        )
        requester = ticket.requester
        if requester is None or not requester.email:
            return WebhookResult(status="skipped", reason="no requester email")
        matches = await clients.upsales.contacts.find_by_email(requester.email, deadline=deadline)
        if len(matches) != 1:
            reason = "not in Upsales" if not matches else "several Upsales contacts"
            return WebhookResult(status="skipped", reason=reason)
        current = await clients.freshdesk.contacts.get(requester.id, deadline=deadline)
        rule = FieldRule.of(settings.field_mapping)
        changes = await sync_requester(
            clients.freshdesk, current, matches[0], rule, deadline=deadline
        )
    except UpstreamError as e:
        # A 5xx makes Freshdesk retry later, which is what a passing failure needs.
        status = 502 if e.retryable else 200
        return JSONResponse(
            WebhookResult(status="error", reason=f"{e.service} {e.kind}").model_dump(),
            status_code=status,
        )
    fields = [c.field for c in changes]
    return WebhookResult(status="updated" if changes else "unchanged", fields=fields)
