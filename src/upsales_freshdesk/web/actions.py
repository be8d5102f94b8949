"""Thin routes for the agent's write-back actions (each one an explicit click)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..clients import Deadline, UpstreamError
from ..lookup import actions
from ..lookup.fields import FieldRule
from ..lookup.issues import Issue
from ..lookup.models import Email, FilterText, StrictIn, Text
from ..settings import Settings
from .deps import ClientsDep, CredentialsDep, SettingsDep
from .errors import error_response, upstream_response
from .i18n import negotiate
from .messages import done_message
from .render import render_template

router = APIRouter(prefix="/v1/actions")  # error answers: see ACTION_ERRORS below
Id = Annotated[int, Field(strict=True, gt=0, le=2**53)]
Short = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]


class ActionIn(StrictIn):
    locale: Annotated[str, StringConstraints(max_length=35)] = "en"


class UpdateFreshdesk(ActionIn):
    freshdesk_contact_id: Id
    upsales_contact_id: Id
    fields: list[Literal["name", "phone", "mobile", "title"]] = Field(min_length=1, max_length=4)
    freshdesk_updated_at: datetime | None = None


class ContactForm(ActionIn):
    email: Email
    name: Short | None = None
    phone: Short | None = None
    title: Short | None = None
    account_query: FilterText | None = None


class ExistingAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Id


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Short = Field(min_length=1)


class CreateUpsales(ActionIn):
    email: Email
    name: Short = Field(min_length=1)
    phone: Short | None = None
    title: Short | None = None
    #: ``{"id": 26}`` for an existing account, ``{"name": "New AB"}`` for a new one.
    account: ExistingAccount | NewAccount


class LoggedTicket(StrictIn):
    id: Id
    subject: Text = ""


class LogTicket(ActionIn):
    ticket: LoggedTicket
    upsales_contact_id: Id


class ActionResponse(BaseModel):
    status: Literal["done", "unchanged", "form", "error"]
    message: str = ""
    errors: list[Issue] = []
    html: str | None = None
    details: dict[str, Any] = {}


ACTION_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ActionResponse} for status in (400, 401, 403, 404, 409, 422, 429, 502)
}
router.responses.update(ACTION_ERRORS)


def _deadline(settings: Settings) -> Deadline:
    return Deadline.after(settings.card_deadline_seconds)


@router.post("/update-freshdesk", response_model=ActionResponse)
async def update_freshdesk(
    body: UpdateFreshdesk, clients: ClientsDep, settings: SettingsDep
) -> Any:
    """Apply the picked Upsales values to the Freshdesk contact, unless it changed."""
    locale = negotiate(body.locale)
    try:
        result = await actions.update_freshdesk_from_upsales(
            clients.freshdesk,
            clients.upsales,
            freshdesk_contact_id=body.freshdesk_contact_id,
            upsales_contact_id=body.upsales_contact_id,
            fields=body.fields,
            clear=body.fields,
            seen_updated_at=body.freshdesk_updated_at,
            deadline=_deadline(settings),
            rule=FieldRule.of(settings.field_mapping),
        )
    except actions.ActionError as e:
        return error_response(409 if e.code == "changed" else 400, "freshdesk", e.code, locale)
    except UpstreamError as e:
        return upstream_response(e.service, e, locale)
    kind = "updated" if result.applied else "unchanged"
    return ActionResponse(
        status="done" if result.applied else "unchanged",
        message=done_message(kind, locale),
        details={"applied": list(result.applied)},
    )


@router.post("/contact-form", response_model=ActionResponse)
async def contact_form(body: ContactForm, clients: ClientsDep, settings: SettingsDep) -> Any:
    """The form to create a missing contact, with proposed (or searched) accounts."""
    locale = negotiate(body.locale)
    deadline = _deadline(settings)
    try:
        if body.account_query:
            choices = await actions.search_accounts(clients.upsales, body.account_query, deadline)
        else:
            choices = await actions.propose_accounts(clients.upsales, body.email, deadline)
    except UpstreamError as e:
        return upstream_response("upsales", e, locale)
    html = render_template("contact_form.html", locale, form=body, choices=choices)
    return ActionResponse(status="form", html=html, details={"accounts": [c.id for c in choices]})


@router.post("/create-upsales", response_model=ActionResponse)
async def create_upsales(body: CreateUpsales, clients: ClientsDep, settings: SettingsDep) -> Any:
    locale = negotiate(body.locale)
    existing = isinstance(body.account, ExistingAccount)
    new = actions.NewContact(
        name=body.name,
        email=body.email.lower(),
        phone=body.phone,
        title=body.title,
        account_id=body.account.id if isinstance(body.account, ExistingAccount) else None,
        new_account_name=None if existing else getattr(body.account, "name", None),
    )
    try:
        contact = await actions.create_upsales_contact(clients.upsales, new, _deadline(settings))
    except actions.ActionError as e:
        return error_response(409 if e.code == "changed" else 400, "upsales", e.code, locale)
    except UpstreamError as e:
        return upstream_response("upsales", e, locale)
    return ActionResponse(
        status="done",
        message=done_message("created", locale),
        details={"upsales_contact_id": contact.id},
    )


@router.post("/log-ticket", response_model=ActionResponse)
async def log_ticket(
    body: LogTicket,
    clients: ClientsDep,
    settings: SettingsDep,
    creds: CredentialsDep,
    request: Request,
) -> Any:
    """A closed activity on the Upsales contact and its account; once per ticket."""
    locale = negotiate(body.locale)
    ticket = actions.TicketRef(
        body.ticket.id, body.ticket.subject, f"https://{creds.host}/a/tickets/{body.ticket.id}"
    )
    try:
        result = await actions.log_ticket(
            clients.upsales,
            upsales_contact_id=body.upsales_contact_id,
            ticket=ticket,
            deadline=_deadline(settings),
        )
    except UpstreamError as e:
        return upstream_response("upsales", e, locale)
    kind = "logged" if result.created else "already_logged"
    return ActionResponse(
        status="done" if result.created else "unchanged",
        message=done_message(kind, locale),
        details={"activity_id": result.activity_id},
    )
