"""Links into Upsales: only absolute http(s) URLs ever become links.

CRM data is untrusted: a website of ``https://[x`` is shown as text, never a link and
never an error. The contact, deal and activity links come from the operator's templates
(``UFD_UPSALES_CONTACT_URL``, ``..._DEAL_URL``, ``..._ACTIVITY_URL``), checked once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from ..settings import (
    ACTIVITY_LINK_FIELDS,
    DEAL_LINK_FIELDS,
    LINK_FIELDS,
    Settings,
    check_link_template,
)

#: Characters that never appear in a link we make: quotes, angle brackets, backquote,
#: whitespace, backslash and the ASCII controls.
_UNSAFE_ASCII = re.compile(r"[\"'<>`\s\\\x00-\x1f\x7f]")


def _unsafe(url: str) -> bool:
    """Whether ``url`` holds a character no link may hold (Unicode controls and format
    characters included: bidi overrides, zero-width spaces)."""
    if _UNSAFE_ASCII.search(url):
        return True
    return not url.isascii() and any(unicodedata.category(c) in ("Cc", "Cf") for c in url)


def safe_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) URL, else None: nothing else becomes a link."""
    if not value:
        return None
    url = value.strip()
    if not url.lower().startswith(("http://", "https://")):
        url = f"https://{url}" if "://" not in url and ":" not in url.split("/")[0] else ""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname  # parsing the netloc can raise too ("https://[x")
    except ValueError:
        return None  # CRM data that is not a URL: shown as text, never a link
    if parts.scheme not in ("http", "https") or not hostname or _unsafe(url):
        return None
    return url


@dataclass(frozen=True, slots=True)
class Links:
    """The three link templates, checked when made."""

    contact_template: str
    deal_template: str
    activity_template: str

    def __post_init__(self) -> None:
        check_link_template(self.contact_template, LINK_FIELDS)
        check_link_template(self.deal_template, DEAL_LINK_FIELDS)
        check_link_template(self.activity_template, ACTIVITY_LINK_FIELDS)

    @classmethod
    def of(cls, settings: Settings) -> Links:
        """The settings' links, made (and checked) once per set of templates."""
        return _links(
            settings.upsales_contact_url, settings.upsales_deal_url, settings.upsales_activity_url
        )

    def contact(self, contact_id: int, account_id: int | None) -> str | None:
        return self._fill(self.contact_template, contact_id=contact_id, account_id=account_id)

    def deal(self, deal_id: int, contact_id: int, account_id: int | None) -> str | None:
        return self._fill(
            self.deal_template, deal_id=deal_id, contact_id=contact_id, account_id=account_id
        )

    def activity(self, activity_id: int, contact_id: int, account_id: int | None) -> str | None:
        return self._fill(
            self.activity_template,
            activity_id=activity_id,
            contact_id=contact_id,
            account_id=account_id,
        )

    @staticmethod
    def _fill(template: str, **ids: int | None) -> str | None:
        if any(f"{{{name}}}" in template and value is None for name, value in ids.items()):
            return None  # the template needs an id this record lacks
        return safe_url(template.format(**{k: int(v or 0) for k, v in ids.items()}))


@cache
def _links(contact: str, deal: str, activity: str) -> Links:
    return Links(contact, deal, activity)
