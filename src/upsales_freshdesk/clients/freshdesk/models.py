"""Freshdesk v2 resources: the fields this product uses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .._coerce import Model, OptDateTime, OptStr

#: Contact fields the product can fill from Upsales.
ContactField = Literal["name", "phone", "mobile", "job_title"]


class Contact(Model):
    id: int
    name: OptStr = None
    email: OptStr = None
    other_emails: list[str] = Field(default_factory=list)
    phone: OptStr = None
    mobile: OptStr = None
    job_title: OptStr = None
    company_id: int | None = None
    language: OptStr = None
    time_zone: OptStr = None
    active: bool = False
    deleted: bool = False
    unique_external_id: OptStr = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    created_at: OptDateTime = None
    updated_at: OptDateTime = None


class Requester(Model):
    """The ``requester`` a ticket embeds with ``include=requester``."""

    id: int
    name: OptStr = None
    email: OptStr = None
    phone: OptStr = None
    mobile: OptStr = None


class CompanyRef(Model):
    id: int
    name: OptStr = None


class Ticket(Model):
    id: int
    subject: OptStr = None
    description_text: OptStr = None
    status: int | None = None
    priority: int | None = None
    source: int | None = None
    requester_id: int | None = None
    responder_id: int | None = None
    group_id: int | None = None
    company_id: int | None = None
    type: OptStr = None
    #: A ticket marked as spam, or deleted (in the trash): "View a ticket" still answers.
    spam: bool | None = None
    deleted: bool | None = None
    tags: list[str] = Field(default_factory=list)
    created_at: OptDateTime = None
    updated_at: OptDateTime = None
    requester: Requester | None = None
    company: CompanyRef | None = None
    stats: dict[str, Any] | None = None


class Company(Model):
    id: int
    name: OptStr = None
    description: OptStr = None
    domains: list[str] = Field(default_factory=list)
    note: OptStr = None
    health_score: OptStr = None
    account_tier: OptStr = None
    industry: OptStr = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    created_at: OptDateTime = None
    updated_at: OptDateTime = None


class AgentContact(Model):
    name: OptStr = None
    email: OptStr = None
    language: OptStr = None
    time_zone: OptStr = None
    phone: OptStr = None
    mobile: OptStr = None


class Agent(Model):
    id: int
    contact: AgentContact
    available: bool | None = None
    occasional: bool | None = None


class Conversation(Model):
    """A note or reply on a ticket."""

    id: int
    body: OptStr = None
    body_text: OptStr = None
    private: bool = False
    ticket_id: int | None = None
    user_id: int | None = None
    created_at: OptDateTime = None


class SearchPage(Model):
    total: int
    results: list[Contact]
