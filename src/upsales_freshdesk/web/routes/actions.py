"""Thin routes for the agent's write-back actions (each one an explicit click).

Every write runs through the idempotency store (``web/idempotency.py``): one click does
one thing once, whatever the network or the agent's double clicks do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...actions import create, log, update
from ...actions.errors import ActionError
from ...clients import Deadline, UpstreamError
from ...clients.accounts import account_key
from ...rules.codes import Code, Issue, Source
from ...rules.contact_link import LinkField
from ...rules.fields import FieldRule
from ...settings import Settings
from ..deps import Context, ContextDep
from ..errors import error_body, status_for, upstream_error
from ..idempotency import Answer, fingerprint, run_once, scoped
from ..rendering.i18n import negotiate
from ..rendering.messages import done_message, localise_action
from ..rendering.render import render_template
from ..undo import InvalidUndoError, UndoTicket
from .action_models import (
    ACTION_ERRORS,
    ActionIn,
    ActionResponse,
    ContactForm,
    CreateUpsales,
    ExistingAccount,
    LogTicket,
    UndoUpdate,
    UpdateFreshdesk,
)

router = APIRouter(prefix="/v1/actions")
#: Each action's store name (its idempotency scope) -> its route name (what the app calls it).
ROUTE_NAMES = {
    "update": "update-freshdesk",
    "undo": "undo-update",
    "create": "create-upsales",
    "log": "log-ticket",
    "link": "link-contact",
    "unlink": "unlink-contact",
    "follow_up": "follow-up",
}
router.responses.update(ACTION_ERRORS)


def _deadline(settings: Settings) -> Deadline:
    return Deadline.after(settings.card_deadline_seconds)


def _done(status: str, message: str, **details: Any) -> Answer:
    body = ActionResponse.model_validate({"status": status, "message": message, "details": details})
    return Answer(200, body.model_dump(mode="json"))


def _refused(source: Source, code: Code, locale: str) -> Answer:
    issue = Issue(source=source, code=code)
    return Answer(status_for(issue), error_body([issue], locale))


def _key_reused(locale: str) -> Answer:
    """422: the key was used for another request in the window; nothing was done."""
    return Answer(422, error_body([Issue(source="service", code="invalid_request")], locale))


async def _guarded(source: Source, locale: str, call: Callable[[], Awaitable[Answer]]) -> Answer:
    """The action's answer; a refusal or an upstream failure as the error envelope."""
    try:
        return await call()
    except ActionError as e:
        return _refused(source, e.code, locale)
    except UpstreamError as e:
        status, body, headers = upstream_error(e.service, e, locale)
        return Answer(status, body, headers)


def _for_action(name: str, answer: Answer, locale: str) -> Answer:
    """A refusal's texts as this action's: what it did not do, and whether trying again
    is safe. Every refusal passes here (the action's own, an upstream's, a reused key,
    paused writes, a replayed one), and the envelope names the action for the app."""
    errors = answer.body.get("errors") if isinstance(answer.body, dict) else None
    if answer.status == 200 or not isinstance(errors, list):
        return answer
    issues = localise_action(name, [Issue.model_validate(e) for e in errors], locale)
    body = {**answer.body, "errors": [i.model_dump(mode="json") for i in issues], "action": name}
    return replace(answer, body=body)


async def _once(
    ctx: Context,
    body: ActionIn,
    action: str,
    derived: tuple[object, ...],
    resource: tuple[object, ...],
    call: Callable[[], Awaitable[Answer]],
) -> JSONResponse:
    """Run ``call`` once per request key, one at a time per resource, in this account."""
    creds = ctx.creds
    scope = (creds.host, account_key("upsales", creds.upsales_token), action)
    asked = ("key", body.idempotency_key) if body.idempotency_key else ("derived", *derived)
    # A key the app chose names one body; a derived key is made from the body already.
    seen = body.model_dump(mode="json", exclude={"idempotency_key"})
    answer = await run_once(
        ctx.upstreams.once,
        scoped(*scope, *asked),
        scoped(*scope, *resource),
        call,
        fingerprint=fingerprint(seen) if body.idempotency_key else None,
        reused=lambda: _key_reused(negotiate(body.locale)),
    )
    answer = _for_action(ROUTE_NAMES[action], answer, negotiate(body.locale))
    headers = {**answer.headers, **({"Idempotent-Replayed": "true"} if answer.replayed else {})}
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


@router.post("/update-freshdesk", response_model=ActionResponse)
async def update_freshdesk(
    body: UpdateFreshdesk,
    ctx: ContextDep,
) -> Any:
    """Apply the picked Upsales values to the Freshdesk contact, unless it changed."""
    locale = negotiate(body.locale)
    clients, settings, upstreams, creds = ctx.clients, ctx.settings, ctx.upstreams, ctx.creds

    async def call() -> Answer:
        result = await update.update_freshdesk_from_upsales(
            clients.freshdesk,
            clients.upsales,
            freshdesk_contact_id=body.freshdesk_contact_id,
            upsales_contact_id=body.upsales_contact_id,
            fields=body.fields,
            clear=body.clear,
            seen_updated_at=body.freshdesk_updated_at,
            deadline=_deadline(settings),
            rule=FieldRule.of(settings.field_mapping),
            link=LinkField.of(settings.link_field),
        )
        if not result.applied:
            return _done("unchanged", done_message("unchanged", locale), applied=[])
        undo = upstreams.undo.issue(
            UndoTicket(
                creds.host, result.contact_id, result.previous, result.updated_at, result.written
            )
        )
        message = done_message("updated", locale, result.applied)
        return _done("done", message, applied=list(result.applied), undo=undo)

    derived = (
        body.freshdesk_contact_id,
        body.upsales_contact_id,
        sorted(body.fields),
        sorted(body.clear),
        body.freshdesk_updated_at.isoformat(),
        body.ticket_id,
    )
    resource = ("freshdesk-contact", body.freshdesk_contact_id)
    return await _once(
        ctx,
        body,
        "update",
        derived,
        resource,
        lambda: _guarded("freshdesk", locale, call),
    )


