"""The card's weak matches, tried when no link and no email found the contact: the same
phone or mobile (step 4), then the same name at the account of the email's domain
(step 5). What they find is only suggested: the card offers "Link", never an action that
writes (``rules/matching.py`` has the rules).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..clients import Deadline, UpsalesClient, canonical_email, email_domain, is_email
from ..clients.upsales import models as us
from ..rules.matching import (
    MatchHow,
    accounts_of_domain,
    e164,
    people_named,
    phone_filters,
    same_phone,
)

#: Suggestions shown at most (the card has a search for the rest).
SHOWN = 5


@dataclass(frozen=True, slots=True)
class Requester:
    """What is known of the requester: from the Freshdesk contact, else from the app."""

    email: str
    name: str | None
    phones: tuple[str, ...]


async def by_phone(
    ups: UpsalesClient, person: Requester, region: str, deadline: Deadline
) -> list[us.Contact]:
    """Upsales contacts with one of the requester's numbers, as phone or mobile (one call)."""
    wanted = {n for n in (e164(p, region) for p in person.phones) if n}
    filters = phone_filters(person.phones, region)
    if not wanted or filters is None:
        return []
    page = await ups.contacts.list(filters, limit=50, deadline=deadline)
    return [c for c in page.items if same_phone(c, wanted, region)][:SHOWN]


async def by_name_at_domain(
    ups: UpsalesClient, person: Requester, deadline: Deadline
) -> list[us.Contact]:
    """Contacts named as the requester at the accounts of the email's domain (three calls:
    the accounts by website and by colleagues at once, then their people). Nothing for a
    free-mail domain."""
    if not person.name or not is_email(person.email):
        return []
    domain = email_domain(canonical_email(person.email))
    accounts = await accounts_of_domain(ups, domain, deadline)
    found = await people_named(ups, person.name, [a.id for a in accounts], deadline)
    return found[:SHOWN]


async def suggestions(
    ups: UpsalesClient, person: Requester, region: str, deadline: Deadline
) -> tuple[MatchHow, list[us.Contact]] | None:
    """The first weak step that finds someone, with what it found; ``None`` if neither."""
    if found := await by_phone(ups, person, region, deadline):
        return "phone", found
    if found := await by_name_at_domain(ups, person, deadline):
        return "name_at_domain", found
    return None
