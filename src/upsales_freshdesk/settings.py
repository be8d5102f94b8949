"""Typed operator settings, read from the environment (prefix ``UFD_``) or a ``.env`` file."""

from __future__ import annotations

import string
from functools import lru_cache
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .clients import Plan, require_https
from .clients.freshdesk.models import ContactField as FreshdeskField
from .clients.upsales.models import ContactField as UpsalesField

DEFAULT_FRAME_ANCESTORS = (
    "https://*.freshdesk.com",
    "https://*.freshworks.com",
    "https://*.myfreshworks.com",
    "https://*.freshdev.io",
)


LINK_FIELDS = frozenset({"contact_id", "account_id"})
#: Freshdesk contact field -> Upsales contact field.
FieldMapping = dict[FreshdeskField, UpsalesField]


def check_link_template(template: str) -> str:
    """Refuse a link template with fields other than ``{contact_id}``/``{account_id}``."""
    for _, name, spec, conv in string.Formatter().parse(template):
        if name is not None and (name not in LINK_FIELDS or spec or conv):
            raise ValueError(f"the link template may use only {sorted(LINK_FIELDS)}")
    return template


def _csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """What the operator of the backend configures. Requests can change none of it."""

    model_config = SettingsConfigDict(env_prefix="UFD_", env_file=".env", extra="ignore")

    #: Override of the Freshdesk base URL (emulators and tests). Production leaves it unset:
    #: the upstream is then ``https://{domain}/api/v2/`` for the validated domain.
    freshdesk_base_url: str | None = None
    #: Override of the Upsales base URL (emulators and tests).
    upsales_base_url: str | None = None
    #: When set, every call must carry ``Authorization: Bearer <secret>``.
    service_secret: SecretStr | None = None
    #: Enables the ticket-created webhook; callers send it as ``X-Webhook-Secret``.
    webhook_secret: SecretStr | None = None
    #: Let the webhook take credentials from request headers when the server has none of
    #: its own (``UFD_SYNC_*``). Off: the automation rule would carry both API keys.
    webhook_header_credentials: bool = False
    #: Selective access: when not empty, only these Freshdesk domains are served.
    allowed_accounts: Annotated[frozenset[str], NoDecode] = frozenset()
    #: Hosts besides ``*.freshdesk.com`` accepted as a Freshdesk domain (custom domains).
    extra_freshdesk_hosts: Annotated[frozenset[str], NoDecode] = frozenset()
    #: Origins allowed to frame the service's pages (CSP ``frame-ancestors``).
    frame_ancestors: Annotated[tuple[str, ...], NoDecode] = DEFAULT_FRAME_ANCESTORS
    #: "Open in Upsales" link; ``{contact_id}`` and ``{account_id}`` are filled in.
    upsales_contact_url: str = "https://power.upsales.com/#/contacts/{contact_id}/"
    #: Freshdesk plan of the accounts served (for client-side throttling), or calls/min.
    freshdesk_plan: Plan = "growth"
    #: The card endpoint answers within this many seconds, whatever the upstreams do.
    card_deadline_seconds: float = Field(default=8.0, gt=0, le=12)
    #: Freshdesk contact field -> Upsales contact field, for the card's differences, "Update
    #: Freshdesk" and the webhook. Unset: every pair of the field table (``lookup/fields.py``).
    field_mapping: FieldMapping | None = None
    #: Largest upstream answer read, in bytes; a bigger one is refused as malformed.
    max_upstream_bytes: int = Field(default=16 * 1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024)
    #: A repeated action (same idempotency key) within this many seconds answers the first
    #: result instead of writing again.
    idempotency_window_seconds: float = Field(default=600.0, ge=10, le=86_400)
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = Field(default=16_384, ge=1024, le=1_048_576)

    @field_validator("allowed_accounts", "extra_freshdesk_hosts", mode="before")
    @classmethod
    def _lower_set(cls, value: object) -> object:
        items = _csv(value)
        if isinstance(items, list | set | frozenset | tuple):
            return frozenset(str(i).strip().lower() for i in items if str(i).strip())
        return items

    @field_validator("frame_ancestors", mode="before")
    @classmethod
    def _tuple(cls, value: object) -> object:
        items = _csv(value)
        return tuple(items) if isinstance(items, list) else items

    @field_validator("freshdesk_base_url", "upsales_base_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        return None if value is None else require_https(value)

    @field_validator("upsales_contact_url")
    @classmethod
    def _link(cls, value: str) -> str:
        return check_link_template(value)


@lru_cache
def get_settings() -> Settings:
    return Settings()
