"""The agent's search for an Upsales contact, from the card: by email, phone or name.

- An email is found with Upsales' documented ``email=eq:`` (case aside).
- A phone (six digits or more, nothing but digits, spaces and ``+-()./``) is found with
  the documented ``eq`` on ``phone`` and ``cellPhone`` for each usual way of writing it,
  kept when the same in E.164 (``rules/matching.py``).
- Anything else is a name, found with ``name=src:`` (a substring): Upsales documents no
  comparison for part of a text, and ``src`` is the one its own web app sends
  (upsales-python-sdk, ``docs/research/advanced-query-syntax.md``); the project already
  uses it for the account search.
One call, at most :data:`LIMIT` contacts.
"""

from __future__ import annotations

import re

from ..clients import Deadline, Filters, UpsalesClient, canonical_email, is_email
from ..clients.upsales import models as us
from ..rules.matching import e164, phone_filters, same_phone
from .models import Candidate
from .shaping import candidate

LIMIT = 10
_PHONE = re.compile(r"^\+?[\d\s\-().\/]{6,40}$")


def kind_of(text: str) -> str:
    if is_email(text):
        return "email"
    if _PHONE.fullmatch(text) and sum(c.isdigit() for c in text) >= 6:
        return "phone"
    return "name"


async def search_contacts(
    ups: UpsalesClient, text: str, region: str, deadline: Deadline
) -> list[Candidate]:
    query = " ".join(text.split())
    kind = kind_of(query)
    if kind == "email":
        found = await ups.contacts.find_by_email(canonical_email(query), deadline=deadline)
        return [candidate(c, "email") for c in found[:LIMIT]]
    if kind == "phone":
        wanted = e164(query, region)
        filters = phone_filters([query], region)
        if wanted is None or filters is None:
            return []
        page = await ups.contacts.list(filters, limit=50, deadline=deadline)
        hits: list[us.Contact] = [c for c in page.items if same_phone(c, {wanted}, region)]
        return [candidate(c, "phone") for c in hits[:LIMIT]]
    if len(query) < 2:
        return []
    page = await ups.contacts.list(Filters().src("name", query), limit=LIMIT, deadline=deadline)
    return [candidate(c, "chosen") for c in page.items]
