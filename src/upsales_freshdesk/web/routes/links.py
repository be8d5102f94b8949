"""The card's link, unlink and follow-up writes, and its two reads on demand: the search
for an Upsales contact and the company section.

The writes go through the same idempotency store as the other actions
(``routes/actions.py``): one click does one thing once, writes to one Freshdesk contact
(link, unlink, update) run one at a time, and a rate-limited or failed write is not
remembered, so its repeat runs again. The reads answer ``part``: HTML for a part of the
card, which the app puts in place.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...actions import follow_up, link
from ...card.customer import customer
from ...card.search import search_contacts
from ...clients import Deadline, UpstreamError
from ...rules.codes import Issue
from ...rules.contact_link import LinkField
from ..deps import ContextDep
from ..errors import upstream_error
from ..idempotency import Answer, scoped
from ..rendering.i18n import negotiate
from ..rendering.messages import done_message, localise_action
from ..rendering.render import render_template
from .action_models import (
    ACTION_ERRORS,
    ActionResponse,
    CompanySection,
    FollowUpIn,
    LinkContact,
    SearchContacts,
    UnlinkContact,
)
from .actions import _deadline, _done, _for_action, _guarded, _once

router = APIRouter(prefix="/v1/actions")
router.responses.update(ACTION_ERRORS)


@router.post("/link-contact", response_model=ActionResponse)
async def link_contact(body: LinkContact, ctx: ContextDep) -> Any:
    """Keep the picked Upsales contact on the requester's Freshdesk contact."""
    locale = negotiate(body.locale)
    clients, settings = ctx.clients, ctx.settings

    async def call() -> Answer:
        result = await link.link_contact(
            clients.freshdesk,
            clients.upsales,
            ticket_id=body.ticket_id,
            freshdesk_contact_id=body.freshdesk_contact_id,
            upsales_contact_id=body.upsales_contact_id,
            replaces=body.replaces,
            link=LinkField.of(settings.link_field),
            deadline=_deadline(settings),
        )
        kind = "linked" if result.changed else "already_linked"
        return _done("done" if result.changed else "unchanged", done_message(kind, locale))

    derived = (body.ticket_id, body.freshdesk_contact_id, body.upsales_contact_id, body.replaces)
    resource = ("freshdesk-contact", body.freshdesk_contact_id)
    return await _once(
        ctx, body, "link", derived, resource, lambda: _guarded("freshdesk", locale, call)
    )


@router.post("/unlink-contact", response_model=ActionResponse)
async def unlink_contact(body: UnlinkContact, ctx: ContextDep) -> Any:
    """Remove the link the card showed."""
    locale = negotiate(body.locale)
    clients, settings = ctx.clients, ctx.settings

    async def call() -> Answer:
        result = await link.unlink_contact(
            clients.freshdesk,
            ticket_id=body.ticket_id,
            freshdesk_contact_id=body.freshdesk_contact_id,
            upsales_contact_id=body.upsales_contact_id,
            link=LinkField.of(settings.link_field),
            deadline=_deadline(settings),
        )
        kind = "unlinked" if result.changed else "already_unlinked"
        return _done("done" if result.changed else "unchanged", done_message(kind, locale))

    derived = (body.ticket_id, body.freshdesk_contact_id, body.upsales_contact_id)
    resource = ("freshdesk-contact", body.freshdesk_contact_id)
    return await _once(
        ctx, body, "unlink", derived, resource, lambda: _guarded("freshdesk", locale, call)
    )


@router.post("/follow-up", response_model=ActionResponse)
async def create_follow_up(body: FollowUpIn, ctx: ContextDep) -> Any:
    """An open to-do or phone call for the account manager, due on the agent's date."""
    locale = negotiate(body.locale)
    clients, settings, creds = ctx.clients, ctx.settings, ctx.creds
    derived = (
        body.ticket.id,
        body.upsales_contact_id,
        body.user_id,
        body.due_date.isoformat(),
        body.note,
        body.kind,
    )
    # The click's key names its activity: a lost answer finds it, a new click makes another.
    key = body.idempotency_key or scoped("derived", *derived)

    async def call() -> Answer:
        result = await follow_up.create_follow_up(
            clients.freshdesk,
            clients.upsales,
            host=creds.host,
            ticket_id=body.ticket.id,
            upsales_contact_id=body.upsales_contact_id,
            user_id=body.user_id,
            due=body.due_date,
            note=body.note,
            kind=body.kind,
            key=key,
            link=LinkField.of(settings.link_field),
            deadline=_deadline(settings),
            locale=locale,
        )
        return _done("done", done_message("followed_up", locale), activity_id=result.activity_id)

    resource = ("follow-up", body.ticket.id)
    return await _once(
        ctx, body, "follow_up", derived, resource, lambda: _guarded("upsales", locale, call)
    )


def _text(issue: Issue) -> str:
    return issue.message


def _refused(name: str, error: UpstreamError, locale: str) -> JSONResponse:
    refused = _for_action(name, Answer(*upstream_error(error.service, error, locale)), locale)
    return JSONResponse(refused.body, status_code=refused.status, headers=refused.headers)


@router.post("/search-contacts", response_model=ActionResponse)
async def search(body: SearchContacts, ctx: ContextDep) -> Any:
    """Upsales contacts by name, email or phone, each with "Link this contact". Reads only."""
    locale = negotiate(body.locale)
    settings = ctx.settings
    try:
        found = await search_contacts(
            ctx.clients.upsales, body.query, settings.phone_region, _deadline(settings)
        )
    except UpstreamError as e:
        return _refused("search-contacts", e, locale)
    linkable = body.freshdesk_contact_id is not None
    html = render_template("search_results.html", locale, results=found, linkable=linkable)
    return ActionResponse(status="part", html=html, details={"contacts": [c.id for c in found]})


@router.post("/company", response_model=ActionResponse)
async def company(body: CompanySection, ctx: ContextDep) -> Any:
    """The company section: read when the agent expands it, never with the card."""
    locale = negotiate(body.locale)
    clients = ctx.clients
    try:
        whole = await customer(
            clients.freshdesk,
            clients.upsales,
            account_id=body.upsales_account_id,
            contact_id=body.upsales_contact_id,
            freshdesk_company_id=body.freshdesk_company_id,
            deadline=Deadline.after(ctx.settings.card_deadline_seconds),
        )
    except UpstreamError as e:
        return _refused("company", e, locale)
    shown = localise_action("company", whole.issues, locale)
    html = render_template("customer.html", locale, c=whole, issues=shown, message=_text)
    return ActionResponse(status="part", html=html)