@router.post("/undo-update", response_model=ActionResponse)
async def undo_update(
    body: UndoUpdate,
    ctx: ContextDep,
) -> Any:
    """Put back what an update changed, unless the contact changed since: its
    ``updated_at`` moved, or a field the update wrote holds another value now (then
    nothing is put back, and the answer says the contact changed)."""
    locale = negotiate(body.locale)
    clients, settings, upstreams, creds = ctx.clients, ctx.settings, ctx.upstreams, ctx.creds

    async def call() -> Answer:
        try:
            ticket = upstreams.undo.read(body.token)
        except InvalidUndoError:
            return _refused("service", "invalid_request", locale)
        if ticket.host != creds.host:
            return _refused("freshdesk", "mismatch", locale)
        try:
            restored = await update.restore_freshdesk(
                clients.freshdesk,
                contact_id=ticket.contact_id,
                previous=ticket.previous,
                written=ticket.written,
                seen_updated_at=ticket.updated_at,
                deadline=_deadline(settings),
            )
        except ActionError as e:
            code: Code = "undo_changed" if e.code == "changed" else e.code
            return _refused("freshdesk", code, locale)
        return _done("done", done_message("undone", locale, restored), applied=list(restored))

    return await _once(
        ctx,
        body,
        "undo",
        (body.token,),
        ("undo", body.token),
        lambda: _guarded("freshdesk", locale, call),
    )


@router.post("/contact-form", response_model=ActionResponse)
async def contact_form(body: ContactForm, ctx: ContextDep) -> Any:
    """The form to create a missing contact, prefilled from Freshdesk, with proposed (or
    searched) accounts. It reads only; nothing is written."""
    locale = negotiate(body.locale)
    clients, settings = ctx.clients, ctx.settings
    deadline = _deadline(settings)
    try:
        given = create.FormValues(
            body.email, body.name, body.phone, body.mobile, body.title, body.account_query
        )
        rule = FieldRule.of(settings.field_mapping)
        form = await create.prefill(
            clients.freshdesk, rule, given, body.freshdesk_contact_id, deadline
        )
        if body.account_query:
            choices = await create.search_accounts(clients.upsales, body.account_query, deadline)
        else:
            choices = await create.propose_accounts(clients.upsales, body.email, deadline)
    except UpstreamError as e:
        refused = _for_action("contact-form", Answer(*upstream_error(e.service, e, locale)), locale)
        return JSONResponse(refused.body, status_code=refused.status, headers=refused.headers)
    html = render_template("contact_form.html", locale, form=form, choices=choices)
    return ActionResponse(status="form", html=html, details={"accounts": [c.id for c in choices]})


@router.post("/create-upsales", response_model=ActionResponse)
async def create_upsales(
    body: CreateUpsales,
    ctx: ContextDep,
) -> Any:
    """Create the missing contact; ten clicks create it once."""
    locale = negotiate(body.locale)
    clients, settings = ctx.clients, ctx.settings
    existing = isinstance(body.account, ExistingAccount)
    new = create.NewContact(
        name=body.name,
        email=body.email,
        phone=body.phone,
        cell_phone=body.mobile,
        title=body.title,
        account_id=body.account.id if isinstance(body.account, ExistingAccount) else None,
        new_account_name=None if existing else getattr(body.account, "name", None),
    )

    async def call() -> Answer:
        contact = await create.create_upsales_contact(clients.upsales, new, _deadline(settings))
        return _done("done", done_message("created", locale), upsales_contact_id=contact.id)

    return await _once(
        ctx,
        body,
        "create",
        (body.email,),
        ("email", body.email),
        lambda: _guarded("upsales", locale, call),
    )


@router.post("/log-ticket", response_model=ActionResponse)
async def log_ticket(
    body: LogTicket,
    ctx: ContextDep,
) -> Any:
    """A closed activity on the requester's Upsales contact and its account; once per ticket."""
    locale = negotiate(body.locale)
    clients, settings, creds = ctx.clients, ctx.settings, ctx.creds

    async def call() -> Answer:
        result = await log.log_ticket(
            clients.freshdesk,
            clients.upsales,
            host=creds.host,
            ticket_id=body.ticket.id,
            upsales_contact_id=body.upsales_contact_id,
            deadline=_deadline(settings),
            activity_type=settings.log_activity_type,
            agent=(body.agent.name or body.agent.email) if body.agent else None,
            link=LinkField.of(settings.link_field),
            locale=locale,
        )
        kind = "logged" if result.created else "already_logged"
        status = "done" if result.created else "unchanged"
        return _done(status, done_message(kind, locale), activity_id=result.activity_id)

    key = (body.ticket.id, body.upsales_contact_id)
    return await _once(
        ctx,
        body,
        "log",
        key,
        ("ticket", body.ticket.id),
        lambda: _guarded("upsales", locale, call),
    )
