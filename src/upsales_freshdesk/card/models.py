"""The card's request and answer: typed, and free of any language."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
)

from ..clients.blank import present
from ..rules.codes import Issue
from ..rules.inputs import Email, StrictIn
from ..rules.matching import MatchHow

#: ``suggested``: no strong match, only suggestions (same phone, same name at the company
#: of the email's domain) that no action writes on until the agent links one.
Status = Literal["found", "not_found", "ambiguous", "suggested", "partial", "error"]
Text = Annotated[str, StringConstraints(max_length=500)]


#: A value the card shows: an empty one (``clients/blank.py``: invisible text included) is
#: ``None``, as the differences and the writes read it.
Shown = Annotated[str | None, BeforeValidator(lambda v: present(v) if isinstance(v, str) else v)]


class CardTicket(StrictIn):
    id: int = Field(strict=True, gt=0, le=2**53)
    subject: Text | None = None


class RequesterIn(StrictIn):
    id: int | None = Field(default=None, strict=True, gt=0, le=2**53)
    email: Email
    name: Text | None = None
    phone: Annotated[str, StringConstraints(max_length=60)] | None = None
    mobile: Annotated[str, StringConstraints(max_length=60)] | None = None


class CompanyIn(StrictIn):
    id: int | None = Field(default=None, strict=True, gt=0, le=2**53)
    name: Text | None = None


class CardRequest(StrictIn):
    """What the app sends: the ticket and requester from the FDK data API, and the locale."""

    ticket: CardTicket
    requester: RequesterIn
    company: CompanyIn | None = None
    locale: Annotated[str, StringConstraints(max_length=35)] = "en"
    #: When the agent picked one of several matches.
    upsales_contact_id: int | None = Field(default=None, strict=True, gt=0, le=2**53)


class Person(BaseModel):
    id: int
    name: Shown = None
    email: str | None = None


class Address(BaseModel):
    type: str | None = None
    text: str


class Account(BaseModel):
    id: int
    name: Shown = None
    phone: Shown = None
    webpage: str | None = None
    addresses: list[Address] = []
    managers: list[Person] = []


class Deal(BaseModel):
    id: int
    description: str | None = None
    stage: str | None = None
    value: float | None = None
    currency: str | None = None
    probability: int
    date: datetime | None = None
    link: str | None = None


class ActivityItem(BaseModel):
    id: int
    description: str | None = None
    type: str | None = None
    date: datetime | None = None
    closed: bool
    link: str | None = None


class FreshdeskSide(BaseModel):
    id: int | None = None
    name: Shown = None
    email: str | None = None
    other_emails: list[str] = []
    phone: Shown = None
    mobile: Shown = None
    job_title: Shown = None
    company_id: int | None = None
    company: Shown = None
    updated_at: datetime | None = None
    #: The Upsales id the contact's link names (``UFD_LINK_FIELD``), if any.
    linked_id: int | None = None
    #: The link field holds another system's value: "Link" will not overwrite it.
    link_foreign: bool = False


class UpsalesSide(BaseModel):
    id: int
    name: Shown = None
    email: str | None = None
    title: Shown = None
    phone: Shown = None
    cell_phone: Shown = None
    account: Account | None = None
    opportunities: list[Deal] = []
    orders: list[Deal] = []
    activities: list[ActivityItem] = []
    matched_email: str | None = None
    #: How the card found it: always a strong match (a suggestion is a candidate).
    matched_by: MatchHow = "email"
    link: str | None = None
    #: This ticket is already logged to Upsales: when, and by whom.
    logged: Logged | None = None


class Logged(BaseModel):
    activity_id: int
    date: datetime | None = None
    by: str | None = None
    #: Kept on the Upsales timeline by itself: the ticket's last change it shows.
    updated: datetime | None = None


class Candidate(BaseModel):
    """One of several Upsales contacts that share the email, or a suggestion."""

    id: int
    name: Shown = None
    email: str | None = None
    title: Shown = None
    account: Shown = None
    #: Why it is offered: ``email`` (several share it), ``phone`` or ``name_at_domain``.
    reason: MatchHow = "email"


class Difference(BaseModel):
    field: Literal["name", "phone", "mobile", "title", "company"]
    freshdesk: Shown
    upsales: Shown
    #: Upsales has no value: copying it would empty the Freshdesk field, which is never
    #: offered by default (the agent must choose to clear it).
    clears: bool = False


class Card(BaseModel):
    freshdesk: FreshdeskSide | None = None
    upsales: UpsalesSide | None = None
    candidates: list[Candidate] = []
    #: The Freshdesk company, for the company section's tickets (the app sends it).
    freshdesk_company_id: int | None = None


class CardResult(BaseModel):
    status: Status
    card: Card
    differences: list[Difference] = []
    errors: list[Issue] = []
    timings: dict[str, float] = {}
