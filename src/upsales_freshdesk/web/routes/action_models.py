"""The actions' request and answer bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from ...rules.codes import Issue
from ...rules.inputs import Email, FilterText, StrictIn

Id = Annotated[int, Field(strict=True, gt=0, le=2**53)]
Short = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
#: One per click, made by the app; a repeat of the same key answers the first result.
IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{8,100}$")]
Field_ = Literal["name", "phone", "mobile", "title"]


class ActionIn(StrictIn):
    locale: Annotated[str, StringConstraints(max_length=35)] = "en"
    idempotency_key: IdempotencyKey | None = None


class UpdateFreshdesk(ActionIn):
    freshdesk_contact_id: Id
    upsales_contact_id: Id
    #: The fields to copy from Upsales (difference names).
    fields: list[Field_] = Field(min_length=1, max_length=4)
    #: Of those, the ones the agent chose to clear where Upsales is empty.
    clear: list[Field_] = Field(default_factory=list, max_length=4)
    #: The Freshdesk contact's ``updated_at`` as the card showed it (required: the
    #: "changed since shown" check is not optional).
    freshdesk_updated_at: datetime
    ticket_id: Id | None = None

    @model_validator(mode="after")
    def _clear_is_picked(self) -> UpdateFreshdesk:
        if not set(self.clear) <= set(self.fields):
            raise ValueError("clear names a field that is not picked")
        return self


class UndoUpdate(ActionIn):
    token: Annotated[
        str, StringConstraints(max_length=4096, pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")
    ]


class ContactForm(ActionIn):
    email: Email
    #: The requester's Freshdesk contact: the form is prefilled from it.
    freshdesk_contact_id: Id | None = None
    name: Short | None = None
    phone: Short | None = None
    mobile: Short | None = None
    title: Short | None = None
    account_query: FilterText | None = None


class ExistingAccount(StrictIn):
    id: Id


class NewAccount(StrictIn):
    name: Short = Field(min_length=1)


class CreateUpsales(ActionIn):
    email: Email
    name: Short = Field(min_length=1)
    phone: Short | None = None
    mobile: Short | None = None
    title: Short | None = None
    #: ``{"id": 26}`` for an existing account, ``{"name": "New AB"}`` for a new one.
    account: ExistingAccount | NewAccount


class LoggedTicket(StrictIn):
    id: Id
    #: Ignored: the subject is read from Freshdesk. Kept so older apps still validate.
    subject: Annotated[str, StringConstraints(max_length=500)] = ""


class LoggingAgent(StrictIn):
    """The Freshdesk agent who logs (the data API's ``loggedInUser``)."""

    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None


class LogTicket(ActionIn):
    ticket: LoggedTicket
    upsales_contact_id: Id
    #: Optional: older apps do not send it; the activity then names no agent.
    agent: LoggingAgent | None = None


class LinkContact(ActionIn):
    ticket_id: Id
    freshdesk_contact_id: Id
    upsales_contact_id: Id
    #: The link the card showed (``None``: none, or one to a deleted contact).
    replaces: Id | None = None


class UnlinkContact(ActionIn):
    ticket_id: Id
    freshdesk_contact_id: Id
    #: The linked contact the card showed: the link is removed only if it still names it.
    upsales_contact_id: Id


class FollowUpIn(ActionIn):
    ticket: LoggedTicket
    upsales_contact_id: Id
    #: The account manager (an Upsales user of the contact's account).
    user_id: Id
    due_date: date
    note: Annotated[str, StringConstraints(max_length=1000)] = ""
    kind: Literal["todo", "call"] = "todo"


class SearchContacts(ActionIn):
    query: FilterText
    #: Whether the results offer "Link this contact" (the card knows the contact).
    freshdesk_contact_id: Id | None = None


class CompanySection(ActionIn):
    upsales_account_id: Id
    upsales_contact_id: Id | None = None
    freshdesk_company_id: Id | None = None


class ActionResponse(BaseModel):
    #: ``part``: ``html`` fills a part of the card (search results, the company section).
    status: Literal["done", "unchanged", "form", "part", "error"]
    message: str = ""
    errors: list[Issue] = []
    html: str | None = None
    details: dict[str, Any] = {}


ACTION_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ActionResponse} for status in (400, 401, 403, 404, 409, 422, 429, 502, 504)
}
