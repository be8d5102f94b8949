"""The field rule, in one place: which Upsales field fills which Freshdesk field, what
counts as a difference, and when a field may be cleared.

The card's differences, "Update Freshdesk", the bulk sync and the ticket webhook all use
this module, so what the card shows is what a write does.

Clearing is one explicit parameter, ``clear``: a Freshdesk field whose Upsales value is
empty is left alone unless it is named there. Nothing is wiped by default.

"Empty" is the product's one rule (``clients/blank.py``): ``None``, ``""``, and text made
only of whitespace, zero-width and other invisible characters. Such a value compares,
shows and writes as no value, on every field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from ..clients import Deadline, FreshdeskClient, canonical_email, is_email
from ..clients.blank import present, visible
from ..clients.freshdesk import models as fd
from ..clients.upsales import models as us

DifferenceName = Literal["name", "phone", "mobile", "title", "company"]
Values = Mapping[str, str | None]


def norm_text(value: str | None) -> str:
    """Names and titles: spacing, case and invisible characters do not make a difference."""
    return " ".join(visible(value).split()).casefold()


def norm_phone(value: str | None) -> str:
    """Phones: only digits and a leading ``+`` count (an empty value is ``""``)."""
    return re.sub(r"[^\d+]", "", present(value) or "")


@dataclass(frozen=True, slots=True)
class FieldPair:
    """One Freshdesk contact field, its default Upsales source, and how to compare them."""

    freshdesk: fd.ContactField
    upsales: us.ContactField
    difference: DifferenceName
    normalise: Callable[[str | None], str]


#: The table. ``UFD_FIELD_MAPPING`` may point a Freshdesk field at another Upsales field
#: or leave a field out; the difference name and normaliser follow the Freshdesk field.
FIELD_PAIRS: tuple[FieldPair, ...] = (
    FieldPair("name", "name", "name", norm_text),
    FieldPair("phone", "phone", "phone", norm_phone),
    FieldPair("mobile", "cellPhone", "mobile", norm_phone),
    FieldPair("job_title", "title", "title", norm_text),
)
_BY_FRESHDESK = {p.freshdesk: p for p in FIELD_PAIRS}
DEFAULT_MAPPING: Mapping[fd.ContactField, us.ContactField] = {
    p.freshdesk: p.upsales for p in FIELD_PAIRS
}


@dataclass(frozen=True, slots=True)
class Change:
    """One field to write: its Freshdesk name, difference name and the new value."""

    field: fd.ContactField
    difference: DifferenceName
    value: str | None


@dataclass(frozen=True, slots=True)
class FieldRule:
    """The table under the operator's mapping (Freshdesk field -> Upsales field)."""

    mapping: Mapping[fd.ContactField, us.ContactField]

    @classmethod
    def of(cls, mapping: Mapping[fd.ContactField, us.ContactField] | None) -> FieldRule:
        return cls(dict(DEFAULT_MAPPING if mapping is None else mapping))

    def pairs(self) -> list[tuple[FieldPair, us.ContactField]]:
        return [(_BY_FRESHDESK[f], u) for f, u in self.mapping.items()]

    def differences(
        self, freshdesk: Values, upsales: Values
    ) -> list[tuple[DifferenceName, str | None, str | None]]:
        """(name, Freshdesk value, Upsales value) where the two disagree.

        ``freshdesk`` is keyed by Freshdesk field, ``upsales`` by Upsales field. Two empty
        sides are no difference; an empty Upsales side is one (and :meth:`changes` will
        clear it only when asked). An empty value is given as ``None``.
        """
        found: list[tuple[DifferenceName, str | None, str | None]] = []
        for pair, source in self.pairs():
            a, b = present(freshdesk.get(pair.freshdesk)), present(upsales.get(source))
            if pair.normalise(a) != pair.normalise(b):
                found.append((pair.difference, a, b))
        return found

    def desired(self, source: us.Contact) -> dict[fd.ContactField, str | None]:
        """The Freshdesk values an Upsales contact asks for (empty, by the one rule, as
        ``None``: such a value is written only as a clear, and only when asked)."""
        return {f: present(getattr(source, u, None)) for f, u in self.mapping.items()}

    def changes(
        self,
        current: fd.Contact,
        source: us.Contact,
        *,
        only: Collection[DifferenceName] | None = None,
        clear: Collection[DifferenceName] = (),
    ) -> list[Change]:
        """What to write so that ``current`` follows ``source``.

        ``only`` limits the fields (by difference name; ``None`` is every mapped field).
        A field whose Upsales value is empty is cleared only when it is in ``clear``.
        """
        result: list[Change] = []
        for field, value in self.desired(source).items():
            pair = _BY_FRESHDESK[field]
            if only is not None and pair.difference not in only:
                continue
            if value is None and pair.difference not in clear:
                continue
            if pair.normalise(getattr(current, field, None)) != pair.normalise(value):
                result.append(Change(field, pair.difference, value))
        return result

    def create_body(self, source: us.Contact, email: str) -> dict[str, str]:
        """A new Freshdesk contact's body from an Upsales contact (no empty fields)."""
        body: dict[str, str] = {"email": email, "name": email}
        body.update((f, v) for f, v in self.desired(source).items() if v is not None)
        return body


def difference_of(field: str) -> DifferenceName | None:
    """The difference name of a mapped Freshdesk field (``job_title`` -> ``title``)."""
    pair = _BY_FRESHDESK.get(field)  # type: ignore[call-overload]
    return pair.difference if pair is not None else None


def as_body(changes: Collection[Change]) -> dict[str, str | None]:
    return {c.field: c.value for c in changes}


@dataclass(frozen=True, slots=True)
class Synced:
    """What :func:`sync_requester` did: the changes, and the contact as Freshdesk has it now."""

    changes: list[Change]
    contact: fd.Contact


async def sync_requester(
    client: FreshdeskClient,
    current: fd.Contact,
    source: us.Contact,
    rule: FieldRule,
    *,
    only: Collection[DifferenceName] | None = None,
    clear: Collection[DifferenceName] = (),
    deadline: Deadline | None = None,
    dry_run: bool = False,
) -> Synced:
    """Make one Freshdesk contact follow its Upsales contact: the one write path of
    "Update Freshdesk", the bulk sync and the ticket webhook.

    Computes :meth:`FieldRule.changes` and, unless ``dry_run``, writes them in one PUT.
    """
    changes = rule.changes(current, source, only=only, clear=clear)
    if not changes or dry_run:
        return Synced(changes, current)
    updated = await client.contacts.update(current.id, as_body(changes), deadline=deadline)
    return Synced(changes, updated)


def pair_matches(freshdesk: fd.Contact, upsales: us.Contact, linked_id: int | None = None) -> bool:
    """Whether the two contacts belong together: the Freshdesk contact's link names the
    Upsales contact (``linked_id``, read by ``rules/contact_link.py``), or one of its
    addresses is the Upsales contact's. A suggestion the card made from a phone or a name
    does not belong together until the agent links it."""
    if linked_id is not None and linked_id == upsales.id:
        return True
    if not upsales.email or not is_email(upsales.email):
        return False
    theirs = canonical_email(upsales.email)
    ours = [e for e in (freshdesk.email, *freshdesk.other_emails) if e and is_email(e)]
    return any(canonical_email(e) == theirs for e in ours)
