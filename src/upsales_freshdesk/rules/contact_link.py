"""The link between a Freshdesk contact and its Upsales contact, kept on the Freshdesk
contact, so that it survives a changed email in either system.

``UFD_LINK_FIELD`` names where it is kept:

- ``unique_external_id`` (the default): Freshdesk's "Unique external ID" contact field,
  made for an id from another system (Freshdesk API v2: contacts, ``unique_external_id``;
  ``GET /contacts?unique_external_id=`` filters by it). Its value is ``upsales:<id>``, so
  that an id another integration keeps there is never read as ours, nor overwritten.
  Freshdesk keeps it unique: two contacts cannot link to the same Upsales contact. The
  field is on the Growth, Pro and Enterprise plans (not Free) and on Pro and Enterprise
  Omnichannel (not Growth Omnichannel), once Freshdesk has enabled it for the account
  (Freshdesk article "Identifying contacts with an external ID", as Freshworks partner
  LionIce copies it, support.lionice.jp article 73000515026).
- ``custom_fields.<name>``: a custom contact field of the "single-line text" kind that
  the admin made for it (Admin > Contact fields; custom fields on Growth and above:
  Freshdesk article 203410, "Manage contact and company fields"). Its value is the
  Upsales id alone (``123``); ``upsales:123`` is read too.

A value that is neither (another system's id) is *foreign*: the card ignores it for the
match, and "Link" refuses to overwrite it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..clients import Deadline, FreshdeskClient
from ..clients.blank import present
from ..clients.freshdesk import models as fd
from ..settings import check_link_field

PREFIX = "upsales:"
DEFAULT_FIELD = "unique_external_id"
_CUSTOM = re.compile(r"^custom_fields\.([a-z0-9_]{1,64})$")
_OURS = re.compile(r"^upsales:([1-9][0-9]{0,15})$")
_BARE = re.compile(r"^[1-9][0-9]{0,15}$")


@dataclass(frozen=True, slots=True)
class Link:
    """What the field holds: our Upsales id, nothing, or another system's value."""

    upsales_id: int | None = None
    foreign: bool = False


@dataclass(frozen=True, slots=True)
class LinkField:
    field: str = DEFAULT_FIELD

    @classmethod
    def of(cls, setting: str | None) -> LinkField:
        return cls(check_link_field(setting or DEFAULT_FIELD))

    @property
    def custom(self) -> str | None:
        """The custom field's name, or ``None`` for ``unique_external_id``."""
        m = _CUSTOM.fullmatch(self.field)
        return m.group(1) if m else None

    def raw(self, contact: fd.Contact) -> Any:
        if self.custom is None:
            return contact.unique_external_id
        return contact.custom_fields.get(self.custom)

    def read(self, contact: fd.Contact) -> Link:
        raw = self.raw(contact)
        if isinstance(raw, int) and not isinstance(raw, bool) and self.custom and raw > 0:
            return Link(raw)
        text = present(raw) if isinstance(raw, str) else None
        if text is None:
            return Link(foreign=raw not in (None, "") and not isinstance(raw, str))
        if m := _OURS.fullmatch(text.strip()):
            return Link(int(m.group(1)))
        if self.custom and _BARE.fullmatch(text.strip()):
            return Link(int(text.strip()))
        return Link(foreign=True)

    def linked_id(self, contact: fd.Contact) -> int | None:
        return self.read(contact).upsales_id

    async def holders(
        self, client: FreshdeskClient, upsales_id: int, *, deadline: Deadline
    ) -> list[fd.Contact] | None:
        """The live Freshdesk contacts linked to ``upsales_id``, found from the Upsales
        side; ``None`` where the field cannot be filtered on. ``unique_external_id`` is a
        documented filter of List All Contacts; a custom field is not (Search Contacts
        takes custom fields only of some types, no statement for single-line text), so
        with one the link is read only where the contact is at hand."""
        if self.custom is not None:
            return None
        found = await client.contacts.with_external_id(self.value(upsales_id), deadline=deadline)
        return [c for c in found if not c.deleted and self.linked_id(c) == upsales_id]

    def value(self, upsales_id: int) -> str:
        return f"{PREFIX}{int(upsales_id)}" if self.custom is None else str(int(upsales_id))

    def body(self, upsales_id: int | None) -> dict[str, Any]:
        """The ``PUT /contacts/{id}`` body that sets (or, with ``None``, clears) the link.
        A custom field is sent alone: Freshdesk changes only the custom fields named (the
        emulator does; Freshdesk's docs show updates with some fields, no statement)."""
        value = None if upsales_id is None else self.value(upsales_id)
        if self.custom is None:
            return {"unique_external_id": value}
        return {"custom_fields": {self.custom: value}}
