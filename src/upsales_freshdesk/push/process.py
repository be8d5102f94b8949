"""One poke: read the Upsales contact as it is now and make its Freshdesk contact follow
it, through the rule "Update Freshdesk" and the bulk sync use (``sync_requester``): the
same mapping, nothing cleared without consent, an email shared by two Upsales contacts
left alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..clients import (
    Deadline,
    FreshdeskClient,
    NotFoundError,
    UpsalesClient,
    ValidationError,
    canonical_email,
    is_email,
)
from ..clients.blank import present
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us
from ..rules.contact_link import LinkField
from ..rules.fields import FieldRule, pair_matches, sync_requester
from .links import IdLinks

#: A job's calls must be done within this; past it the queue tries again later.
JOB_SECONDS = 60.0

Status = Literal["updated", "unchanged", "created", "skipped"]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    #: Why nothing was written (words for the operator's log, never contact data).
    reason: str | None = None
    fields: tuple[str, ...] = ()


def _skip(reason: str) -> Outcome:
    return Outcome("skipped", reason)


class ContactPusher:
    """Upsales contact -> Freshdesk contact. The Freshdesk contact linked to it (the
    card's "Link", ``rules/contact_link.py``) follows it whatever either side's email is
    now; else the one with its email, unless linked to another Upsales contact.
    ``links`` remembers Upsales id -> Freshdesk id (ids only), so a known pair costs a
    read by id, not a search."""

    def __init__(
        self,
        rule: FieldRule,
        links: IdLinks,
        *,
        link: LinkField | None = None,
        create_missing: bool = False,
    ) -> None:
        self.rule, self.links, self.create_missing = rule, links, create_missing
        self.link = link or LinkField()

    async def push(self, fdc: FreshdeskClient, ups: UpsalesClient, contact_id: int) -> Outcome:
        deadline = Deadline.after(JOB_SECONDS)
        try:
            source = await ups.contacts.get(contact_id, deadline=deadline)
        except NotFoundError:  # deleted, or not this key's account: nothing to follow
            return _skip("not in Upsales")
        known = await self._remembered(fdc, source.id, deadline)
        holders: list[fd.Contact] | None = None  # None: links cannot be looked up
        target: fd.Contact | Outcome | None = None
        if known is not None and self.link.linked_id(known) == source.id:
            target = known
        else:
            holders = await self._holders(fdc, source.id, deadline)
            target = _one_holder(holders)
        if target is None:
            email = present(source.email)
            if email is None or not is_email(email):
                return _skip("no valid email")
            owners = await ups.contacts.find_by_email(email, deadline=deadline)
            if any(o.id != source.id for o in owners):
                return _skip("email shared by several Upsales contacts")
            target = await self._by_email(fdc, source, known, email, deadline)
            if target is None and known is not None and self.link.linked_id(known) is None:
                # Followed before under another address: one side's email changed. A
                # new contact would be a duplicate; the agent links them on the card.
                return _skip("email changed since the last push")
            if target is None:
                return await self._create(fdc, source, email, holders, deadline)
        if isinstance(target, Outcome):
            return target
        try:
            synced = await sync_requester(fdc, target, source, self.rule, deadline=deadline)
        except ValidationError:
            return _skip("Freshdesk refused the values")
        await self.links.put(source.id, target.id)
        fields = tuple(c.field for c in synced.changes)
        return Outcome("updated" if fields else "unchanged", fields=fields)

    async def _remembered(
        self, fdc: FreshdeskClient, upsales_id: int, deadline: Deadline
    ) -> fd.Contact | None:
        remembered = await self.links.get(upsales_id)
        if remembered is None:
            return None
        try:
            known = await fdc.contacts.get(remembered, deadline=deadline)
        except NotFoundError:
            return None
        return None if known.deleted else known

    async def _holders(
        self, fdc: FreshdeskClient, upsales_id: int, deadline: Deadline
    ) -> list[fd.Contact] | None:
        """The Freshdesk contacts linked to the Upsales contact; None where the link field
        cannot be filtered on (a custom field), or Freshdesk refuses the filter (the
        field is not on the account's plan)."""
        try:
            return await self.link.holders(fdc, upsales_id, deadline=deadline)
        except ValidationError:
            return None

    async def _by_email(
        self,
        fdc: FreshdeskClient,
        source: us.Contact,
        known: fd.Contact | None,
        email: str,
        deadline: Deadline,
    ) -> fd.Contact | Outcome | None:
        if known is not None and self._unlinked_pair(known, source):
            return known
        try:
            found = await fdc.contacts.search_by_email(canonical_email(email), deadline=deadline)
        except ValueError:  # an address Freshdesk's query language cannot hold
            return _skip("no valid email")
        found = [c for c in found if pair_matches(c, source)]
        if len(found) > 1:
            return _skip("email on several Freshdesk contacts")
        if found and not self._unlinked_pair(found[0], source):
            return _skip("linked to another Upsales contact")
        return found[0] if found else None

    def _unlinked_pair(self, contact: fd.Contact, source: us.Contact) -> bool:
        """Same email, and not linked to another Upsales contact."""
        other = self.link.linked_id(contact)
        return other in (None, source.id) and pair_matches(contact, source)

    async def _create(
        self,
        fdc: FreshdeskClient,
        source: us.Contact,
        email: str,
        holders: list[fd.Contact] | None,
        deadline: Deadline,
    ) -> Outcome:
        if not self.create_missing:
            return _skip("not in Freshdesk")
        if holders is None:
            # A contact linked to it under another email cannot be ruled out: creating
            # could duplicate it. The nightly sync, which reads every link, creates it.
            return _skip("not created: the link field cannot be looked up")
        body = self.rule.create_body(source, email)
        body = {**body, **_merged(body, self.link.body(source.id))}  # found by it later
        try:
            created = await fdc.contacts.create(body, deadline=deadline)
        except ValidationError:
            # Freshdesk refuses a second contact with the email: one arrived meanwhile (or
            # this create's lost answer did arrive); the next poke or the nightly run
            # finds it by email and updates it.
            return _skip("Freshdesk refused the contact")
        await self.links.put(source.id, created.id)
        return Outcome("created", fields=tuple(body))


def _one_holder(holders: list[fd.Contact] | None) -> fd.Contact | Outcome | None:
    if not holders:
        return None
    if len(holders) > 1:  # a custom field is not kept unique by Freshdesk
        return _skip("linked from several Freshdesk contacts")
    return holders[0]


def _merged(body: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
    """The link's part of a create body, custom fields joined to the mapping's."""
    if "custom_fields" in link and isinstance(body.get("custom_fields"), dict):
        return {"custom_fields": {**body["custom_fields"], **link["custom_fields"]}}
    return link
