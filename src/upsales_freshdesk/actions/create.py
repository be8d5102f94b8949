"""Create a missing Upsales contact: the form's proposals, and a create that never
duplicates a contact or an account, even when an answer is lost on the way back."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ..clients import (
    Deadline,
    FreshdeskClient,
    UpsalesClient,
    UpstreamError,
    canonical_email,
    email_domain,
    is_email,
)
from ..clients.blank import is_blank
from ..clients.upsales import models as us
from ..rules.fields import FieldRule, norm_text
from ..rules.matching import accounts_of_domain
from .errors import ActionError
from .uncertain import may_have_arrived


@dataclass(frozen=True, slots=True)
class AccountChoice:
    id: int
    name: str | None
    reason: Literal["website", "colleagues", "search"]


async def propose_accounts(
    ups: UpsalesClient, email: str, deadline: Deadline
) -> list[AccountChoice]:
    """Accounts that fit the email's domain: by website, then by colleagues' emails; none
    for a free-mail domain (``rules/matching.py``: a maintained list)."""
    found = await accounts_of_domain(ups, email_domain(email), deadline)
    return [AccountChoice(a.id, a.name, a.reason) for a in found]


async def search_accounts(ups: UpsalesClient, text: str, deadline: Deadline) -> list[AccountChoice]:
    found = await ups.accounts.search(text, limit=10, deadline=deadline)
    return [AccountChoice(a.id, a.name, "search") for a in found]


@dataclass(frozen=True, slots=True)
class NewContact:
    """The create form, as Upsales fields; ``email`` is canonical."""

    name: str
    email: str
    phone: str | None = None
    cell_phone: str | None = None
    title: str | None = None
    account_id: int | None = None
    new_account_name: str | None = None

    def body(self, account_id: int) -> dict[str, object]:
        body = {
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "cellPhone": self.cell_phone,
            "title": self.title,
        }
        kept = {k: v for k, v in body.items() if not is_blank(v)}  # the one "empty" rule
        return {**kept, "client": {"id": account_id}}


async def create_upsales_contact(
    ups: UpsalesClient, new: NewContact, deadline: Deadline
) -> us.Contact:
    """Create the contact, on a chosen account or on a new one. Never twice per email.

    A POST is never sent again after it may have arrived: when its answer is lost, the
    contact is looked up by email (and a new account by name) instead.
    """
    if (new.account_id is None) == (new.new_account_name is None):
        raise ActionError("invalid_request")
    if is_blank(new.name) or (new.account_id is None and is_blank(new.new_account_name)):
        raise ActionError("invalid_request")  # a name nobody can see is no name
    if await ups.contacts.find_by_email(new.email, deadline=deadline):
        raise ActionError("changed")  # it exists now (another agent, or a sync)
    account_id = new.account_id
    if account_id is None:
        account_id = (await _account_named(ups, new.new_account_name or "", deadline)).id
    try:
        return await ups.contacts.create(new.body(account_id), deadline=deadline)
    except UpstreamError as error:
        if not may_have_arrived(error):
            raise
        arrived = await ups.contacts.find_by_email(new.email, deadline=deadline)
        if len(arrived) != 1:
            raise
        return arrived[0]


async def _account_named(ups: UpsalesClient, name: str, deadline: Deadline) -> us.Account:
    """The account with exactly this name (case aside), created only if there is none."""
    if (existing := await _exact(ups, name, deadline)) is not None:
        return existing
    try:
        return await ups.accounts.create({"name": name}, deadline=deadline)
    except UpstreamError as error:
        if not may_have_arrived(error) or (found := await _exact(ups, name, deadline)) is None:
            raise
        return found


async def _exact(ups: UpsalesClient, name: str, deadline: Deadline) -> us.Account | None:
    wanted = norm_text(name)
    for account in await ups.accounts.search(name, limit=20, deadline=deadline):
        if norm_text(account.name) == wanted:
            return account
    return None


@dataclass(frozen=True, slots=True)
class FormValues:
    """The create form's fields, as Upsales names them, prefilled from Freshdesk."""

    email: str
    name: str | None = None
    phone: str | None = None
    cellPhone: str | None = None
    title: str | None = None
    account_query: str | None = None


async def prefill(
    fd_client: FreshdeskClient,
    rule: FieldRule,
    given: FormValues,
    freshdesk_contact_id: int | None,
    deadline: Deadline,
) -> FormValues:
    """Every mapped Freshdesk field of the requester's contact, as the Upsales field it
    maps to; what the app sent fills the rest. A contact that does not have the email is
    not used (the form is for that email)."""
    if freshdesk_contact_id is None:
        return given
    contact = await fd_client.contacts.get(freshdesk_contact_id, deadline=deadline)
    addresses = [e for e in (contact.email, *contact.other_emails) if e and is_email(e)]
    emails = {canonical_email(e) for e in addresses}
    if given.email not in emails:
        return given
    values = {u: getattr(contact, f, None) for f, u in rule.mapping.items()}
    return replace(given, **{k: v for k, v in values.items() if v is not None and not is_blank(v)})
